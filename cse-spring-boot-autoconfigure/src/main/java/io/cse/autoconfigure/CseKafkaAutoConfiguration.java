package io.cse.autoconfigure;

import io.cse.kafka.KafkaClientsParticipant;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;

/**
 * Spring Kafka: producers closed while the instance is quiesced (Spring Kafka 2.x does not
 * stop its producer factories with the context's lifecycle), and a clone's static group
 * membership of its own. Listener containers are stopped by the lifecycle participant.
 */
@AutoConfiguration(after = CseAutoConfiguration.class)
@Conditional(SupportedPlatformCondition.class)
@ConditionalOnClass(DefaultKafkaProducerFactory.class)
// One annotation, not two: Spring Boot 2.7's is not repeatable, and would not see them
@ConditionalOnProperty(name = { "cse.enabled", "cse.kafka.enabled" }, matchIfMissing = true)
@EnableConfigurationProperties(CseProperties.class)
final class CseKafkaAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	KafkaClientsParticipant cseKafkaClientsParticipant(ListableBeanFactory beanFactory) {
		return new KafkaClientsParticipant(beanFactory);
	}

}
