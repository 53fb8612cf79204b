package io.cse.jdbc;

import java.lang.reflect.Field;
import java.sql.Connection;
import java.sql.SQLException;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.tomcat.jdbc.pool.ConnectionPool;
import org.apache.tomcat.jdbc.pool.DataSourceProxy;
import org.apache.tomcat.jdbc.pool.PoolConfiguration;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.util.ReflectionUtils;

/**
 * Closes every connection of each Tomcat JDBC pool, so that a frozen instance holds no
 * database connection and a snapshot carries none; gives the pools back afterwards, and
 * they connect again on demand.
 * <p>
 * Tomcat JDBC cannot suspend a pool, and a closed pool fails its callers. While quiesced,
 * a pool is held at a limit of no connection ({@code maxActive} 0) and an unbounded wait
 * ({@code maxWait} 0): a caller of {@code getConnection()} waits in the pool's own wait
 * for an idle connection, however long the freeze lasts. The pool is purged, which closes
 * its idle connections now and those in use when they are returned. On resume the limits
 * come back and the pool opens one connection for each caller that waited, which hands it
 * over.
 */
public class TomcatPoolParticipant extends PoolParticipantSupport<DataSourceProxy> {

	private static final Log logger = LogFactory.getLog(TomcatPoolParticipant.class);

	// DataSourceProxy.getPool() creates the pool of a data source never used
	private static final Field POOL = ReflectionUtils.findField(DataSourceProxy.class, "pool", ConnectionPool.class);

	static {
		if (POOL == null) {
			throw new IllegalStateException("This version of Tomcat JDBC has no field 'pool' in "
					+ DataSourceProxy.class.getName() + ": set cse.jdbc.tomcat.enabled=false");
		}
		ReflectionUtils.makeAccessible(POOL);
	}

	/**
	 * Create a participant for the Tomcat JDBC pools behind the data sources of the given
	 * factory.
	 * @param beanFactory the factory to find data sources in
	 */
	public TomcatPoolParticipant(ListableBeanFactory beanFactory) {
		super(beanFactory, DataSourceProxy.class);
	}

	@Override
	public String getName() {
		return "tomcat-jdbc";
	}

	@Override
	protected boolean isStarted(DataSourceProxy dataSource) {
		ConnectionPool pool = pool(dataSource);
		return pool != null && !pool.isClosed();
	}

	@Override
	protected Runnable holdBack(DataSourceProxy dataSource) {
		ConnectionPool pool = pool(dataSource);
		PoolConfiguration properties = pool.getPoolProperties();
		int maxActive = properties.getMaxActive();
		int maxWait = properties.getMaxWait();
		properties.setMaxWait(0); // no limit: Tomcat JDBC waits without one at 0 or less
		properties.setMaxActive(0);
		return () -> {
			properties.setMaxActive(maxActive);
			properties.setMaxWait(maxWait);
			handOverToWaitingCallers(pool, maxActive);
		};
	}

	@Override
	protected int connections(DataSourceProxy dataSource) {
		return pool(dataSource).getSize(); // idle, in use, and being opened
	}

	@Override
	protected void closeIdle(DataSourceProxy dataSource) {
		pool(dataSource).purge();
	}

	/**
	 * Waiting callers wake only when a connection becomes idle: one is opened and
	 * returned for each, as the pool's limit allows.
	 */
	private static void handOverToWaitingCallers(ConnectionPool pool, int maxActive) {
		int waiting = pool.getWaitCount();
		for (int i = 0; i < Math.min(waiting, maxActive); i++) {
			try (Connection connection = pool.getConnection()) {
				// returned at once, to the first caller in the queue
			}
			catch (SQLException ex) {
				logger.warn(waiting + " caller(s) waited for a Tomcat JDBC connection during the freeze and could not "
						+ "get one now: they get one as soon as the pool gets back a connection", ex);
				return;
			}
		}
	}

	private static ConnectionPool pool(DataSourceProxy dataSource) {
		return (ConnectionPool) ReflectionUtils.getField(POOL, dataSource);
	}

}
