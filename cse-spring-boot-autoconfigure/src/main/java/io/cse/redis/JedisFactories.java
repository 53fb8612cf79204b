package io.cse.redis;

import java.lang.reflect.Field;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.cse.redis.RedisConnectionFactoryParticipant.ReleasedFactory;
import org.apache.commons.pool2.impl.GenericObjectPool;

import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.jedis.JedisConnectionFactory;
import org.springframework.util.ReflectionUtils;

/**
 * Releases the connections of a Jedis connection factory that has no life cycle (Spring
 * Data Redis 2.7 to 3.1), leaving it usable.
 * <p>
 * The factory's pool is private, and Jedis 3 (Spring Boot 2.7) and Jedis 4 (Spring Boot
 * 3.0 and 3.1) hold their Commons Pool differently: Jedis 4's pool is one, Jedis 3's has
 * one in a field. Its idle connections are closed, and its minimum of idle connections
 * is held at zero until the resume, so that its evictor does not open new ones.
 */
final class JedisFactories {

	private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

	private JedisFactories() {
	}

	static ReleasedFactory release(String beanName, RedisConnectionFactory connectionFactory)
			throws InterruptedException {
		JedisConnectionFactory factory = (JedisConnectionFactory) connectionFactory;
		Object pool = field(JedisConnectionFactory.class, "pool", factory, beanName);
		if (pool == null) {
			return null; // no pool: a connection is opened for each use and closed after it
		}
		GenericObjectPool<?> connections = (pool instanceof GenericObjectPool) ? (GenericObjectPool<?>) pool
				: (GenericObjectPool<?>) field(pool.getClass(), "internalPool", pool, beanName);
		if (connections == null || connections.isClosed()) {
			return null;
		}
		int minIdle = connections.getMinIdle();
		connections.setMinIdle(0);
		try {
			awaitNoConnections(connections, beanName);
		}
		catch (InterruptedException | RuntimeException ex) {
			// The quiesce fails and the instance goes on running: the pool as it was
			connections.setMinIdle(minIdle);
			throw ex;
		}
		return () -> connections.setMinIdle(minIdle);
	}

	private static void awaitNoConnections(GenericObjectPool<?> connections, String beanName)
			throws InterruptedException {
		// Connections in use close once they are returned; the coordinator's timeout bounds the wait.
		connections.clear();
		while (connections.getNumActive() > 0 || connections.getNumIdle() > 0) {
			LockSupport.parkNanos(POLL_NANOS);
			connections.clear();
			if (Thread.interrupted()) {
				throw new InterruptedException("Waiting for " + connections.getNumActive()
						+ " connection(s) in use to be returned to the pool of Jedis connection factory '" + beanName
						+ "'");
			}
		}
	}

	private static Object field(Class<?> type, String name, Object target, String beanName) {
		Field field = ReflectionUtils.findField(type, name);
		if (field == null) {
			throw new IllegalStateException("Cannot close the pooled connections of Jedis connection factory '"
					+ beanName + "': no field '" + name + "' in " + type.getName()
					+ "; set cse.redis.enabled=false and close them in a participant of your own");
		}
		ReflectionUtils.makeAccessible(field);
		return ReflectionUtils.getField(field, target);
	}

}
