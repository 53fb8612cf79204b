package io.cse.autoconfigure;

import java.util.List;

import ch.qos.logback.classic.LoggerContext;
import io.cse.CheckpointCoordinator;
import io.cse.ParticipantStatus;
import io.cse.logging.LogbackFileAppenderParticipant;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link CseLogFilesAutoConfiguration}.
 */
class CseLogFilesAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(CseAutoConfiguration.class, CseLogFilesAutoConfiguration.class));

	@Test
	void createsTheLogbackParticipantLastOfAll() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).hasSingleBean(LogbackFileAppenderParticipant.class);
			List<String> names = participantNames(context);
			assertThat(names).last().isEqualTo("log-files");
		});
	}

	@Test
	void switchOffRemovesTheParticipant() {
		this.contextRunner.withPropertyValues("cse.log-files.enabled=false").run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).doesNotHaveBean(LogbackFileAppenderParticipant.class);
			assertThat(participantNames(context)).doesNotContain("log-files");
		});
	}

	@Test
	void masterSwitchOffRemovesTheParticipant() {
		this.contextRunner.withPropertyValues("cse.enabled=false").run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).doesNotHaveBean(LogbackFileAppenderParticipant.class);
		});
	}

	@Test
	void withoutLogbackThereIsNoParticipant() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(LoggerContext.class)).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).doesNotHaveBean(LogbackFileAppenderParticipant.class);
		});
	}

	@Test
	void userParticipantWins() {
		LogbackFileAppenderParticipant own = new LogbackFileAppenderParticipant();
		this.contextRunner.withBean("ownLogFiles", LogbackFileAppenderParticipant.class, () -> own).run((context) -> {
			assertThat(context).hasSingleBean(LogbackFileAppenderParticipant.class);
			assertThat(context.getBean(LogbackFileAppenderParticipant.class)).isSameAs(own);
		});
	}

	private static List<String> participantNames(ApplicationContext context) {
		return context.getBean(CheckpointCoordinator.class).getParticipants().stream().map(ParticipantStatus::name)
			.toList();
	}

}
