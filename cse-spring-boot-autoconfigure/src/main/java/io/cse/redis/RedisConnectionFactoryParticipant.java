package io.cse.redis;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.cse.CheckpointContext;
import io.cse.CheckpointParticipant;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.context.Lifecycle;
import org.springframework.data.redis.connection.RedisConnectionFactory;

/**
 * Closes the connections of Spring Data Redis's connection factories that are not
 * {@link Lifecycle} beans, so that a frozen instance holds no Redis connection and a
 * snapshot carries none; after a resume they connect again on demand.
 * <p>
 * Since Spring Data Redis 3.2 (Spring Boot 3.2) the Lettuce and Jedis factories are
 * lifecycle beans: the lifecycle participant stops them, which closes every connection,
 * and starts them again. This participant leaves those alone. The factories of earlier
 * versions (Spring Boot 2.7 to 3.1) have no such life cycle, and closing them for good
 * ({@code destroy()}) cannot be undone, so this participant releases what they hold and
 * leaves them usable:
 * <ul>
 * <li>Lettuce: the shared native connection is reset, and the pools of a pooling
 * factory are closed; the factory opens a new shared connection, and new pools, the next
 * time it is used.</li>
 * <li>Jedis: every connection of the pool is closed, and the pool keeps no idle
 * connection until the resume; a factory without a pool holds no connection between
 * uses.</li>
 * </ul>
 * Message listener containers hold a subscription connection of their own; they are
 * lifecycle beans on every version, stopped earlier by the lifecycle participant.
 * Factories of other clients are left alone and named in the log.
 */
public class RedisConnectionFactoryParticipant implements CheckpointParticipant {

	private static final String LETTUCE_FACTORY = "org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory";

	private static final String JEDIS_FACTORY = "org.springframework.data.redis.connection.jedis.JedisConnectionFactory";

	private static final Log logger = LogFactory.getLog(RedisConnectionFactoryParticipant.class);

	private final ListableBeanFactory beanFactory;

	private final List<ReleasedFactory> released = new ArrayList<>();

	/**
	 * Create a participant for the connection factories that are beans of the given
	 * factory.
	 * @param beanFactory the factory to find Redis connection factories in
	 */
	public RedisConnectionFactoryParticipant(ListableBeanFactory beanFactory) {
		this.beanFactory = beanFactory;
	}

	@Override
	public String getName() {
		return "redis";
	}

	@Override
	public int getOrder() {
		return POOL_ORDER;
	}

	@Override
	public void quiesce(CheckpointContext context) throws Exception {
		Map<String, RedisConnectionFactory> factories = this.beanFactory.getBeansOfType(RedisConnectionFactory.class,
				false, false);
		for (Map.Entry<String, RedisConnectionFactory> entry : factories.entrySet()) {
			RedisConnectionFactory factory = entry.getValue();
			if (factory instanceof Lifecycle) {
				// Spring Data Redis 3.2+: stopped and started by the lifecycle participant (or
				// left running on purpose, with cse.lifecycle.excluded-beans).
				continue;
			}
			ReleasedFactory releasedFactory = release(entry.getKey(), factory);
			if (releasedFactory != null) {
				this.released.add(releasedFactory);
			}
		}
	}

	@Override
	public void resume(CheckpointContext context) {
		for (ReleasedFactory factory : this.released) {
			factory.resume();
		}
		this.released.clear();
	}

	private static ReleasedFactory release(String beanName, RedisConnectionFactory factory) throws Exception {
		// By name: Lettuce and Jedis are each optional, and their factories load their classes.
		if (isA(factory, LETTUCE_FACTORY)) {
			return LettuceFactories.release(beanName, factory);
		}
		if (isA(factory, JEDIS_FACTORY)) {
			return JedisFactories.release(beanName, factory);
		}
		logger.warn("Redis connection factory '" + beanName + "' (" + factory.getClass().getName()
				+ ") is neither Lettuce's nor Jedis's: its connections stay open while the instance is quiesced");
		return null;
	}

	private static boolean isA(Object object, String className) {
		for (Class<?> type = object.getClass(); type != null; type = type.getSuperclass()) {
			if (type.getName().equals(className)) {
				return true;
			}
		}
		return false;
	}

	/**
	 * A factory whose connections were released, and what it needs when the instance
	 * resumes.
	 */
	interface ReleasedFactory {

		/**
		 * Let the factory connect again.
		 */
		void resume();

	}

}
