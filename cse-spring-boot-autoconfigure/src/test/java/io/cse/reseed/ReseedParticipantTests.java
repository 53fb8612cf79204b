package io.cse.reseed;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.cse.CheckpointContext;
import io.cse.RecordingParticipant;
import io.cse.CheckpointContext.Operation;
import io.cse.CheckpointContext.Resumption;
import io.cse.CheckpointCoordinator;
import io.cse.CheckpointParticipant;
import io.cse.InstanceIdentity;
import io.cse.OperationReport;
import io.cse.OperationReport.Outcome;
import io.cse.ScriptedSnapshotPlan;
import io.cse.entropy.Reseeder;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class ReseedParticipantTests {

	private final List<String> calls = new ArrayList<>();

	private final InstanceIdentity identity = new InstanceIdentity(Clock.systemUTC());

	@Test
	void everyRestoreReseedsAndAThawOrARollbackDoesNot() throws Exception {
		ReseedParticipant participant = new ReseedParticipant(List.of(new Recording("a"), new Recording("b")));
		for (Resumption resumption : Resumption.values()) {
			participant.resume(new CheckpointContext(Operation.CLONE, resumption, this.identity));
		}
		assertThat(this.calls).containsExactly("reseed a", "reseed b", "reseed a", "reseed b");
	}

	@Test
	void snapshotsPrepareAndFreezesDoNot() {
		ReseedParticipant participant = new ReseedParticipant(List.of(new Recording("a")));
		participant.quiesce(new CheckpointContext(Operation.FREEZE, null, this.identity));
		participant.quiesce(new CheckpointContext(Operation.DUMP, null, this.identity));
		participant.quiesce(new CheckpointContext(Operation.CLONE, null, this.identity));
		assertThat(this.calls).containsExactly("prepare a", "prepare a");
	}

	@Test
	void aFailingReseederDoesNotKeepTheOthersFromRunningAndIsNamed() {
		Recording failing = new Recording("broken") {

			@Override
			public int reseed() {
				throw new IllegalStateException("no entropy today");
			}

		};
		ReseedParticipant participant = new ReseedParticipant(List.of(failing, new Recording("b")));
		assertThatIllegalStateException()
			.isThrownBy(() -> participant.resume(new CheckpointContext(Operation.CLONE, Resumption.CLONE, this.identity)))
			.withMessageContaining("broken: no entropy today");
		assertThat(this.calls).containsExactly("reseed b");
	}

	@Test
	void aCloneRestoreReseedsAfterTheNewIdentityAndBeforeTrafficAndTheOtherParticipantsResume() {
		List<CheckpointParticipant> participants = List.of(
				new RecordingParticipant("traffic", CheckpointParticipant.TRAFFIC_ORDER, this.calls),
				new RecordingParticipant("user", CheckpointParticipant.USER_ORDER, this.calls),
				new ReseedParticipant(List.of(new Recording("generators"))));
		CheckpointCoordinator coordinator = new CheckpointCoordinator(participants, this.identity, null,
				Duration.ofSeconds(5), Clock.systemUTC());
		String templateId = this.identity.getInstanceId();
		OperationReport report = coordinator.snapshot(coordinator.reserve(Operation.CLONE),
				ScriptedSnapshotPlan.restored("template").asCloneOf(this.identity));
		assertThat(report.outcome()).isEqualTo(Outcome.SUCCESS);
		assertThat(this.identity.getParentId()).isEqualTo(templateId);
		assertThat(this.calls).containsExactly("quiesce traffic", "quiesce user", "prepare generators",
				"reseed generators", "resume user", "resume traffic");
	}

	private class Recording implements Reseeder {

		private final String name;

		Recording(String name) {
			this.name = name;
		}

		@Override
		public String getName() {
			return this.name;
		}

		@Override
		public void prepare() {
			ReseedParticipantTests.this.calls.add("prepare " + this.name);
		}

		@Override
		public int reseed() {
			ReseedParticipantTests.this.calls.add("reseed " + this.name);
			return 1;
		}

	}
}
