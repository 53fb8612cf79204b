package io.cse.endpoint;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import io.cse.CheckpointCoordinator;
import io.cse.InstanceIdentity;
import io.cse.ParticipantStatus;
import io.cse.endpoint.CseEndpoint.Action;
import io.cse.snapshot.EngineStatus;
import io.cse.snapshot.SnapshotEngine;
import io.cse.snapshot.SnapshotService;

/**
 * The state of an instance: what {@code GET /actuator/cse} answers.
 */
public final class StatusDescriptor {

	private final String state;

	private final IdentityDescriptor instance;

	private final EngineDescriptor engine;

	private final List<ParticipantDescriptor> participants;

	private final OperationDescriptor lastOperation;

	private final long longestOperationMs;

	private StatusDescriptor(String state, IdentityDescriptor instance, EngineDescriptor engine,
			List<ParticipantDescriptor> participants, OperationDescriptor lastOperation, long longestOperationMs) {
		this.state = state;
		this.instance = instance;
		this.engine = engine;
		this.participants = participants;
		this.lastOperation = lastOperation;
		this.longestOperationMs = longestOperationMs;
	}

	static StatusDescriptor of(CheckpointCoordinator coordinator, SnapshotService snapshots) {
		return new StatusDescriptor(coordinator.getState().name(), IdentityDescriptor.of(coordinator.getIdentity()),
				EngineDescriptor.of(snapshots),
				coordinator.getParticipants().stream().map(ParticipantDescriptor::of).collect(Collectors.toList()),
				OperationDescriptor.of(coordinator.getLastReport()), coordinator.getLongestOperation().toMillis());
	}

	/**
	 * Return the current state.
	 * @return the state's name
	 */
	public String getState() {
		return this.state;
	}

	/**
	 * Return who the instance is.
	 * @return the instance's identity
	 */
	public IdentityDescriptor getInstance() {
		return this.instance;
	}

	/**
	 * Return what the instance can do.
	 * @return the snapshot engine
	 */
	public EngineDescriptor getEngine() {
		return this.engine;
	}

	/**
	 * Return what each participant did last.
	 * @return the participants, in quiesce order
	 */
	public List<ParticipantDescriptor> getParticipants() {
		return this.participants;
	}

	/**
	 * Return the longest a freeze or thaw can take before it fails (every participant at
	 * its timeout, quiescing and rolling back): how long a caller must be ready to wait for
	 * the answer. The node agent waits that long, and a minute at least.
	 * @return the time in milliseconds
	 */
	public long getLongestOperationMs() {
		return this.longestOperationMs;
	}

	/**
	 * Return the last operation's report.
	 * @return the report, or {@code null} before the first operation
	 */
	public OperationDescriptor getLastOperation() {
		return this.lastOperation;
	}

	/**
	 * Who an instance is.
	 */
	public static final class IdentityDescriptor {

		private final String instanceId;

		private final int generation;

		private final String parentId;

		private final String imageId;

		private final Instant startedAt;

		private final Instant resumedAt;

		private IdentityDescriptor(InstanceIdentity identity) {
			this.instanceId = identity.getInstanceId();
			this.generation = identity.getGeneration();
			this.parentId = identity.getParentId();
			this.imageId = identity.getImageId();
			this.startedAt = identity.getStartedAt();
			this.resumedAt = identity.getResumedAt();
		}

		static IdentityDescriptor of(InstanceIdentity identity) {
			return new IdentityDescriptor(identity);
		}

		/**
		 * Return the instance id.
		 * @return the id
		 */
		public String getInstanceId() {
			return this.instanceId;
		}

		/**
		 * Return the generation.
		 * @return the generation
		 */
		public int getGeneration() {
			return this.generation;
		}

		/**
		 * Return the instance this one was cloned from.
		 * @return its id, or {@code null}
		 */
		public String getParentId() {
			return this.parentId;
		}

		/**
		 * Return the image this instance was restored from.
		 * @return its id, or {@code null}
		 */
		public String getImageId() {
			return this.imageId;
		}

		/**
		 * Return when the instance started.
		 * @return the time it started
		 */
		public Instant getStartedAt() {
			return this.startedAt;
		}

		/**
		 * Return when the instance last resumed.
		 * @return the time, or {@code null}
		 */
		public Instant getResumedAt() {
			return this.resumedAt;
		}

	}

	/**
	 * The snapshot engine and what it can do.
	 */
	public static final class EngineDescriptor {

		private final String name;

		private final String version;

		private final Map<String, String> capabilities;

		private EngineDescriptor(String name, String version, Map<String, String> capabilities) {
			this.name = name;
			this.version = version;
			this.capabilities = Collections.unmodifiableMap(capabilities);
		}

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

		/**
		 * Return the engine's name.
		 * @return the name
		 */
		public String getName() {
			return this.name;
		}

		/**
		 * Return the version of the tool behind the engine.
		 * @return the version, or {@code null}
		 */
		public String getVersion() {
			return this.version;
		}

		/**
		 * Return what the engine can do.
		 * @return each operation, with {@code available} or why it is not
		 */
		public Map<String, String> getCapabilities() {
			return this.capabilities;
		}

	}

	/**
	 * What a participant did last.
	 */
	public static final class ParticipantDescriptor {

		private final String name;

		private final int order;

		private final Instant lastQuiescedAt;

		private final Double lastQuiesceMs;

		private final Instant lastResumedAt;

		private final Double lastResumeMs;

		private final String lastError;

		private ParticipantDescriptor(ParticipantStatus status) {
			this.name = status.name();
			this.order = status.order();
			this.lastQuiescedAt = status.lastQuiescedAt();
			this.lastQuiesceMs = Millis.of(status.lastQuiesceDuration());
			this.lastResumedAt = status.lastResumedAt();
			this.lastResumeMs = Millis.of(status.lastResumeDuration());
			this.lastError = status.lastError();
		}

		static ParticipantDescriptor of(ParticipantStatus status) {
			return new ParticipantDescriptor(status);
		}

		/**
		 * Return the participant's name.
		 * @return the name
		 */
		public String getName() {
			return this.name;
		}

		/**
		 * Return its place in the quiesce order.
		 * @return the order
		 */
		public int getOrder() {
			return this.order;
		}

		/**
		 * Return when it last quiesced.
		 * @return the time, or {@code null}
		 */
		public Instant getLastQuiescedAt() {
			return this.lastQuiescedAt;
		}

		/**
		 * Return how long its last quiesce took.
		 * @return milliseconds, or {@code null}
		 */
		public Double getLastQuiesceMs() {
			return this.lastQuiesceMs;
		}

		/**
		 * Return when it last resumed.
		 * @return the time, or {@code null}
		 */
		public Instant getLastResumedAt() {
			return this.lastResumedAt;
		}

		/**
		 * Return how long its last resume took.
		 * @return milliseconds, or {@code null}
		 */
		public Double getLastResumeMs() {
			return this.lastResumeMs;
		}

		/**
		 * Return why its last quiesce or resume failed.
		 * @return the error, or {@code null}
		 */
		public String getLastError() {
			return this.lastError;
		}

	}

}
