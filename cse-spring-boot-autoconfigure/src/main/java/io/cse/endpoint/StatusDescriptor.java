package io.cse.endpoint;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.cse.CheckpointCoordinator;
import io.cse.InstanceIdentity;
import io.cse.ParticipantStatus;
import io.cse.endpoint.CseEndpoint.Action;
import io.cse.snapshot.EngineStatus;
import io.cse.snapshot.SnapshotEngine;
import io.cse.snapshot.SnapshotService;

/**
 * The state of an instance: what {@code GET /actuator/cse} answers.
 *
 * @param state the current state
 * @param instance who the instance is
 * @param engine what the instance can do
 * @param participants what each participant did last, in quiesce order
 * @param lastOperation the last operation's report, or {@code null}
 */
public record StatusDescriptor(String state, IdentityDescriptor instance, EngineDescriptor engine,
		List<ParticipantDescriptor> participants, OperationDescriptor lastOperation) {

	static StatusDescriptor of(CheckpointCoordinator coordinator, SnapshotService snapshots) {
		return new StatusDescriptor(coordinator.getState().name(), IdentityDescriptor.of(coordinator.getIdentity()),
				EngineDescriptor.of(snapshots),
				coordinator.getParticipants().stream().map(ParticipantDescriptor::of).toList(),
				OperationDescriptor.of(coordinator.getLastReport()));
	}

	/**
	 * Who an instance is.
	 *
	 * @param instanceId the instance id
	 * @param generation the generation
	 * @param parentId the instance this one was cloned from, or {@code null}
	 * @param imageId the image this instance was restored from, or {@code null}
	 * @param startedAt when the instance started
	 * @param resumedAt when the instance last resumed, or {@code null}
	 */
	public record IdentityDescriptor(String instanceId, int generation, String parentId, String imageId,
			Instant startedAt, Instant resumedAt) {

		static IdentityDescriptor of(InstanceIdentity identity) {
			return new IdentityDescriptor(identity.getInstanceId(), identity.getGeneration(), identity.getParentId(),
					identity.getImageId(), identity.getStartedAt(), identity.getResumedAt());
		}

	}

	/**
	 * The snapshot engine and what it can do.
	 *
	 * @param name the engine's name
	 * @param version the version of the tool behind it, or {@code null}
	 * @param capabilities each operation, with {@code available} or why it is not
	 */
	public record EngineDescriptor(String name, String version, Map<String, String> capabilities) {

		static EngineDescriptor of(SnapshotService snapshots) {
			Map<String, String> capabilities = new LinkedHashMap<>();
			capabilities.put(Action.FREEZE.value(), "available");
			if (snapshots == null) {
				capabilities.put(Action.DUMP.value(), "unavailable: no snapshot engine");
				capabilities.put(Action.CLONE.value(), "unavailable: no snapshot engine");
				return new EngineDescriptor("none", null, capabilities);
			}
			SnapshotEngine engine = snapshots.getEngine();
			EngineStatus status = engine.getStatus();
			String available = status.available() ? "available" : "unavailable: " + status.reason();
			capabilities.put(Action.DUMP.value(), available);
			capabilities.put(Action.CLONE.value(), (status.available() && !engine.canLeaveRunning())
					? "available (the process stops: this engine cannot leave it running)" : available);
			return new EngineDescriptor(engine.getName(), status.version(), capabilities);
		}

	}

	/**
	 * What a participant did last.
	 *
	 * @param name the participant's name
	 * @param order its place in the quiesce order
	 * @param lastQuiescedAt when it last quiesced, or {@code null}
	 * @param lastQuiesceMs how long its last quiesce took, or {@code null}
	 * @param lastResumedAt when it last resumed, or {@code null}
	 * @param lastResumeMs how long its last resume took, or {@code null}
	 * @param lastError why its last quiesce or resume failed, or {@code null}
	 */
	public record ParticipantDescriptor(String name, int order, Instant lastQuiescedAt, Double lastQuiesceMs,
			Instant lastResumedAt, Double lastResumeMs, String lastError) {

		static ParticipantDescriptor of(ParticipantStatus status) {
			return new ParticipantDescriptor(status.name(), status.order(), status.lastQuiescedAt(),
					Millis.of(status.lastQuiesceDuration()), status.lastResumedAt(),
					Millis.of(status.lastResumeDuration()), status.lastError());
		}

	}

}
