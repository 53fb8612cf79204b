package io.cse.metrics;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.cse.CheckpointContext.Operation;
import io.cse.CheckpointCoordinator;
import io.cse.InstanceIdentity;
import io.cse.SnapshotOutcome;
import io.cse.SnapshotPlan;
import io.micrometer.common.KeyValue;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class OperationObservationsTests {

	private final List<String> stopped = new ArrayList<>();

	private CheckpointCoordinator coordinator;

	@BeforeEach
	void observe() {
		ObservationRegistry registry = ObservationRegistry.create();
		registry.observationConfig().observationHandler(new Recorder());
		this.coordinator = new CheckpointCoordinator(Collections.emptyList(), new InstanceIdentity(Clock.systemUTC()),
				null, Duration.ofSeconds(1), Clock.systemUTC());
		this.coordinator.addListener(new OperationObservations(registry));
	}

	@Test
	void aFreezeAndAThawAreAnObservationEach() {
		this.coordinator.freeze();
		this.coordinator.thaw(Collections.emptyMap());
		assertThat(this.stopped).containsExactly("cse freeze {operation=freeze, outcome=success}",
				"cse thaw {operation=thaw, outcome=success}");
	}

	@Test
	void aDumpThatKeepsRunningHoldsItsThaw() {
		this.coordinator.snapshot(this.coordinator.reserve(Operation.DUMP), new Plan(SnapshotOutcome.CONTINUED));
		assertThat(this.stopped).containsExactly("cse thaw {operation=thaw, outcome=success}",
				"cse dump {operation=dump, outcome=success}");
	}

	@Test
	void aCloneEndsInTheRestoredProcessOnceItsRestoreHas() {
		this.coordinator.snapshot(this.coordinator.reserve(Operation.CLONE), new Plan(SnapshotOutcome.RESTORED));
		assertThat(this.stopped).containsExactly("cse clone-restore {operation=clone-restore, outcome=success}",
				"cse clone {operation=clone, outcome=restored}");
	}

	private final class Recorder implements ObservationHandler<Observation.Context> {

		@Override
		public void onStop(Observation.Context context) {
			Map<String, String> tags = new TreeMap<>();
			for (KeyValue keyValue : context.getLowCardinalityKeyValues()) {
				tags.put(keyValue.getKey(), keyValue.getValue());
			}
			OperationObservationsTests.this.stopped.add(context.getContextualName() + " " + tags);
		}

		@Override
		public boolean supportsContext(Observation.Context context) {
			return true;
		}

	}

	private static final class Plan implements SnapshotPlan {

		private final SnapshotOutcome outcome;

		Plan(SnapshotOutcome outcome) {
			this.outcome = outcome;
		}

		@Override
		public String imageId() {
			return "image";
		}

		@Override
		public List<String> audit() {
			return Collections.emptyList();
		}

		@Override
		public SnapshotOutcome take() {
			return this.outcome;
		}

		@Override
		public void discard() {
		}

	}

}
