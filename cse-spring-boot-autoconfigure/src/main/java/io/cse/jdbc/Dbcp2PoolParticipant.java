package io.cse.jdbc;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.commons.dbcp2.BasicDataSource;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.commons.pool2.impl.GenericObjectPool;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.util.ReflectionUtils;

/**
 * Closes every connection of each Apache Commons DBCP2 pool, so that a frozen instance
 * holds no database connection and a snapshot carries none; gives the pools back
 * afterwards, and they connect again on demand.
 * <p>
 * DBCP2 cannot suspend a pool, and a closed pool fails its callers. While quiesced, the
 * pool's object pool (Commons Pool) is held at a limit of no connection
 * ({@code maxTotal} 0), keeps none idle, and blocks its borrowers without a time limit: a
 * caller of {@code getConnection()} waits in Commons Pool's own wait for a returned
 * connection, however long the freeze lasts. On resume the limits come back and the pool
 * opens one connection for each caller that waited, which hands it over.
 * <p>
 * The object pool is public from DBCP2 2.10 on and protected before (Spring Boot 2.7
 * has 2.9), so it is reached by reflection.
 */
public class Dbcp2PoolParticipant extends PoolParticipantSupport<BasicDataSource> {

	private static final Log logger = LogFactory.getLog(Dbcp2PoolParticipant.class);

	private static final Method GET_CONNECTION_POOL = connectionPoolGetter();

	// Objects in the pool and being made: Commons Pool counts both, privately
	private static final Field CREATE_COUNT = ReflectionUtils.findField(GenericObjectPool.class, "createCount",
			AtomicLong.class);

	static {
		if (CREATE_COUNT != null) {
			ReflectionUtils.makeAccessible(CREATE_COUNT);
		}
	}

	/**
	 * Create a participant for the DBCP2 pools behind the data sources of the given
	 * factory.
	 * @param beanFactory the factory to find data sources in
	 */
	public Dbcp2PoolParticipant(ListableBeanFactory beanFactory) {
		super(beanFactory, BasicDataSource.class);
	}

	@Override
	public String getName() {
		return "dbcp2";
	}

	@Override
	protected boolean isStarted(BasicDataSource dataSource) {
		return !dataSource.isClosed() && connectionPool(dataSource) != null;
	}

	@Override
	@SuppressWarnings("deprecation") // the Duration variants are not in Commons Pool before 2.10
	protected Runnable holdBack(BasicDataSource dataSource) {
		GenericObjectPool<?> pool = connectionPool(dataSource);
		int maxTotal = pool.getMaxTotal();
		int maxIdle = pool.getMaxIdle();
		long maxWaitMillis = pool.getMaxWaitMillis();
		boolean blockWhenExhausted = pool.getBlockWhenExhausted();
		pool.setBlockWhenExhausted(true);
		pool.setMaxWaitMillis(-1);
		pool.setMaxIdle(0); // a returned connection is closed
		pool.setMaxTotal(0);
		return () -> {
			pool.setMaxTotal(maxTotal);
			pool.setMaxIdle(maxIdle);
			pool.setMaxWaitMillis(maxWaitMillis);
			pool.setBlockWhenExhausted(blockWhenExhausted);
			handOverToWaitingCallers(pool, maxTotal);
		};
	}

	@Override
	protected int connections(BasicDataSource dataSource) {
		GenericObjectPool<?> pool = connectionPool(dataSource);
		if (CREATE_COUNT != null) {
			return (int) ((AtomicLong) ReflectionUtils.getField(CREATE_COUNT, pool)).get();
		}
		return pool.getNumActive() + pool.getNumIdle();
	}

	@Override
	protected void closeIdle(BasicDataSource dataSource) {
		connectionPool(dataSource).clear();
	}

	/**
	 * Waiting borrowers wake only when a connection is added or returned: one is added
	 * for each, as the pool's limit allows.
	 */
	private static void handOverToWaitingCallers(GenericObjectPool<?> pool, int maxTotal) {
		int waiting = pool.getNumWaiters();
		int toAdd = (maxTotal < 0) ? waiting : Math.min(waiting, maxTotal);
		for (int i = 0; i < toAdd; i++) {
			try {
				pool.addObject();
			}
			catch (Exception ex) {
				logger.warn(waiting + " caller(s) waited for a DBCP2 connection during the freeze and could not get one "
						+ "now: they get one as soon as the pool opens or gets back a connection", ex);
				return;
			}
		}
	}

	private static GenericObjectPool<?> connectionPool(BasicDataSource dataSource) {
		return (GenericObjectPool<?>) ReflectionUtils.invokeMethod(GET_CONNECTION_POOL, dataSource);
	}

	private static Method connectionPoolGetter() {
		Method method = ReflectionUtils.findMethod(BasicDataSource.class, "getConnectionPool");
		if (method == null) {
			throw new IllegalStateException("This version of DBCP2 has no " + BasicDataSource.class.getName()
					+ ".getConnectionPool(): set cse.jdbc.dbcp2.enabled=false");
		}
		ReflectionUtils.makeAccessible(method);
		return method;
	}

}
