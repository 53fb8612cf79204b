package io.cse.redis;

import java.lang.reflect.Field;

import io.cse.redis.RedisConnectionFactoryParticipant.ReleasedFactory;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.util.ReflectionUtils;

/**
 * Releases the connections of a Lettuce connection factory that has no life cycle
 * (Spring Data Redis 2.7 to 3.1), leaving it usable.
 */
final class LettuceFactories {

	/**
	 * The factory's connection providers: a pooling factory keeps its pools in them. The
	 * fields are private (Spring Data Redis 2.7 to 3.1 name them so); a pooling provider
	 * closes its pools on {@code destroy()} and opens new ones when next asked for a
	 * connection.
	 */
	private static final String[] CONNECTION_PROVIDERS = { "connectionProvider", "reactiveConnectionProvider" };

	private LettuceFactories() {
	}

	static ReleasedFactory release(String beanName, RedisConnectionFactory connectionFactory) throws Exception {
		LettuceConnectionFactory factory = (LettuceConnectionFactory) connectionFactory;
		// Closes the shared native connection, or gives it back to the pool; the factory
		// opens a new one when it is next used.
		factory.resetConnection();
		for (String name : CONNECTION_PROVIDERS) {
			Field field = ReflectionUtils.findField(LettuceConnectionFactory.class, name);
			if (field == null) {
				throw new IllegalStateException("Cannot close the pooled connections of Lettuce connection factory '"
						+ beanName + "': this Spring Data Redis has no field '" + name + "' in "
						+ LettuceConnectionFactory.class.getName() + "; set cse.redis.enabled=false and close them in a "
						+ "participant of your own");
			}
			ReflectionUtils.makeAccessible(field);
			Object provider = ReflectionUtils.getField(field, factory);
			if (provider instanceof DisposableBean) {
				// Only a pooling provider has something to close (the others close a dedicated
				// connection as soon as it is released): its pools, reopened on demand.
				((DisposableBean) provider).destroy();
			}
		}
		return () -> {
			// As the factory does when it starts: open the shared connection now, if asked to.
			if (factory.getShareNativeConnection() && factory.getEagerInitialization()) {
				factory.initConnection();
			}
		};
	}

}
