package io.cse.autoconfigure;

import java.util.List;

import io.cse.CheckpointCoordinator;
import io.cse.ParticipantStatus;
import io.cse.redis.RedisConnectionFactoryParticipant;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.convert.ApplicationConversionService;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.data.redis.connection.RedisConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link CseRedisAutoConfiguration}.
 */
class CseRedisAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withInitializer((context) -> context.getEnvironment().setConversionService(new ApplicationConversionService()))
		.withConfiguration(AutoConfigurations.of(CseAutoConfiguration.class, CseRedisAutoConfiguration.class));

	@Test
	void createsTheParticipantWhenSpringDataRedisIsThere() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).hasSingleBean(RedisConnectionFactoryParticipant.class);
			assertThat(participantNames(context)).contains("redis");
		});
	}

	@Test
	void withoutSpringDataRedisThereIsNoParticipant() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(RedisConnectionFactory.class)).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).doesNotHaveBean(RedisConnectionFactoryParticipant.class);
		});
	}

	@Test
	void switchOffRemovesTheParticipant() {
		this.contextRunner.withPropertyValues("cse.redis.enabled=false").run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).doesNotHaveBean(RedisConnectionFactoryParticipant.class);
			assertThat(participantNames(context)).doesNotContain("redis");
		});
	}

	@Test
	void masterSwitchOffRemovesTheParticipant() {
		this.contextRunner.withPropertyValues("cse.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(RedisConnectionFactoryParticipant.class));
	}

	@Test
	void userParticipantWins() {
		RedisConnectionFactoryParticipant own = new RedisConnectionFactoryParticipant(new StaticListableBeanFactory());
		this.contextRunner.withBean(RedisConnectionFactoryParticipant.class, () -> own)
			.run((context) -> assertThat(context).getBean(RedisConnectionFactoryParticipant.class).isSameAs(own));
	}

	private static List<String> participantNames(ApplicationContext context) {
		return context.getBean(CheckpointCoordinator.class)
			.getParticipants()
			.stream()
			.map(ParticipantStatus::name)
			.toList();
	}

}
