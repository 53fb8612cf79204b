package io.cse.jdbc;

import java.lang.reflect.Field;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;

import com.alibaba.druid.pool.DruidAbstractDataSource;
import com.alibaba.druid.pool.DruidDataSource;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.util.ReflectionUtils;

/**
 * Closes every connection of each Alibaba Druid pool, so that a frozen instance holds no
 * database connection and a snapshot carries none; gives the pools back afterwards, and
 * they connect again on demand.
 * <p>
 * Druid cannot suspend a pool, and a closed pool fails its callers. While quiesced, a pool
 * is held at a limit of no connection ({@code maxActive} 0) and an unbounded wait: a
 * caller of {@code getConnection()} waits in Druid's own wait for a free connection,
 * however long the freeze lasts, and gets one after the thaw. At that limit Druid itself
 * closes a connection that is returned or that finishes opening; the idle ones are
 * evicted ({@code minIdle} 0 and a shrink). Druid's setters refuse a limit of 0 and log a
 * changed wait as an error, so both are set on the pool's fields.
 * <p>
 * Tested with Druid 1.2; the fields have had these names since Druid 1.0.
 */
public class DruidPoolParticipant extends PoolParticipantSupport<DruidDataSource> {

	private static final Field MAX_ACTIVE = field("maxActive", true);

	private static final Field MAX_WAIT = field("maxWait", true);

	// Connections being opened: older versions do not count them, and Druid closes them
	// once opened anyway when the pool is held at no connection
	private static final Field CREATING_COUNT = field("creatingCount", false);

	private static final Field LOCK = field("lock", true);

	private static final Field NOT_EMPTY = field("notEmpty", true);

	/**
	 * Create a participant for the Druid pools behind the data sources of the given
	 * factory.
	 * @param beanFactory the factory to find data sources in
	 */
	public DruidPoolParticipant(ListableBeanFactory beanFactory) {
		super(beanFactory, DruidDataSource.class);
	}

	@Override
	public String getName() {
		return "druid";
	}

	@Override
	protected boolean isStarted(DruidDataSource pool) {
		return pool.isInited() && !pool.isClosed();
	}

	@Override
	protected Runnable holdBack(DruidDataSource pool) {
		int maxActive = pool.getMaxActive();
		long maxWait = pool.getMaxWait();
		int minIdle = pool.getMinIdle();
		pool.setMinIdle(0); // first: Druid keeps minIdle at most maxActive
		ReflectionUtils.setField(MAX_WAIT, pool, -1L);
		ReflectionUtils.setField(MAX_ACTIVE, pool, 0);
		return () -> {
			ReflectionUtils.setField(MAX_ACTIVE, pool, maxActive);
			ReflectionUtils.setField(MAX_WAIT, pool, maxWait);
			pool.setMinIdle(minIdle);
			wakeWaitingCallers(pool);
		};
	}

	@Override
	protected int connections(DruidDataSource pool) {
		int creating = (CREATING_COUNT != null) ? (int) ReflectionUtils.getField(CREATING_COUNT, pool) : 0;
		return pool.getPoolingCount() + pool.getActiveCount() + creating;
	}

	@Override
	protected void closeIdle(DruidDataSource pool) {
		pool.shrink(false, false);
	}

	/**
	 * Wake the callers waiting for a connection: each finds the pool empty, asks Druid's
	 * creator thread for a connection, as it does when it starts waiting, and waits again
	 * until it gets one.
	 */
	private static void wakeWaitingCallers(DruidDataSource pool) {
		Lock lock = (Lock) ReflectionUtils.getField(LOCK, pool);
		Condition notEmpty = (Condition) ReflectionUtils.getField(NOT_EMPTY, pool);
		lock.lock();
		try {
			notEmpty.signalAll();
		}
		finally {
			lock.unlock();
		}
	}

	private static Field field(String name, boolean required) {
		Field field = ReflectionUtils.findField(DruidAbstractDataSource.class, name);
		if (field == null && required) {
			throw new IllegalStateException("This version of Druid has no field '" + name + "' in "
					+ DruidAbstractDataSource.class.getName() + ": set cse.jdbc.druid.enabled=false");
		}
		if (field != null) {
			ReflectionUtils.makeAccessible(field);
		}
		return field;
	}

}
