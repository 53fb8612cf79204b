package io.cse;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;

import io.cse.CheckpointContext.Operation;
import io.cse.CheckpointContext.Resumption;
import io.cse.OperationReport.Outcome;
import io.cse.OperationReport.Step;
import io.cse.memory.HeapTrimmer;
import io.cse.memory.MemoryReport;
import io.cse.snapshot.SnapshotOutcome;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.core.OrderComparator;
import org.springframework.util.Assert;

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
 * The coordinator keeps its own strong list of participants and drives them itself: it
 * does not depend on a CRaC JDK, whose registrations a plain JDK silently discards.
 */
public class CheckpointCoordinator {

	private static final Log logger = LogFactory.getLog(CheckpointCoordinator.class);

	private final List<CheckpointParticipant> participants;

	private final InstanceIdentity identity;

	private final HeapTrimmer heapTrimmer;

	private final Duration participantTimeout;

	private final ApplicationEventPublisher eventPublisher;

	private final Clock clock;

	// A semaphore rather than a lock: a snapshot is reserved on the request thread and runs
	// on a thread of its own, and a restored process releases what the snapshotted one took.
	private final Semaphore operationPermit = new Semaphore(1);

	private final AtomicReference<InstanceState> state = new AtomicReference<>(InstanceState.RUNNING);

	private final Map<String, ParticipantStatus> statuses = new ConcurrentHashMap<>();

	private final ExecutorService callers = Executors.newCachedThreadPool((task) -> {
		Thread thread = new Thread(task, "cse-participant");
		thread.setDaemon(true);
		return thread;
	});

	private volatile Consumer<Map<String, String>> propertyOverrides = (properties) -> {
		Assert.isTrue(properties.isEmpty(), "No property overrides can be applied to this application");
	};

	private volatile Operation quiescedFor;

	private volatile OperationReport lastReport;

	/**
	 * Create a coordinator.
	 * @param participants the participants, in any order: they are sorted by their order
	 * @param identity the identity of this instance
	 * @param heapTrimmer trims the heap once every participant is quiesced, or {@code null}
	 * to skip the trim
	 * @param participantTimeout how long one participant may take to quiesce or resume
	 * @param eventPublisher publishes state changes and completed operations
	 * @param clock the clock that stamps reports
	 */
	public CheckpointCoordinator(List<? extends CheckpointParticipant> participants, InstanceIdentity identity,
			HeapTrimmer heapTrimmer, Duration participantTimeout, ApplicationEventPublisher eventPublisher,
			Clock clock) {
		List<CheckpointParticipant> sorted = new ArrayList<>(participants);
		OrderComparator.sort(sorted);
		this.participants = Collections.unmodifiableList(sorted);
		this.identity = identity;
		this.heapTrimmer = heapTrimmer;
		this.participantTimeout = participantTimeout;
		this.eventPublisher = eventPublisher;
		this.clock = clock;
		for (CheckpointParticipant participant : this.participants) {
			this.statuses.put(participant.getName(), new ParticipantStatus(participant.getName(),
					participant.getOrder(), null, null, null, null, null));
		}
	}

	/**
	 * Set what applies the per-instance property overrides that a thaw may carry.
	 * @param propertyOverrides applies the overrides before any participant resumes
	 */
	public void setPropertyOverrides(Consumer<Map<String, String>> propertyOverrides) {
		this.propertyOverrides = propertyOverrides;
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
		return this.participants.stream().map((participant) -> this.statuses.get(participant.getName())).toList();
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
		return quiesce(Operation.FREEZE);
	}

	/**
	 * Quiesce every participant for the given operation. Engines that snapshot the process
	 * call this before they dump it.
	 * @param operation the operation that needs the instance quiesced
	 * @return what the quiesce did
	 * @throws OperationRejectedException if the instance is not running or another
	 * operation is under way
	 */
	public OperationReport quiesce(Operation operation) {
		lockOrReject(operation.name().toLowerCase());
		try {
			InstanceState current = this.state.get();
			if (current != InstanceState.RUNNING) {
				throw new OperationRejectedException("Cannot " + operation.name().toLowerCase() + ": the instance is "
						+ current + ", not RUNNING. Thaw it first with POST /actuator/cse/thaw.", current);
			}
			return doQuiesce(operation);
		}
		finally {
			this.operationPermit.release();
		}
	}

	/**
	 * Resume every participant in reverse order after a freeze.
	 * @param propertyOverrides properties for this instance, applied before any participant
	 * resumes; may be empty
	 * @return what the thaw did
	 * @throws OperationRejectedException if the instance is not frozen or another operation
	 * is under way
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
		Assert.isTrue(resumption != Resumption.ROLLBACK, "A rollback is not requested from outside");
		lockOrReject("thaw");
		try {
			InstanceState current = this.state.get();
			if (current != InstanceState.FROZEN) {
				throw new OperationRejectedException(
						"Cannot thaw: the instance is " + current + ", not FROZEN. Nothing to do.", current);
			}
			this.propertyOverrides.accept(propertyOverrides);
			return doResume(resumption);
		}
		finally {
			this.operationPermit.release();
		}
	}

	/**
	 * Reserve the instance for a snapshot: checks that it runs and that no other operation
	 * is under way, and keeps every other operation out until the snapshot has run.
	 * @param operation {@link Operation#DUMP} or {@link Operation#CLONE}
	 * @return the reservation, to pass to {@link #snapshot} or to {@link Reservation#cancel()}
	 * @throws OperationRejectedException if the instance is not running or busy
	 */
	public Reservation reserve(Operation operation) {
		Assert.isTrue(operation != Operation.FREEZE, "A freeze is not a snapshot");
		String name = operation.name().toLowerCase();
		lockOrReject(name);
		InstanceState current = this.state.get();
		if (current != InstanceState.RUNNING) {
			this.operationPermit.release();
			throw new OperationRejectedException("Cannot " + name + ": the instance is " + current
					+ ", not RUNNING. Thaw it first with POST /actuator/cse/thaw.", current);
		}
		return new Reservation(operation);
	}

	/**
	 * Quiesce every participant, take a snapshot, and resume. Runs on the caller's thread
	 * and returns when the process goes on: in the snapshotted process once the image is
	 * complete (if it keeps running) or the snapshot failed, and in a process restored from
	 * the image once it has resumed, with a new identity if the image is a clone template.
	 * @param reservation what {@link #reserve} returned
	 * @param plan what to check and how to snapshot
	 * @return what the snapshot did, or, in a restored process, what the restore did
	 */
	public OperationReport snapshot(Reservation reservation, SnapshotPlan plan) {
		reservation.use();
		Operation operation = reservation.operation;
		Instant startedAt = this.clock.instant();
		long start = System.nanoTime();
		try {
			OperationReport quiesce = doQuiesce(operation, InstanceState.SNAPSHOTTING, false);
			List<String> notes = new ArrayList<>();
			if (quiesce.outcome() != Outcome.SUCCESS) {
				plan.discard();
				return complete(quiesce.operation(), quiesce.outcome(), startedAt, start, quiesce.steps(), null,
						quiesce.error(), notes, true);
			}
			SnapshotOutcome outcome;
			try {
				notes.addAll(plan.audit());
				outcome = plan.take();
			}
			catch (Exception ex) {
				plan.discard();
				List<Step> steps = new ArrayList<>(quiesce.steps());
				rollBack(this.participants, operation, steps);
				String error = "The " + operation.name().toLowerCase() + " failed: " + ex.getMessage()
						+ " (rolled back: the instance is RUNNING, no image was kept)";
				logger.warn(error);
				return complete(quiesce.operation(), Outcome.ROLLED_BACK, startedAt, start, steps, quiesce.memory(),
						error, notes, true);
			}
			if (outcome == SnapshotOutcome.RESTORED) {
				Resumption resumption = (operation == Operation.CLONE) ? Resumption.CLONE : Resumption.RESTORE;
				if (resumption == Resumption.CLONE) {
					this.identity.regenerate(plan.imageId());
				}
				logger.info("Restored from image " + plan.imageId() + " as " + this.identity);
				OperationReport restore = doResume(resumption);
				this.eventPublisher.publishEvent(new InstanceRestoredEvent(this, this.identity, resumption,
						plan.imageId()));
				return restore;
			}
			OperationReport resume = doResume(Resumption.THAW);
			List<Step> steps = new ArrayList<>(quiesce.steps());
			steps.addAll(resume.steps());
			notes.add("image " + plan.imageId() + " is complete; this instance kept running");
			return complete(quiesce.operation(), resume.outcome(), startedAt, start, steps, quiesce.memory(),
					resume.error(), notes, true);
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
		if (this.state.get() != InstanceState.FROZEN
				|| !this.operationPermit.tryAcquire(maxWait.toNanos(), TimeUnit.NANOSECONDS)) {
			return false;
		}
		try {
			if (this.state.get() != InstanceState.FROZEN) {
				return false; // thawed by someone else meanwhile
			}
			logger.info("A request reached the frozen instance: thawing it");
			doResume(Resumption.THAW);
			return true;
		}
		finally {
			this.operationPermit.release();
		}
	}

	private void lockOrReject(String operation) {
		if (!this.operationPermit.tryAcquire()) {
			InstanceState current = this.state.get();
			throw new OperationRejectedException("Cannot " + operation + ": another operation is under way (the instance is "
					+ current + "). Retry once it has ended; GET /actuator/cse shows the state.", current);
		}
	}

	private OperationReport doQuiesce(Operation operation) {
		return doQuiesce(operation, InstanceState.FROZEN, true);
	}

	private OperationReport doQuiesce(Operation operation, InstanceState quiescedState, boolean publishReport) {
		Instant startedAt = this.clock.instant();
		long start = System.nanoTime();
		List<Step> steps = new ArrayList<>();
		changeState(InstanceState.QUIESCING);
		CheckpointContext context = new CheckpointContext(operation, null, this.identity);
		List<CheckpointParticipant> quiesced = new ArrayList<>();
		for (CheckpointParticipant participant : this.participants) {
			quiesced.add(participant);
			Step step = call(participant, "quiesce", () -> participant.quiesce(context));
			steps.add(step);
			if (!step.succeeded()) {
				String error = "Participant '" + participant.getName() + "' failed to quiesce: " + step.error();
				logger.warn(error + ". Resuming the " + quiesced.size() + " participant(s) already quiesced.");
				rollBack(quiesced, operation, steps);
				return complete(operation.name().toLowerCase(), Outcome.ROLLED_BACK, startedAt, start, steps, null,
						error + " (rolled back: the instance is RUNNING)", List.of(), true);
			}
		}
		MemoryReport memory = null;
		if (this.heapTrimmer != null) {
			memory = (operation == Operation.FREEZE) ? this.heapTrimmer.trim() : this.heapTrimmer.trimForSnapshot();
		}
		this.quiescedFor = operation;
		changeState(quiescedState);
		return complete(operation.name().toLowerCase(), Outcome.SUCCESS, startedAt, start, steps, memory, null,
				List.of(), publishReport);
	}

	private void rollBack(List<CheckpointParticipant> quiesced, Operation operation, List<Step> steps) {
		changeState(InstanceState.RESUMING);
		CheckpointContext context = new CheckpointContext(operation, Resumption.ROLLBACK, this.identity);
		for (int i = quiesced.size() - 1; i >= 0; i--) {
			CheckpointParticipant participant = quiesced.get(i);
			steps.add(call(participant, "resume", () -> participant.resume(context)));
		}
		changeState(InstanceState.RUNNING);
	}

	private OperationReport doResume(Resumption resumption) {
		Instant startedAt = this.clock.instant();
		long start = System.nanoTime();
		List<Step> steps = new ArrayList<>();
		changeState(InstanceState.RESUMING);
		this.identity.markResumed();
		CheckpointContext context = new CheckpointContext(this.quiescedFor, resumption, this.identity);
		List<String> errors = new ArrayList<>();
		for (int i = this.participants.size() - 1; i >= 0; i--) {
			CheckpointParticipant participant = this.participants.get(i);
			Step step = call(participant, "resume", () -> participant.resume(context));
			steps.add(step);
			if (!step.succeeded()) {
				errors.add("Participant '" + participant.getName() + "' failed to resume: " + step.error());
			}
		}
		this.quiescedFor = null;
		changeState(InstanceState.RUNNING);
		String error = errors.isEmpty() ? null : String.join("; ", errors);
		if (error != null) {
			logger.error(error);
		}
		String name = switch (resumption) {
			case THAW -> "thaw";
			case RESTORE -> "restore";
			case CLONE -> "clone-restore";
			case ROLLBACK -> "rollback";
		};
		return complete(name, errors.isEmpty() ? Outcome.SUCCESS : Outcome.FAILED, startedAt, start, steps, null,
				error, List.of(), true);
	}

	private Step call(CheckpointParticipant participant, String phase, ParticipantCall call) {
		long start = System.nanoTime();
		String error = null;
		String threadName = "cse-" + phase + "-" + participant.getName();
		// Each call runs on a thread of the coordinator's own so that a participant that
		// hangs can be abandoned after the timeout instead of blocking the instance in
		// QUIESCING; the threads are kept for the next calls, as a thaw is measured in ms.
		Future<Void> task = this.callers.submit(() -> {
			Thread thread = Thread.currentThread();
			String name = thread.getName();
			thread.setName(threadName);
			try {
				call.run();
				return null;
			}
			finally {
				thread.setName(name);
			}
		});
		try {
			task.get(this.participantTimeout.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (TimeoutException ex) {
			task.cancel(true);
			error = "timed out after " + this.participantTimeout.toMillis() + " ms (raise cse.participant-timeout)";
		}
		catch (ExecutionException ex) {
			Throwable cause = ex.getCause();
			error = (cause.getMessage() != null) ? cause.getMessage() : cause.getClass().getName();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			task.cancel(true);
			error = "interrupted";
		}
		Duration duration = Duration.ofNanos(System.nanoTime() - start);
		record(participant, phase, duration, error);
		return new Step(participant.getName(), phase, duration, error);
	}

	private void record(CheckpointParticipant participant, String phase, Duration duration, String error) {
		Instant now = this.clock.instant();
		this.statuses.compute(participant.getName(), (name, status) -> ("quiesce".equals(phase))
				? new ParticipantStatus(name, participant.getOrder(), now, duration, status.lastResumedAt(),
						status.lastResumeDuration(), error)
				: new ParticipantStatus(name, participant.getOrder(), status.lastQuiescedAt(),
						status.lastQuiesceDuration(), now, duration, error));
		if (error != null) {
			logger.debug("Participant '" + participant.getName() + "' failed to " + phase + ": " + error);
		}
	}

	private OperationReport complete(String operation, Outcome outcome, Instant startedAt, long start,
			List<Step> steps, MemoryReport memory, String error, List<String> notes, boolean publish) {
		OperationReport report = new OperationReport(operation, outcome, this.state.get(), startedAt,
				Duration.ofNanos(System.nanoTime() - start), List.copyOf(steps), memory, error, List.copyOf(notes));
		if (publish) {
			this.lastReport = report;
			this.eventPublisher.publishEvent(new OperationCompletedEvent(this, report));
		}
		return report;
	}

	private void changeState(InstanceState next) {
		InstanceState previous = this.state.getAndSet(next);
		if (previous != next) {
			this.eventPublisher.publishEvent(new InstanceStateChangedEvent(this, previous, next));
		}
	}

	/**
	 * The instance, reserved for one snapshot by {@link #reserve}.
	 */
	public final class Reservation {

		private final Operation operation;

		private boolean used;

		private Reservation(Operation operation) {
			this.operation = operation;
		}

		/**
		 * Return the operation the instance is reserved for.
		 * @return the operation
		 */
		public Operation getOperation() {
			return this.operation;
		}

		/**
		 * Give the instance back without snapshotting it.
		 */
		public synchronized void cancel() {
			if (!this.used) {
				this.used = true;
				CheckpointCoordinator.this.operationPermit.release();
			}
		}

		private synchronized void use() {
			Assert.state(!this.used, "This reservation was already used or cancelled");
			this.used = true;
		}

	}

	@FunctionalInterface
	private interface ParticipantCall {

		void run() throws Exception;

	}

	/**
	 * What a participant did last.
	 *
	 * @param name the participant's name
	 * @param order the participant's order
	 * @param lastQuiescedAt when it last finished quiescing, or {@code null}
	 * @param lastQuiesceDuration how long its last quiesce took, or {@code null}
	 * @param lastResumedAt when it last finished resuming, or {@code null}
	 * @param lastResumeDuration how long its last resume took, or {@code null}
	 * @param lastError why its last quiesce or resume failed, or {@code null} if it
	 * succeeded
	 */
	public record ParticipantStatus(String name, int order, Instant lastQuiescedAt, Duration lastQuiesceDuration,
			Instant lastResumedAt, Duration lastResumeDuration, String lastError) {

	}

}
