package io.cse.autoconfigure;

import java.util.List;

import io.cse.CheckpointCoordinator;
import io.cse.ParticipantStatus;
import io.cse.amqp.RabbitConnectionFactoryParticipant;
import org.junit.jupiter.api.Test;

import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.convert.ApplicationConversionService;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link CseRabbitAutoConfiguration}.
 */
class CseRabbitAutoConfigurationTests {

	// A factory that is never asked for a connection opens none: no broker is needed here
	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withInitializer((context) -> context.getEnvironment().setConversionService(new ApplicationConversionService()))
		.withConfiguration(AutoConfigurations.of(CseAutoConfiguration.class, CseRabbitAutoConfiguration.class))
		.withBean("rabbitConnectionFactory", ConnectionFactory.class, () -> new CachingConnectionFactory("127.0.0.1", 1));

	@Test
	void anApplicationWithAConnectionFactoryGetsTheParticipant() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).hasSingleBean(RabbitConnectionFactoryParticipant.class);
			assertThat(participantNames(context)).containsSubsequence("lifecycle", "rabbitmq");
		});
	}

	@Test
	void anApplicationWithoutAConnectionFactoryHasNoParticipant() {
		new ApplicationContextRunner()
			.withInitializer(
					(context) -> context.getEnvironment().setConversionService(new ApplicationConversionService()))
			.withConfiguration(AutoConfigurations.of(CseAutoConfiguration.class, CseRabbitAutoConfiguration.class))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context).doesNotHaveBean(RabbitConnectionFactoryParticipant.class);
			});
	}

	@Test
	void withoutSpringAmqpThereIsNoParticipant() {
		new ApplicationContextRunner()
			.withInitializer(
					(context) -> context.getEnvironment().setConversionService(new ApplicationConversionService()))
			.withConfiguration(AutoConfigurations.of(CseAutoConfiguration.class, CseRabbitAutoConfiguration.class))
			.withClassLoader(new FilteredClassLoader(ConnectionFactory.class))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context).doesNotHaveBean(RabbitConnectionFactoryParticipant.class);
			});
	}

	@Test
	void switchOffRemovesTheParticipant() {
		this.contextRunner.withPropertyValues("cse.rabbitmq.enabled=false").run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).doesNotHaveBean(RabbitConnectionFactoryParticipant.class);
			assertThat(context).hasSingleBean(CheckpointCoordinator.class);
			assertThat(participantNames(context)).doesNotContain("rabbitmq");
		});
	}

	@Test
	void masterSwitchOffRemovesTheParticipant() {
		this.contextRunner.withPropertyValues("cse.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(RabbitConnectionFactoryParticipant.class));
	}

	@Test
	void userBeanWins() {
		this.contextRunner
			.withBean("myRabbit", RabbitConnectionFactoryParticipant.class,
					() -> new RabbitConnectionFactoryParticipant(null))
			.run((context) -> assertThat(context).getBean(RabbitConnectionFactoryParticipant.class)
				.isSameAs(context.getBean("myRabbit")));
	}

	private static List<String> participantNames(ApplicationContext context) {
		return context.getBean(CheckpointCoordinator.class)
			.getParticipants()
			.stream()
			.map(ParticipantStatus::name)
			.toList();
	}

}
