package io.cse.jdbc;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntSupplier;

import io.cse.CheckpointContext;
import io.cse.CheckpointParticipant;

import org.springframework.beans.factory.ListableBeanFactory;

/**
 * Base of the participants for connection pools that cannot suspend themselves: each
 * subclass holds the callers of {@code getConnection()} back in the pool's own wait for a
 * free connection, closes what the pool has, and undoes both on resume.
 *
 * @param <P> the type of pool
 */
abstract class PoolParticipantSupport<P> implements CheckpointParticipant, DataSourceParticipant {

	private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

	private final ListableBeanFactory beanFactory;

	private final Class<P> poolType;

	private final List<Runnable> resumptions = new ArrayList<>();

	PoolParticipantSupport(ListableBeanFactory beanFactory, Class<P> poolType) {
		this.beanFactory = beanFactory;
		this.poolType = poolType;
	}

	@Override
	public int getOrder() {
		return POOL_ORDER;
	}

	@Override
	public boolean manages(Object dataSource) {
		return DataSourcePools.unwrap(dataSource, this.poolType) != null;
	}

	@Override
	public void quiesce(CheckpointContext context) throws Exception {
		for (Map.Entry<String, P> entry : DataSourcePools.find(this.beanFactory, this.poolType).entrySet()) {
			P pool = entry.getValue();
			if (!isStarted(pool)) {
				continue; // never used: no connection to let go, and it starts only on demand
			}
			// Registered before the wait, so that a quiesce that times out undoes it too
			this.resumptions.add(holdBack(pool));
			awaitNoConnections(pool, entry.getKey());
		}
	}

	@Override
	public void resume(CheckpointContext context) {
		for (int i = this.resumptions.size() - 1; i >= 0; i--) {
			this.resumptions.get(i).run();
		}
		this.resumptions.clear();
	}

	/**
	 * Return whether the pool has started: a pool that never started has no connection,
	 * and asking it for its state might start it.
	 * @param pool the pool
	 * @return whether it started
	 */
	protected abstract boolean isStarted(P pool);

	/**
	 * Make the pool's callers wait, and close the connections it has; those in use close
	 * as they are returned.
	 * @param pool the pool
	 * @return what gives the pool back its settings and wakes its waiting callers
	 */
	protected abstract Runnable holdBack(P pool);

	/**
	 * Return how many connections the pool has: idle, in use, and being opened.
	 * @param pool the pool
	 * @return the count
	 */
	protected abstract int connections(P pool);

	/**
	 * Close the pool's idle connections, including those returned since the last call.
	 * @param pool the pool
	 */
	protected abstract void closeIdle(P pool);

	private void awaitNoConnections(P pool, String beanName) throws InterruptedException {
		IntSupplier open = () -> connections(pool);
		// None of these pools notifies when its last connection closes; the coordinator's
		// timeout bounds the wait, for a connection the application does not give back.
		while (open.getAsInt() > 0) {
			closeIdle(pool);
			if (open.getAsInt() == 0) {
				return;
			}
			LockSupport.parkNanos(POLL_NANOS);
			if (Thread.interrupted()) {
				throw new InterruptedException("Waiting for the " + open.getAsInt() + " connection(s) of the pool of "
						+ "DataSource '" + beanName + "' to be returned and closed");
			}
		}
	}

}
