package io.cse.crac;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.cse.CheckpointContext;
import io.cse.CheckpointContext.Operation;
import io.cse.CheckpointContext.Resumption;
import io.cse.CheckpointCoordinator;
import io.cse.CheckpointParticipant;
import io.cse.InstanceIdentity;
import io.cse.InstanceState;
import io.cse.OperationReport;
import io.cse.RecordingParticipant;
import org.crac.Resource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Tests for {@link CracJdkAdapter}, with a stand-in for the JDK's CRaC support: the
 * resource it records is what a CRaC JDK would call around a checkpoint.
 */
class CracJdkAdapterTests {

	private final RecordingParticipant participant = new RecordingParticipant("recording", 100);

	@Test
	void registersNothingOnAPlainJdk() {
		FakeCracRuntime runtime = new FakeCracRuntime(false);
		CracJdkAdapter adapter = new CracJdkAdapter(coordinator(this.participant), null, runtime);
		adapter.register();
		assertThat(runtime.registered).isEmpty();
		assertThat(adapter.isCracJdk()).isFalse();
		assertThat(adapter.isRegistered()).isFalse();
	}

	@Test
	void registersExactlyOneResourceOnACracJdk() {
		FakeCracRuntime runtime = new FakeCracRuntime(true);
		CracJdkAdapter adapter = new CracJdkAdapter(coordinator(this.participant), null, runtime);
		adapter.register();
		assertThat(runtime.registered).containsExactly(adapter.getResource());
		assertThat(adapter.isCracJdk()).isTrue();
		assertThat(adapter.isRegistered()).isTrue();
	}

	@Test
	void checkpointQuiescesTheParticipants() throws Exception {
		CheckpointCoordinator coordinator = coordinator(this.participant);
		Resource resource = registeredResource(coordinator);
		resource.beforeCheckpoint(null);
		assertThat(coordinator.getState()).isEqualTo(InstanceState.FROZEN);
		assertThat(this.participant.calls()).containsExactly("quiesce recording");
		assertThat(this.participant.contexts()).extracting(CheckpointContext::operation)
			.containsExactly(Operation.DUMP);
	}

	@Test
	void restoreResumesTheParticipants() throws Exception {
		CheckpointCoordinator coordinator = coordinator(this.participant);
		Resource resource = registeredResource(coordinator);
		resource.beforeCheckpoint(null);
		resource.afterRestore(null);
		assertThat(coordinator.getState()).isEqualTo(InstanceState.RUNNING);
		assertThat(this.participant.calls()).containsExactly("quiesce recording", "resume recording");
		assertThat(this.participant.contexts()).extracting(CheckpointContext::resumption)
			.containsExactly(null, Resumption.RESTORE);
		assertThat(coordinator.getLastReport().operation()).isEqualTo(OperationReport.Type.RESTORE);
	}

	@Test
	void participantThatRefusesAbortsTheCheckpointAndLeavesTheInstanceRunning() {
		RecordingParticipant refuser = new RecordingParticipant("refuser", 200).failingToQuiesce("busy writing");
		CheckpointCoordinator coordinator = coordinator(this.participant, refuser);
		Resource resource = registeredResource(coordinator);
		assertThatIllegalStateException().isThrownBy(() -> resource.beforeCheckpoint(null))
			.withMessageContaining("'refuser'")
			.withMessageContaining("busy writing");
		assertThat(coordinator.getState()).isEqualTo(InstanceState.RUNNING);
		// Rolled back: both were resumed, the refuser included.
		assertThat(this.participant.calls()).containsExactly("quiesce recording", "resume recording");
		assertThat(refuser.calls()).containsExactly("quiesce refuser", "resume refuser");
		assertThat(this.participant.contexts()).extracting(CheckpointContext::resumption)
			.containsExactly(null, Resumption.ROLLBACK);
	}

	@Test
	void checkpointAfterTheContextClosedLeavesTheParticipantsAlone() throws Exception {
		CheckpointCoordinator coordinator = coordinator(this.participant);
		FakeCracRuntime runtime = new FakeCracRuntime(true);
		CracJdkAdapter adapter = new CracJdkAdapter(coordinator, null, runtime);
		adapter.register();
		adapter.close();
		runtime.registered.get(0).beforeCheckpoint(null);
		assertThat(coordinator.getState()).isEqualTo(InstanceState.RUNNING);
		assertThat(this.participant.calls()).isEmpty();
	}

	@Test
	void defaultRuntimeFindsNoCracSupportOnThisJdk() {
		CracJdkAdapter adapter = new CracJdkAdapter(coordinator(this.participant), null);
		adapter.register();
		assertThat(adapter.isCracJdk()).isFalse();
		assertThat(adapter.isRegistered()).isFalse();
	}

	private Resource registeredResource(CheckpointCoordinator coordinator) {
		FakeCracRuntime runtime = new FakeCracRuntime(true);
		new CracJdkAdapter(coordinator, null, runtime).register();
		assertThat(runtime.registered).hasSize(1);
		return runtime.registered.get(0);
	}

	private static CheckpointCoordinator coordinator(CheckpointParticipant... participants) {
		return new CheckpointCoordinator(List.of(participants), new InstanceIdentity(Clock.systemUTC()), null,
				Duration.ofSeconds(10), Clock.systemUTC());
	}

	/**
	 * Stands for the JDK: says whether it has CRaC support and keeps what is registered.
	 */
	private static final class FakeCracRuntime implements CracJdkAdapter.CracRuntime {

		private final boolean cracJdk;

		private final List<Resource> registered = new ArrayList<>();

		FakeCracRuntime(boolean cracJdk) {
			this.cracJdk = cracJdk;
		}

		@Override
		public boolean isCracJdk() {
			return this.cracJdk;
		}

		@Override
		public void register(Resource resource) {
			this.registered.add(resource);
		}

	}

}
