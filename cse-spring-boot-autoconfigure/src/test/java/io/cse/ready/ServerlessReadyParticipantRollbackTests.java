package io.cse.ready;

import java.util.List;
import java.util.Map;

import io.cse.CheckpointContext;
import io.cse.CheckpointCoordinator;
import io.cse.CheckpointParticipant;
import io.cse.InstanceState;
import io.cse.OperationReport;
import io.cse.OperationReport.Outcome;
import io.cse.RecordingParticipant;
import io.cse.autoconfigure.CseAutoConfiguration;
import io.cse.ready.ServerlessReadyParticipantTests.Early;
import io.cse.ready.ServerlessReadyTestConfiguration.Journal;
import io.cse.ready.ServerlessReadyTestConfiguration.Recording;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ServerlessReadyParticipant} when a hook or another participant fails:
 * what is rolled back, and what still runs.
 */
class ServerlessReadyParticipantRollbackTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(CseAutoConfiguration.class))
		.withUserConfiguration(ServerlessReadyTestConfiguration.class)
		.withPropertyValues("cse.memory.trim-heap=false");

	@Test
	void failingBeforeCheckpointRollsBackTheBeansWhoseHooksStarted() {
		this.contextRunner.withBean("early", Early.class)
			.withBean("refuser", Refuser.class)
			.withBean("late", Late.class)
			.withBean("restoreOnly", RestoreOnly.class)
			.run((context) -> {
				OperationReport report = coordinator(context).freeze();
				assertThat(report.outcome()).isEqualTo(Outcome.ROLLED_BACK);
				assertThat(report.error()).contains("Participant 'serverless-ready' failed to quiesce")
					.contains("@BeforeCheckpoint method " + Refuser.class.getName() + ".checkpoint() of bean 'refuser'")
					.contains("disk full");
				assertThat(coordinator(context).getState()).isEqualTo(InstanceState.RUNNING);
				// late never quiesced, restoreOnly had nothing taken away: neither is called back.
				assertThat(journal(context)).containsExactly("early.checkpoint", "refuser.checkpoint",
						"early.restore ROLLBACK", "refuser.restore ROLLBACK");
			});
	}

	@Test
	void participantFailingAfterTheHooksRollsBackEveryBeanWithABeforeCheckpointHook() {
		this.contextRunner.withBean("early", Early.class)
			.withBean("late", Late.class)
			.withBean("restoreOnly", RestoreOnly.class)
			.withBean("refusingParticipant", CheckpointParticipant.class,
					() -> new RecordingParticipant("refusing", CheckpointParticipant.USER_ORDER + 1)
						.failingToQuiesce("not now"))
			.run((context) -> {
				OperationReport report = coordinator(context).freeze();
				assertThat(report.outcome()).isEqualTo(Outcome.ROLLED_BACK);
				assertThat(report.error()).contains("'refusing'");
				assertThat(journal(context)).containsExactly("early.checkpoint", "late.checkpoint",
						"early.restore ROLLBACK", "late.restore ROLLBACK");
			});
	}

	@Test
	void failingAfterRestoreDoesNotKeepTheOthersFromRunning() {
		this.contextRunner.withBean("breaker", Breaker.class).withBean("early", Early.class).run((context) -> {
			coordinator(context).freeze();
			OperationReport thaw = coordinator(context).thaw(Map.of());
			assertThat(thaw.outcome()).isEqualTo(Outcome.FAILED);
			assertThat(thaw.error()).contains("Participant 'serverless-ready' failed to resume")
				.contains("@AfterRestore method " + Breaker.class.getName() + ".reconnect() of bean 'breaker'")
				.contains("cannot reconnect");
			assertThat(coordinator(context).getState()).isEqualTo(InstanceState.RUNNING);
			assertThat(journal(context)).containsExactly("early.checkpoint", "breaker.reconnect",
					"early.restore THAW");
		});
	}

	private static CheckpointCoordinator coordinator(AssertableApplicationContext context) {
		return context.getBean(CheckpointCoordinator.class);
	}

	private static List<String> journal(AssertableApplicationContext context) {
		return context.getBean(Journal.class).entries();
	}

	@ServerlessReady
	static class Refuser extends Recording {

		Refuser(Journal journal) {
			super(journal);
		}

		@BeforeCheckpoint(order = 2)
		void checkpoint() {
			this.journal.add("refuser.checkpoint");
			throw new IllegalStateException("disk full");
		}

		@AfterRestore(order = 2)
		void restore(CheckpointContext context) {
			this.journal.add("refuser.restore " + context.resumption());
		}

	}

	@ServerlessReady
	static class Late extends Recording {

		Late(Journal journal) {
			super(journal);
		}

		@BeforeCheckpoint(order = 3)
		void checkpoint() {
			this.journal.add("late.checkpoint");
		}

		@AfterRestore(order = 3)
		void restore(CheckpointContext context) {
			this.journal.add("late.restore " + context.resumption());
		}

	}

	@ServerlessReady
	static class RestoreOnly extends Recording {

		RestoreOnly(Journal journal) {
			super(journal);
		}

		@AfterRestore
		void restore(CheckpointContext context) {
			this.journal.add("restoreOnly.restore " + context.resumption());
		}

	}

	@ServerlessReady
	static class Breaker extends Recording {

		Breaker(Journal journal) {
			super(journal);
		}

		@AfterRestore(order = 0)
		void reconnect() {
			this.journal.add("breaker.reconnect");
			throw new IllegalStateException("cannot reconnect");
		}

	}

}
