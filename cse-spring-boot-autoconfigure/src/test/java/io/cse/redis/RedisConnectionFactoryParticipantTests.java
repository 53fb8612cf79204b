package io.cse.redis;

import java.time.Clock;
import java.util.Collections;

import io.cse.CheckpointContext;
import io.cse.CheckpointContext.Operation;
import io.cse.CheckpointContext.Resumption;
import io.cse.InstanceIdentity;
import io.cse.lifecycle.LifecycleParticipant;
import org.junit.jupiter.api.Test;

import org.springframework.context.support.GenericApplicationContext;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link RedisConnectionFactoryParticipant} with the factories of Spring Data
 * Redis 3.2 and later, which are lifecycle beans: the lifecycle participant stops and
 * starts them, and this participant leaves them as it found them. (Factories without a
 * life cycle are those of Spring Boot 2.7: see the compatibility suite's
 * {@code RedisCompatibilityTests}.)
 */
class RedisConnectionFactoryParticipantTests {

	private static final CheckpointContext FREEZE = new CheckpointContext(Operation.FREEZE, null,
			new InstanceIdentity(Clock.systemUTC()));

	private static final CheckpointContext THAW = new CheckpointContext(Operation.FREEZE, Resumption.THAW,
			new InstanceIdentity(Clock.systemUTC()));

	@Test
	void leavesAFactoryTheLifecycleParticipantStoppedAsItIs() throws Exception {
		try (GenericApplicationContext context = new GenericApplicationContext()) {
			// Never connects: nothing listens on port 1, and the test needs no server
			context.registerBean("redisConnectionFactory", LettuceConnectionFactory.class,
					() -> new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", 1)));
			context.refresh();
			LettuceConnectionFactory factory = context.getBean(LettuceConnectionFactory.class);
			LifecycleParticipant lifecycle = new LifecycleParticipant(context, Collections.emptySet());
			RedisConnectionFactoryParticipant redis = new RedisConnectionFactoryParticipant(context);
			assertThat(factory.isRunning()).isTrue();

			lifecycle.quiesce(FREEZE);
			assertThat(factory.isRunning()).isFalse();
			redis.quiesce(FREEZE);
			redis.resume(THAW);
			assertThat(factory.isRunning()).as("started by the Redis participant").isFalse();
			lifecycle.resume(THAW);
			assertThat(factory.isRunning()).isTrue();
		}
	}

}
