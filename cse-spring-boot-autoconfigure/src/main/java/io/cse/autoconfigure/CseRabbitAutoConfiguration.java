package io.cse.autoconfigure;

import io.cse.amqp.RabbitConnectionFactoryParticipant;

import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;

/**
 * RabbitMQ through Spring AMQP: the connection factories' connections are closed while the
 * instance is quiesced, and opened again on demand when it resumes.
 * <p>
 * Only where the application has a connection factory, its own or Spring Boot's (whose
 * auto-configuration moved to a module of its own in Spring Boot 4).
 */
@AutoConfiguration(after = CseAutoConfiguration.class,
		afterName = { "org.springframework.boot.autoconfigure.amqp.RabbitAutoConfiguration",
				"org.springframework.boot.amqp.autoconfigure.RabbitAutoConfiguration" })
@Conditional(SupportedPlatformCondition.class)
@ConditionalOnClass(ConnectionFactory.class)
@ConditionalOnBean(ConnectionFactory.class)
// One annotation, not two: Spring Boot 2.7's is not repeatable, and would not see them
@ConditionalOnProperty(name = { "cse.enabled", "cse.rabbitmq.enabled" }, matchIfMissing = true)
@EnableConfigurationProperties(CseProperties.class)
final class CseRabbitAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	RabbitConnectionFactoryParticipant cseRabbitConnectionFactoryParticipant(ListableBeanFactory beanFactory) {
		return new RabbitConnectionFactoryParticipant(beanFactory);
	}

}
