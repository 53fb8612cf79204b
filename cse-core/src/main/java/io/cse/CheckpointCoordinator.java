package io.cse;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.logging.Logger;

import io.cse.CheckpointContext.Operation;
import io.cse.CheckpointContext.Resumption;
import io.cse.OperationReport.Outcome;
import io.cse.OperationReport.Step;
import io.cse.memory.HeapTrimmer;

/**
 * Moves an instance through freeze and thaw: quiesces an ordered list of
 * {@link CheckpointParticipant participants}, and resumes them in reverse order.
 * <pre>
 * RUNNING --freeze--&gt; QUIESCING --&gt; FROZEN --thaw--&gt; RESUMING --&gt; RUNNING
 * </pre>
 * If a participant fails or times out while quiescing, every participant quiesced so far
 * (the failing one included) is resumed and the instance is back to {@code RUNNING}; the
 * report names the participant. Only one operation runs at a time: a second one is
 * rejected rather than queued, so a platform always learns at once what happened.
 * <p>
 * The coordinator keeps the state and the operation permit; a {@link ParticipantInvoker}
 * calls the participants (on threads that {@link #close()} stops), and a
 * {@link SnapshotPlan} does what is about an image. It drives its own strong list of
 * participants: a CRaC JDK's registrations are silently discarded by a plain JDK.
 */
public class CheckpointCoordinator implements AutoCloseable {

	private static final Logger logger = Logger.getLogger(CheckpointCoordinator.class.getName());

	private final List<CheckpointParticipant> participants;

	private final InstanceIdentity identity;

	private final HeapTrimmer heapTrimmer;

	private final ParticipantInvoker invoker;

	// Set by a freeze that only an explicit thaw may end, cleared by every resume
	private volatile boolean thawOnRequestSuspended;

	private final Clock clock;

	private final CompositeCheckpointListener listeners = new CompositeCheckpointListener();

	// A semaphore rather than a lock: a snapshot is reserved on the request thread and runs
	// on a thread of its own, and a restored process releases what the snapshotted one took.
	private final Semaphore operationPermit = new Semaphore(1);

	private final AtomicReference<InstanceState> state = new AtomicReference<>(InstanceState.RUNNING);

	private volatile Consumer<Map<String, String>> propertyOverrides = (properties) -> {
		if (!properties.isEmpty()) {
			throw new IllegalArgumentException("No property overrides can be applied to this application");
		}
	};

	private volatile Operation quiescedFor;

	private volatile OperationReport lastReport;

	/**
	 * Create a coordinator.
	 * @param participants the participants, in any order: they are sorted by their order
	 * @param identity the identity of this instance
	 * @param heapTrimmer trims the heap once every participant is quiesced for a freeze, or
	 * {@code null} to skip the trim
	 * @param participantTimeout how long one participant may take to quiesce or resume
	 * @param clock the clock that stamps reports
	 */
	public CheckpointCoordinator(List<? extends CheckpointParticipant> participants, InstanceIdentity identity,
			HeapTrimmer heapTrimmer, Duration participantTimeout, Clock clock) {
		List<CheckpointParticipant> sorted = new ArrayList<>(participants);
		sorted.sort(Comparator.comparingInt(CheckpointParticipant::getOrder));
		this.participants = Collections.unmodifiableList(sorted);
		this.identity = identity;
		this.heapTrimmer = heapTrimmer;
		this.invoker = new ParticipantInvoker(this.participants, participantTimeout, clock);
		this.clock = clock;
	}

	/**
	 * Add a listener told about state changes, completed operations and restores.
	 * @param listener the listener
	 */
	public void addListener(CheckpointListener listener) {
		this.listeners.add(listener);
	}

	/**
	 * Set what applies the per-instance property overrides that a thaw may carry.
	 * @param propertyOverrides applies the overrides before any participant resumes
	 */
	public void setPropertyOverrides(Consumer<Map<String, String>> propertyOverrides) {
		this.propertyOverrides = propertyOverrides;
	}

	/**
	 * Set what the users of the application call the settings that messages advise
	 * changing.
	 * @param settingNames the names; {@link SettingNames#JAVA} unless set
	 */
	public void setSettingNames(SettingNames settingNames) {
		this.invoker.setSettingNames(settingNames);
	}

	/**
	 * Return the current state of the instance.
	 * @return the state
	 */
	public InstanceState getState() {
		return this.state.get();
	}

	/**
	 * Return the identity of this instance.
	 * @return the identity
	 */
	public InstanceIdentity getIdentity() {
		return this.identity;
	}

	/**
	 * Return what each participant did last, in quiesce order.
	 * @return one status per participant
	 */
	public List<ParticipantStatus> getParticipants() {
		return this.invoker.statuses(this.participants);
	}

	/**
	 * Return the longest a freeze, quiesce or thaw can take before it fails: every
	 * participant at its timeout, quiescing and then rolling back. A caller that waits for
	 * the answer (the node agent) must wait at least this long, or it gives up on an
	 * operation that still ends well.
	 * @return the time
	 */
	public Duration getLongestOperation() {
		return this.invoker.longestCall().multipliedBy(2L * this.participants.size());
	}

	/**
	 * Return the report of the last operation.
	 * @return the last report, or {@code null} if no operation ran yet
	 */
	public OperationReport getLastReport() {
		return this.lastReport;
	}

	/**
	 * Quiesce every participant, then trim the heap. On success the instance is
	 * {@link InstanceState#FROZEN}; on failure it is back to {@link InstanceState#RUNNING}
	 * and the report says why.
	 * @return what the freeze did
	 * @throws OperationRejectedException if the instance is not running or another
	 * operation is under way
	 */
	public OperationReport freeze() {
		return freeze(true);
	}

	/**
	 * Quiesce every participant and leave the instance {@link InstanceState#FROZEN}, as
	 * {@link #freeze()} does, saying whether a request that reaches the frozen instance
	 * may thaw it.
	 * @param thawOnRequest {@code false} to hold such requests until an explicit
	 * {@link #thaw}: what a caller that freezes the process itself next needs (the node
	 * agent freezes its cgroup), or a request could thaw the instance in between and leave
	 * it running inside a frozen process
	 * @return what the freeze did
	 * @throws OperationRejectedException if the instance is not running or another
	 * operation is under way
	 */
	public OperationReport freeze(boolean thawOnRequest) {
		return quiesce(Operation.FREEZE, thawOnRequest);
	}

	/**
	 * Quiesce every participant for the given operation: what a snapshot that the JDK
	 * takes by itself (CRaC) needs first. Only a freeze trims the heap.
	 * @param operation the operation that needs the instance quiesced
	 * @return what the quiesce did
	 * @throws OperationRejectedException if the instance is not running or another
	 * operation is under way
	 */
	public OperationReport quiesce(Operation operation) {
		return quiesce(operation, true);
	}

	private OperationReport quiesce(Operation operation, boolean thawOnRequest) {
		acquireOrReject(operation.name(), InstanceState.RUNNING);
		try {
			OperationReportBuilder report = begin(OperationReport.Type.of(operation));
			if (!quiesceAll(operation, report)) {
				return complete(report, Outcome.ROLLED_BACK, report.quiesceError());
			}
			if (this.heapTrimmer != null && operation == Operation.FREEZE) {
				report.memory(this.heapTrimmer.trim());
			}
			this.quiescedFor = operation;
			this.thawOnRequestSuspended = !thawOnRequest;
			changeState(InstanceState.FROZEN);
			return complete(report, Outcome.SUCCESS, null);
		}
		finally {
			this.operationPermit.release();
		}
	}

	/**
	 * Resume every participant in reverse order after a freeze: {@link #resume} a thaw.
	 * @param propertyOverrides properties for this instance; may be empty
	 * @return what the thaw did
	 */
	public OperationReport thaw(Map<String, String> propertyOverrides) {
		return resume(Resumption.THAW, propertyOverrides);
	}

	/**
	 * Resume every participant in reverse order.
	 * @param resumption how the instance comes back
	 * @param propertyOverrides properties for this instance, applied before any participant
	 * resumes; may be empty
	 * @return what the resume did
	 * @throws OperationRejectedException if the instance is not quiesced or another
	 * operation is under way
	 */
	public OperationReport resume(Resumption resumption, Map<String, String> propertyOverrides) {
		if (resumption == Resumption.ROLLBACK) {
			throw new IllegalArgumentException("A rollback is not requested from outside");
		}
		acquireOrReject("thaw", InstanceState.FROZEN);
		try {
			this.propertyOverrides.accept(propertyOverrides);
			return resumeAll(resumption);
		}
		finally {
			this.operationPermit.release();
		}
	}

	/**
	 * Reserve the instance for a snapshot: checks that it runs and that no other operation
	 * is under way, and keeps every other operation out until the snapshot has run.
	 * @param operation {@link Operation#DUMP} or {@link Operation#CLONE}
	 * @return the reservation, to pass to {@link #snapshot} or to {@link SnapshotReservation#cancel()}
	 * @throws OperationRejectedException if the instance is not running or busy
	 */
	public SnapshotReservation reserve(Operation operation) {
		if (operation == Operation.FREEZE) {
			throw new IllegalArgumentException("A freeze is not a snapshot");
		}
		acquireOrReject(operation.name(), InstanceState.RUNNING);
		return new SnapshotReservation(operation, this.operationPermit);
	}

	/**
	 * Quiesce every participant, take a snapshot, and resume. Runs on the caller's thread
	 * and returns when the process goes on: in the snapshotted process once the image is
	 * complete (if it keeps running) or the snapshot failed, and in a process restored from
	 * the image once it has resumed.
	 * @param reservation what {@link #reserve} returned
	 * @param plan what to check and how to snapshot
	 * @return what the snapshot did, or, in a restored process, what the restore did
	 */
	public OperationReport snapshot(SnapshotReservation reservation, SnapshotPlan plan) {
		reservation.use();
		Operation operation = reservation.getOperation();
		try {
			OperationReportBuilder report = begin(OperationReport.Type.of(operation));
			if (!quiesceAll(operation, report)) {
				plan.discard();
				return complete(report, Outcome.ROLLED_BACK, report.quiesceError());
			}
			SnapshotOutcome outcome;
			try {
				this.quiescedFor = operation;
				changeState(InstanceState.SNAPSHOTTING);
				report.memory(plan.prepare());
				report.notes(plan.audit());
				outcome = plan.take();
			}
			catch (Exception ex) {
				plan.discard();
				rollBack(operation, this.participants.size(), report);
				String error = "The " + operation.name().toLowerCase(Locale.ROOT) + " failed: " + ex.getMessage()
						+ " (rolled back: the instance is RUNNING, no image was kept)";
				logger.warning(error);
				return complete(report, Outcome.ROLLED_BACK, error);
			}
			if (outcome == SnapshotOutcome.RESTORED) {
				Resumption resumption = (operation == Operation.CLONE) ? Resumption.CLONE : Resumption.RESTORE;
				logger.info("Restored from image " + plan.imageId() + " as " + this.identity);
				OperationReport restore = resumeAll(resumption);
				this.listeners.restored(this.identity, resumption, plan.imageId());
				return restore;
			}
			OperationReport resume = resumeAll(Resumption.THAW);
			report.steps(resume.steps()).note("image " + plan.imageId() + " is complete; this instance kept running");
			return complete(report, resume.outcome(), resume.error());
		}
		finally {
			this.operationPermit.release();
		}
	}

	/**
	 * Thaw the instance if it is frozen: what a request that reaches a frozen instance
	 * calls. The operation that froze the instance may still be finishing (reporting,
	 * answering its caller) when the request finds it {@code FROZEN}; the request waits for
	 * it rather than give up, so that it is served as soon as the freeze has ended.
	 * @param maxWait how long to wait for an operation under way to end
	 * @return whether this call thawed the instance
	 * @throws InterruptedException if the thread was interrupted while waiting
	 */
	public boolean thawIfFrozen(Duration maxWait) throws InterruptedException {
		if (this.state.get() != InstanceState.FROZEN || this.thawOnRequestSuspended
				|| !this.operationPermit.tryAcquire(maxWait.toNanos(), TimeUnit.NANOSECONDS)) {
			return false;
		}
		try {
			if (this.state.get() != InstanceState.FROZEN || this.thawOnRequestSuspended) {
				return false; // thawed by someone else meanwhile, or only an explicit thaw may
			}
			logger.info("A request reached the frozen instance: thawing it");
			resumeAll(Resumption.THAW);
			return true;
		}
		finally {
			this.operationPermit.release();
		}
	}

	/**
	 * Stop the threads that call participants.
	 */
	@Override
	public void close() {
		this.invoker.close();
	}

	private void acquireOrReject(String operation, InstanceState required) {
		String name = operation.toLowerCase(Locale.ROOT);
		if (!this.operationPermit.tryAcquire()) {
			InstanceState current = this.state.get();
			throw new OperationRejectedException("Cannot " + name + ": another operation is under way (the instance is "
					+ current + "). Retry once it has ended.", current);
		}
		InstanceState current = this.state.get();
		List<String> stillRunning = (required == InstanceState.RUNNING) ? this.invoker.stillRunning()
				: Collections.emptyList();
		if (!stillRunning.isEmpty()) {
			this.operationPermit.release();
			throw new OperationRejectedException("Cannot " + name + ": " + String.join("; ", stillRunning)
					+ ", from an earlier operation that it did not stop for when interrupted. The instance cannot be "
					+ "quiesced until that call ends: make the participant end on interruption, or restart the service",
					current);
		}
		if (current != required) {
			this.operationPermit.release();
			String advice = (required == InstanceState.FROZEN) ? "Nothing to do." : "Thaw it first.";
			throw new OperationRejectedException(
					"Cannot " + name + ": the instance is " + current + ", not " + required + ". " + advice, current);
		}
	}

	private boolean quiesceAll(Operation operation, OperationReportBuilder report) {
		changeState(InstanceState.QUIESCING);
		CheckpointContext context = new CheckpointContext(operation, null, this.identity);
		for (int i = 0; i < this.participants.size(); i++) {
			CheckpointParticipant participant = this.participants.get(i);
			Step step = this.invoker.quiesce(participant, context);
			report.step(step);
			if (!step.succeeded()) {
				logger.warning("Participant '" + participant.getName() + "' failed to quiesce: " + step.error()
						+ ". Resuming the participants already quiesced.");
				rollBack(operation, i + 1, report);
				return false;
			}
		}
		return true;
	}

	// Resumes, in reverse order, every participant that was asked to quiesce (the one that
	// failed included: a resume must tolerate a quiesce that stopped half-way).
	private void rollBack(Operation operation, int asked, OperationReportBuilder report) {
		changeState(InstanceState.RESUMING);
		CheckpointContext context = new CheckpointContext(operation, Resumption.ROLLBACK, this.identity);
		for (int i = asked - 1; i >= 0; i--) {
			report.step(this.invoker.resume(this.participants.get(i), context));
		}
		changeState(InstanceState.RUNNING);
	}

	private OperationReport resumeAll(Resumption resumption) {
		this.thawOnRequestSuspended = false;
		OperationReportBuilder report = begin(OperationReport.Type.of(resumption));
		changeState(InstanceState.RESUMING);
		this.identity.markResumed();
		CheckpointContext context = new CheckpointContext(this.quiescedFor, resumption, this.identity);
		List<String> errors = new ArrayList<>();
		for (int i = this.participants.size() - 1; i >= 0; i--) {
			CheckpointParticipant participant = this.participants.get(i);
			Step step = this.invoker.resume(participant, context);
			report.step(step);
			if (!step.succeeded()) {
				errors.add("Participant '" + participant.getName() + "' failed to resume: " + step.error());
			}
		}
		this.quiescedFor = null;
		changeState(InstanceState.RUNNING);
		String error = errors.isEmpty() ? null : String.join("; ", errors);
		if (error != null) {
			logger.severe(error);
		}
		return complete(report, errors.isEmpty() ? Outcome.SUCCESS : Outcome.FAILED, error);
	}

	private OperationReportBuilder begin(OperationReport.Type type) {
		this.listeners.operationStarted(type); // on the operation's thread
		return new OperationReportBuilder(type, this.clock);
	}

	private OperationReport complete(OperationReportBuilder builder, Outcome outcome, String error) {
		OperationReport report = builder.build(outcome, this.state.get(), error);
		this.lastReport = report;
		this.listeners.operationCompleted(report);
		return report;
	}

	private void changeState(InstanceState next) {
		InstanceState previous = this.state.getAndSet(next);
		if (previous != next) {
			this.listeners.stateChanged(previous, next); // on the operation's thread
		}
	}

}
