package io.cse.autoconfigure;

import java.util.List;

import io.cse.CheckpointCoordinator;
import io.cse.CheckpointParticipant;
import io.cse.ParticipantStatus;
import io.cse.kafka.KafkaClientsParticipant;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link CseKafkaAutoConfiguration}.
 */
class CseKafkaAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(CseAutoConfiguration.class, CseKafkaAutoConfiguration.class));

	@Test
	void createsTheParticipantAtPoolOrder() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).hasSingleBean(KafkaClientsParticipant.class);
			assertThat(participant(context).order()).isEqualTo(CheckpointParticipant.POOL_ORDER);
		});
	}

	@Test
	void switchOffRemovesTheParticipant() {
		this.contextRunner.withPropertyValues("cse.kafka.enabled=false").run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).doesNotHaveBean(KafkaClientsParticipant.class);
			assertThat(participantNames(context)).doesNotContain("kafka");
		});
	}

	@Test
	void masterSwitchOffRemovesTheParticipant() {
		this.contextRunner.withPropertyValues("cse.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(KafkaClientsParticipant.class));
	}

	@Test
	void withoutSpringKafkaThereIsNoParticipant() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(DefaultKafkaProducerFactory.class))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context).doesNotHaveBean(KafkaClientsParticipant.class);
				assertThat(participantNames(context)).doesNotContain("kafka");
			});
	}

	@Test
	void userParticipantWins() {
		KafkaClientsParticipant own = new KafkaClientsParticipant(new DefaultListableBeanFactory());
		this.contextRunner.withBean("ownKafkaParticipant", KafkaClientsParticipant.class, () -> own)
			.run((context) -> {
				assertThat(context).hasSingleBean(KafkaClientsParticipant.class);
				assertThat(context.getBean(KafkaClientsParticipant.class)).isSameAs(own);
			});
	}

	private static ParticipantStatus participant(ApplicationContext context) {
		return context.getBean(CheckpointCoordinator.class)
			.getParticipants()
			.stream()
			.filter((participant) -> participant.name().equals("kafka"))
			.findFirst()
			.orElseThrow();
	}

	private static List<String> participantNames(ApplicationContext context) {
		return context.getBean(CheckpointCoordinator.class).getParticipants().stream().map(ParticipantStatus::name)
			.toList();
	}

}
