package io.cse;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.cse.CheckpointContext.Operation;
import io.cse.CheckpointContext.Resumption;
import io.cse.OperationReport.Outcome;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link CheckpointCoordinator}.
 */
class CheckpointCoordinatorTests {

	private final List<String> calls = Collections.synchronizedList(new ArrayList<>());

	private final RecordingListener listener = new RecordingListener();

	private final CountDownLatch release = new CountDownLatch(1);

	@AfterEach
	void releaseBlockedParticipants() {
		this.release.countDown();
	}

	@Test
	void freezeQuiescesInOrderAndThawResumesInReverseOrder() {
		CheckpointCoordinator coordinator = coordinator(new RecordingParticipant("pools", 500, this.calls), new RecordingParticipant("traffic", 100, this.calls),
				new RecordingParticipant("user", 600, this.calls));
		OperationReport freeze = coordinator.freeze();
		assertThat(freeze.outcome()).isEqualTo(Outcome.SUCCESS);
		assertThat(coordinator.getState()).isEqualTo(InstanceState.FROZEN);
		OperationReport thaw = coordinator.thaw(Map.of());
		assertThat(thaw.outcome()).isEqualTo(Outcome.SUCCESS);
		assertThat(coordinator.getState()).isEqualTo(InstanceState.RUNNING);
		assertThat(this.calls).containsExactly("quiesce traffic", "quiesce pools", "quiesce user", "resume user",
				"resume pools", "resume traffic");
		assertThat(thaw.steps()).extracting(OperationReport.Step::participant)
			.containsExactly("user", "pools", "traffic");
	}

	@Test
	void aThawAfterTheApplicationClosedTheCoordinatorReportsItInsteadOfThrowing() {
		CheckpointCoordinator coordinator = coordinator(new RecordingParticipant("pools", 500, this.calls));
		coordinator.freeze();
		// a stop that comes while an operation still resumes: the context closes the coordinator
		coordinator.close();
		OperationReport thaw = coordinator.thaw(Map.of());
		assertThat(thaw.outcome()).isEqualTo(Outcome.FAILED);
		assertThat(thaw.error()).contains("'pools'").contains("not called: the application is shutting down");
		assertThat(this.calls).containsExactly("quiesce pools");
	}

	@Test
	void freezePublishesEveryStateChange() {
		CheckpointCoordinator coordinator = coordinator(new RecordingParticipant("a", 1, this.calls));
		coordinator.freeze();
		coordinator.thaw(Map.of());
		assertThat(this.listener.states()).containsExactly(InstanceState.QUIESCING, InstanceState.FROZEN,
				InstanceState.RESUMING, InstanceState.RUNNING);
		assertThat(this.listener.reports()).extracting(OperationReport::operation)
			.containsExactly(OperationReport.Type.FREEZE, OperationReport.Type.THAW);
	}

	@Test
	void participantThatFailsToQuiesceRollsBackEveryQuiescedParticipant() {
		CheckpointCoordinator coordinator = coordinator(new RecordingParticipant("traffic", 100, this.calls), new RecordingParticipant("pools", 500, this.calls),
				new RecordingParticipant("refuser", 300, this.calls).failingToQuiesce("cannot let go"));
		OperationReport report = coordinator.freeze();
		assertThat(report.outcome()).isEqualTo(Outcome.ROLLED_BACK);
		assertThat(report.error()).contains("'refuser'").contains("cannot let go");
		assertThat(coordinator.getState()).isEqualTo(InstanceState.RUNNING);
		// pools (500) was never quiesced; the failing participant is resumed too.
		assertThat(this.calls).containsExactly("quiesce traffic", "quiesce refuser", "resume refuser",
				"resume traffic");
		assertThat(report.state()).isEqualTo(InstanceState.RUNNING);
		assertThat(coordinator.getLastReport()).isSameAs(report);
	}

	@Test
	void participantThatTimesOutIsInterruptedAndRolledBack() {
		CheckpointCoordinator coordinator = new CheckpointCoordinator(
				List.of(new RecordingParticipant("traffic", 100, this.calls), new RecordingParticipant("stuck", 200, this.calls).blockingUntil(this.release)),
				new InstanceIdentity(Clock.systemUTC()), null, Duration.ofMillis(200), Clock.systemUTC());
		OperationReport report = coordinator.freeze();
		assertThat(report.outcome()).isEqualTo(Outcome.ROLLED_BACK);
		assertThat(report.error()).contains("'stuck'").contains("timed out").contains("raise participantTimeout");
		assertThat(coordinator.getState()).isEqualTo(InstanceState.RUNNING);
		assertThat(this.calls).contains("resume traffic");
	}

	@Test
	void participantThatIgnoresItsInterruptionIsNamedAndNothingQuiescesAgainUntilItEnds() {
		CheckpointParticipant stubborn = new CheckpointParticipant() {

			@Override
			public String getName() {
				return "stubborn";
			}

			@Override
			public int getOrder() {
				return 200;
			}

			@Override
			public void quiesce(CheckpointContext context) {
				CheckpointCoordinatorTests.this.calls.add("quiesce stubborn");
				ignoringInterruptionUntil(CheckpointCoordinatorTests.this.release);
			}

			@Override
			public void resume(CheckpointContext context) {
				CheckpointCoordinatorTests.this.calls.add("resume stubborn");
			}

		};
		CheckpointCoordinator coordinator = new CheckpointCoordinator(
				List.of(new RecordingParticipant("traffic", 100, this.calls), stubborn),
				new InstanceIdentity(Clock.systemUTC()), null, Duration.ofMillis(200), Clock.systemUTC());
		OperationReport report = coordinator.freeze();
		assertThat(report.outcome()).isEqualTo(Outcome.ROLLED_BACK);
		assertThat(report.error()).contains("'stubborn'", "timed out after 200 ms",
				"did not stop when interrupted: its quiesce still runs on thread 'cse-quiesce-stubborn' at "
						+ CheckpointCoordinatorTests.class.getName());
		assertThat(coordinator.getState()).isEqualTo(InstanceState.RUNNING);
		// Not resumed under the feet of its own quiesce; the others are
		assertThat(this.calls).containsExactly("quiesce traffic", "quiesce stubborn", "resume traffic");
		assertThat(report.steps()).filteredOn((step) -> step.phase().equals("resume"))
			.extracting(OperationReport.Step::error)
			.anyMatch((error) -> error != null && error.startsWith("not called: its quiesce still runs"));

		assertThatExceptionOfType(OperationRejectedException.class).isThrownBy(coordinator::freeze)
			.withMessageContaining("participant 'stubborn' its quiesce still runs on thread 'cse-quiesce-stubborn'")
			.withMessageContaining("make the participant end on interruption, or restart the service");
		assertThat(coordinator.getState()).isEqualTo(InstanceState.RUNNING);

		this.release.countDown();
		await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(coordinator.freeze().outcome())
			.isEqualTo(Outcome.SUCCESS));
		assertThat(coordinator.thaw(Map.of()).outcome()).isEqualTo(Outcome.SUCCESS);
	}

	private static void ignoringInterruptionUntil(CountDownLatch latch) {
		while (latch.getCount() > 0) {
			try {
				latch.await();
			}
			catch (InterruptedException ex) {
				// what a participant must not do: swallow the interruption and go on waiting
			}
		}
	}

	@Test
	void longestOperationIsEveryParticipantAtItsTimeoutQuiescingAndRollingBack() {
		CheckpointCoordinator coordinator = new CheckpointCoordinator(
				List.of(new RecordingParticipant("a", 1, this.calls), new RecordingParticipant("b", 2, this.calls),
						new RecordingParticipant("c", 3, this.calls)),
				new InstanceIdentity(Clock.systemUTC()), null, Duration.ofSeconds(30), Clock.systemUTC());
		// 3 participants, twice each (quiesce, then resume), 30 s and a 1 s grace each
		assertThat(coordinator.getLongestOperation()).isEqualTo(Duration.ofSeconds(186));
	}

	@Test
	void aFreezeWithoutThawOnRequestIsEndedOnlyByAnExplicitThaw() throws InterruptedException {
		CheckpointCoordinator coordinator = coordinator(new RecordingParticipant("a", 1, this.calls));
		assertThat(coordinator.freeze(false).outcome()).isEqualTo(Outcome.SUCCESS);
		assertThat(coordinator.thawIfFrozen(Duration.ofMillis(100))).isFalse();
		assertThat(coordinator.getState()).isEqualTo(InstanceState.FROZEN);
		assertThat(coordinator.thaw(Map.of()).outcome()).isEqualTo(Outcome.SUCCESS);
		// The next freeze is an ordinary one again
		assertThat(coordinator.freeze().outcome()).isEqualTo(Outcome.SUCCESS);
		assertThat(coordinator.thawIfFrozen(Duration.ofMillis(100))).isTrue();
		assertThat(coordinator.getState()).isEqualTo(InstanceState.RUNNING);
	}

	@Test
	void thawWhileRunningIsRejectedAndChangesNothing() {
		CheckpointCoordinator coordinator = coordinator(new RecordingParticipant("a", 1, this.calls));
		assertThatExceptionOfType(OperationRejectedException.class).isThrownBy(() -> coordinator.thaw(Map.of()))
			.withMessageContaining("RUNNING")
			.satisfies((ex) -> assertThat(ex.getState()).isEqualTo(InstanceState.RUNNING));
		assertThat(this.calls).isEmpty();
		assertThat(coordinator.getLastReport()).isNull();
	}

	@Test
	void freezeWhileFrozenIsRejected() {
		CheckpointCoordinator coordinator = coordinator(new RecordingParticipant("a", 1, this.calls));
		coordinator.freeze();
		assertThatExceptionOfType(OperationRejectedException.class).isThrownBy(coordinator::freeze)
			.satisfies((ex) -> assertThat(ex.getState()).isEqualTo(InstanceState.FROZEN));
		assertThat(this.calls).containsExactly("quiesce a");
	}

	@Test
	void secondOperationWhileOneRunsIsRejected() throws InterruptedException {
		RecordingParticipant blocking = new RecordingParticipant("slow", 1, this.calls).blockingUntil(this.release);
		CheckpointCoordinator coordinator = coordinator(blocking);
		CompletableFuture<OperationReport> freeze = CompletableFuture.supplyAsync(coordinator::freeze);
		await().atMost(Duration.ofSeconds(5)).until(() -> coordinator.getState() == InstanceState.QUIESCING);
		assertThatExceptionOfType(OperationRejectedException.class).isThrownBy(coordinator::freeze)
			.withMessageContaining("another operation is under way");
		assertThatExceptionOfType(OperationRejectedException.class).isThrownBy(() -> coordinator.thaw(Map.of()));
		assertThat(coordinator.thawIfFrozen(Duration.ZERO)).isFalse();
		this.release.countDown();
		assertThat(freeze.join().outcome()).isEqualTo(Outcome.SUCCESS);
	}

	@Test
	void thawIfFrozenThawsOnlyAFrozenInstance() throws InterruptedException {
		CheckpointCoordinator coordinator = coordinator(new RecordingParticipant("a", 1, this.calls));
		assertThat(coordinator.thawIfFrozen(Duration.ZERO)).isFalse();
		coordinator.freeze();
		assertThat(coordinator.thawIfFrozen(Duration.ZERO)).isTrue();
		assertThat(coordinator.getState()).isEqualTo(InstanceState.RUNNING);
		assertThat(coordinator.getLastReport().operation()).isEqualTo(OperationReport.Type.THAW);
	}

	@Test
	void thawIfFrozenWaitsForTheFreezeThatIsStillEnding() {
		CountDownLatch frozen = new CountDownLatch(1);
		CountDownLatch finish = new CountDownLatch(1);
		CheckpointCoordinator coordinator = new CheckpointCoordinator(List.of(new RecordingParticipant("a", 1, this.calls)),
				new InstanceIdentity(Clock.systemUTC()), null, Duration.ofSeconds(5), Clock.systemUTC());
		coordinator.addListener(new CheckpointListener() {

			@Override
			public void stateChanged(InstanceState previous, InstanceState next) {
				// The freeze is FROZEN but has not returned yet: it still holds the instance.
				if (next == InstanceState.FROZEN) {
					frozen.countDown();
					awaitLatch(finish);
				}
			}

		});
		CompletableFuture<OperationReport> freeze = CompletableFuture.supplyAsync(coordinator::freeze);
		awaitLatch(frozen);
		CompletableFuture<Boolean> thawed = CompletableFuture.supplyAsync(() -> {
			try {
				return coordinator.thawIfFrozen(Duration.ofSeconds(30));
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return false;
			}
		});
		await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> !thawed.isDone());
		finish.countDown();
		assertThat(freeze.join().outcome()).isEqualTo(Outcome.SUCCESS);
		assertThat(thawed.join()).isTrue();
		assertThat(coordinator.getState()).isEqualTo(InstanceState.RUNNING);
		assertThat(this.calls).containsExactly("quiesce a", "resume a");
	}

	@Test
	void participantThatFailsToResumeIsReportedAndTheOthersStillResume() {
		CheckpointCoordinator coordinator = coordinator(new RecordingParticipant("a", 1, this.calls), new RecordingParticipant("b", 2, this.calls).failingToResume("cannot come back"),
				new RecordingParticipant("c", 3, this.calls));
		coordinator.freeze();
		OperationReport report = coordinator.thaw(Map.of());
		assertThat(report.outcome()).isEqualTo(Outcome.FAILED);
		assertThat(report.error()).contains("'b' failed to resume");
		assertThat(this.calls).endsWith("resume c", "resume b", "resume a");
		assertThat(coordinator.getState()).isEqualTo(InstanceState.RUNNING);
		assertThat(coordinator.getParticipants()).extracting(ParticipantStatus::lastError)
			.containsExactly(null, "cannot come back", null);
		// The next operation that succeeds clears it.
		coordinator.freeze();
		assertThat(coordinator.getParticipants().get(1).lastError()).isNull();
	}

	@Test
	void thawAppliesPropertyOverridesBeforeAnyParticipantResumes() {
		CheckpointCoordinator coordinator = coordinator(new RecordingParticipant("a", 1, this.calls));
		coordinator.setPropertyOverrides((properties) -> this.calls.add("overrides " + properties));
		coordinator.freeze();
		coordinator.thaw(Map.of("greeting", "hi"));
		assertThat(this.calls).containsExactly("quiesce a", "overrides {greeting=hi}", "resume a");
	}

	@Test
	void rejectedOverridesLeaveTheInstanceFrozen() {
		CheckpointCoordinator coordinator = coordinator(new RecordingParticipant("a", 1, this.calls));
		coordinator.freeze();
		assertThatExceptionOfType(IllegalArgumentException.class)
			.isThrownBy(() -> coordinator.thaw(Map.of("greeting", "hi")));
		assertThat(coordinator.getState()).isEqualTo(InstanceState.FROZEN);
	}

	@Test
	void participantsAreToldTheOperationAndHowTheInstanceComesBack() {
		List<CheckpointContext> contexts = new ArrayList<>();
		CheckpointParticipant participant = new CheckpointParticipant() {

			@Override
			public String getName() {
				return "context";
			}

			@Override
			public void quiesce(CheckpointContext context) {
				contexts.add(context);
			}

			@Override
			public void resume(CheckpointContext context) {
				contexts.add(context);
			}

		};
		CheckpointCoordinator coordinator = coordinator(participant);
		coordinator.quiesce(Operation.DUMP);
		coordinator.resume(Resumption.RESTORE, Map.of());
		assertThat(contexts).extracting(CheckpointContext::operation).containsExactly(Operation.DUMP, Operation.DUMP);
		assertThat(contexts).extracting(CheckpointContext::resumption).containsExactly(null, Resumption.RESTORE);
		assertThat(contexts.get(1).identity().getResumedAt()).isNotNull();
	}

	@Test
	void statusRecordsLastQuiesceAndResumeOfEachParticipant() {
		CheckpointCoordinator coordinator = coordinator(new RecordingParticipant("b", 2, this.calls), new RecordingParticipant("a", 1, this.calls));
		assertThat(coordinator.getParticipants()).extracting(ParticipantStatus::name)
			.containsExactly("a", "b");
		assertThat(coordinator.getParticipants()).allSatisfy((status) -> assertThat(status.lastQuiescedAt()).isNull());
		coordinator.freeze();
		coordinator.thaw(Map.of());
		assertThat(coordinator.getParticipants()).allSatisfy((status) -> {
			assertThat(status.lastQuiescedAt()).isNotNull();
			assertThat(status.lastResumeDuration()).isNotNull();
		});
	}

	private static void awaitLatch(CountDownLatch latch) {
		try {
			assertThat(latch.await(30, TimeUnit.SECONDS)).as("latch released in time").isTrue();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private CheckpointCoordinator coordinator(CheckpointParticipant... participants) {
		CheckpointCoordinator coordinator = new CheckpointCoordinator(List.of(participants),
				new InstanceIdentity(Clock.systemUTC()), null, Duration.ofSeconds(10), Clock.systemUTC());
		coordinator.addListener(this.listener);
		return coordinator;
	}

}
