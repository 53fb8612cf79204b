package io.cse.autoconfigure;

import io.cse.redis.RedisConnectionFactoryParticipant;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.data.redis.connection.RedisConnectionFactory;

/**
 * Spring Data Redis: the connections of its Lettuce and Jedis connection factories are
 * closed while the instance is quiesced, on the lines where the factories are not
 * lifecycle beans (Spring Boot 2.7 to 3.1; later, the lifecycle participant stops them).
 */
@AutoConfiguration(after = CseAutoConfiguration.class)
@Conditional(SupportedPlatformCondition.class)
@ConditionalOnClass(RedisConnectionFactory.class)
// One annotation, not two: Spring Boot 2.7's is not repeatable, and would not see them
@ConditionalOnProperty(name = { "cse.enabled", "cse.redis.enabled" }, matchIfMissing = true)
final class CseRedisAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	RedisConnectionFactoryParticipant cseRedisConnectionFactoryParticipant(ListableBeanFactory beanFactory) {
		return new RedisConnectionFactoryParticipant(beanFactory);
	}

}
