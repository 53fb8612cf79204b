package io.cse.jdbc;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import io.cse.CheckpointContext;
import io.cse.CheckpointParticipant;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.util.ReflectionUtils;

/**
 * Suspends every HikariCP pool and closes all its connections, so that a frozen instance
 * holds no database connection and a snapshot carries none; resumes the pools afterwards,
 * and they connect again on demand.
 * <p>
 * A suspended pool makes callers of {@code getConnection()} wait instead of failing, so
 * work that slips past the executors and the traffic gate is delayed, not lost. Hikari
 * only suspends a pool that was started with {@code allowPoolSuspension}, which
 * {@link HikariPoolSuspensionEnabler} turns on; a pool that started without it fails the
 * quiesce with the property to set.
 * <p>
 * Pools of other kinds have participants of their own ({@link DruidPoolParticipant},
 * {@link Dbcp2PoolParticipant}, {@link TomcatPoolParticipant}); a snapshot's audit names
 * any other {@link DataSource} and the connections it keeps open
 * ({@link UnmanagedDataSources}).
 */
public class HikariPoolParticipant implements CheckpointParticipant, DataSourceParticipant {

	private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

	private static final String[] CONNECTION_EXECUTORS = { "addConnectionExecutor", "closeConnectionExecutor" };

	private final ListableBeanFactory beanFactory;

	private final List<HikariPoolMXBean> suspended = new ArrayList<>();

	/**
	 * Create a participant for the pools that are beans of the given factory.
	 * @param beanFactory the factory to find data sources in
	 */
	public HikariPoolParticipant(ListableBeanFactory beanFactory) {
		this.beanFactory = beanFactory;
	}

	@Override
	public String getName() {
		return "jdbc";
	}

	@Override
	public int getOrder() {
		return POOL_ORDER;
	}

	@Override
	public void quiesce(CheckpointContext context) throws Exception {
		Map<String, DataSource> dataSources = this.beanFactory.getBeansOfType(DataSource.class, false, false);
		for (Map.Entry<String, DataSource> entry : dataSources.entrySet()) {
			HikariDataSource hikari = unwrap(entry.getValue());
			if (hikari == null) {
				continue;
			}
			HikariPoolMXBean pool = hikari.getHikariPoolMXBean();
			if (pool == null || hikari.isClosed()) {
				continue; // never used, or closed: no connection to let go
			}
			if (!hikari.isAllowPoolSuspension()) {
				throw new IllegalStateException("HikariCP pool '" + hikari.getPoolName() + "' (bean '" + entry.getKey()
						+ "') cannot be suspended: set spring.datasource.hikari.allow-pool-suspension=true,"
						+ " or keep cse.jdbc.enable-pool-suspension=true so that the starter sets it before the pool starts");
			}
			pool.suspendPool();
			this.suspended.add(pool);
			// Idle connections close now; those in use close as soon as they are returned.
			pool.softEvictConnections();
			awaitNoConnections(pool);
		}
	}

	@Override
	public boolean manages(Object dataSource) {
		return unwrap(dataSource) != null;
	}

	@Override
	public void resume(CheckpointContext context) {
		for (HikariPoolMXBean pool : this.suspended) {
			pool.resumePool();
		}
		this.suspended.clear();
	}

	private static void awaitNoConnections(HikariPoolMXBean pool) throws InterruptedException {
		List<ThreadPoolExecutor> connectionExecutors = connectionExecutors(pool);
		// Hikari has no notification for this; the coordinator's timeout bounds the wait.
		while (pool.getTotalConnections() > 0 || isBusy(connectionExecutors)) {
			pool.softEvictConnections();
			LockSupport.parkNanos(POLL_NANOS);
			if (Thread.interrupted()) {
				throw new InterruptedException("Waiting for " + pool.getActiveConnections()
						+ " connection(s) in use to be returned to the pool");
			}
		}
	}

	/**
	 * Return the executors on which the pool opens and closes connections. Hikari does
	 * both outside its count: a connection being opened when the pool is suspended joins
	 * the pool afterwards (it filled the pool up to its minimum while the application
	 * started), and one being closed is still open at the database. The executors are
	 * private, so this finds them where the pool's class has them (HikariCP 5 to 7), and
	 * otherwise returns none: the count alone is then trusted.
	 */
	private static List<ThreadPoolExecutor> connectionExecutors(HikariPoolMXBean pool) {
		List<ThreadPoolExecutor> executors = new ArrayList<>();
		for (String name : CONNECTION_EXECUTORS) {
			Field field = ReflectionUtils.findField(pool.getClass(), name, ThreadPoolExecutor.class);
			if (field != null) {
				ReflectionUtils.makeAccessible(field);
				ThreadPoolExecutor executor = (ThreadPoolExecutor) ReflectionUtils.getField(field, pool);
				if (executor != null) {
					executors.add(executor);
				}
			}
		}
		return executors;
	}

	private static boolean isBusy(List<ThreadPoolExecutor> executors) {
		for (ThreadPoolExecutor executor : executors) {
			if (executor.getActiveCount() > 0 || !executor.getQueue().isEmpty()) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Return the HikariCP pool behind a data source, through any proxies around it.
	 * @param dataSource a data source, a pool or a proxy of one
	 * @return the pool, or {@code null} if there is none behind it
	 * @see DataSourcePools
	 */
	static HikariDataSource unwrap(Object dataSource) {
		return DataSourcePools.unwrap(dataSource, HikariDataSource.class);
	}

}
