package io.cse;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

import io.cse.memory.MemoryReport;

/**
 * What one operation (a freeze, a thaw, a snapshot, a restore) did: how long each
 * participant took, what memory was given back, and why it failed if it did. Built by the
 * {@link CheckpointCoordinator}.
 */
public final class OperationReport {

	private final Type operation;

	private final Outcome outcome;

	private final InstanceState state;

	private final Instant startedAt;

	private final Duration duration;

	private final List<Step> steps;

	private final MemoryReport memory;

	private final String error;

	private final List<String> notes;

	OperationReport(Type operation, Outcome outcome, InstanceState state, Instant startedAt, Duration duration,
			List<Step> steps, MemoryReport memory, String error, List<String> notes) {
		this.operation = operation;
		this.outcome = outcome;
		this.state = state;
		this.startedAt = startedAt;
		this.duration = duration;
		this.steps = steps;
		this.memory = memory;
		this.error = error;
		this.notes = notes;
	}

	/**
	 * Return the operation this report is about.
	 * @return the operation
	 */
	public Type operation() {
		return this.operation;
	}

	/**
	 * Return how the operation ended.
	 * @return the outcome
	 */
	public Outcome outcome() {
		return this.outcome;
	}

	/**
	 * Return the state of the instance when the operation ended.
	 * @return the state
	 */
	public InstanceState state() {
		return this.state;
	}

	/**
	 * Return when the operation started.
	 * @return the start time
	 */
	public Instant startedAt() {
		return this.startedAt;
	}

	/**
	 * Return how long the whole operation took.
	 * @return the duration
	 */
	public Duration duration() {
		return this.duration;
	}

	/**
	 * Return one entry per participant call, in the order they ran.
	 * @return the steps
	 */
	public List<Step> steps() {
		return this.steps;
	}

	/**
	 * Return heap and resident memory around the heap trim.
	 * @return the memory report, or {@code null} if no trim ran
	 */
	public MemoryReport memory() {
		return this.memory;
	}

	/**
	 * Return why the operation failed, naming the participant.
	 * @return the error, or {@code null}
	 */
	public String error() {
		return this.error;
	}

	/**
	 * Return what else the operation found or did, for people (for example what a
	 * snapshot's audit found still open).
	 * @return the notes, possibly empty
	 */
	public List<String> notes() {
		return this.notes;
	}

	/**
	 * Return how long the participants took, without the heap trim.
	 * @return the sum of every step's duration
	 */
	public Duration participantsDuration() {
		Duration total = Duration.ZERO;
		for (Step step : this.steps) {
			total = total.plus(step.duration());
		}
		return total;
	}

	@Override
	public String toString() {
		return "OperationReport[operation=" + this.operation + ", outcome=" + this.outcome + ", state=" + this.state
				+ ", duration=" + this.duration + ", error=" + this.error + "]";
	}

	/**
	 * The operations a report is about.
	 */
	public enum Type {

		/** Participants quiesced for the host to freeze the process. */
		FREEZE,

		/** The frozen instance resumed. */
		THAW,

		/** Participants quiesced, the process snapshotted, and resumed. */
		DUMP,

		/** Participants quiesced, the process snapshotted as a clone template, and resumed. */
		CLONE,

		/** The same instance restored from an image resumed. */
		RESTORE,

		/** A new clone restored from a template image resumed. */
		CLONE_RESTORE,

		/** A quiesce that failed part-way was undone. */
		ROLLBACK;

		static Type of(CheckpointContext.Operation operation) {
			return valueOf(operation.name());
		}

		static Type of(CheckpointContext.Resumption resumption) {
			return (resumption == CheckpointContext.Resumption.CLONE) ? CLONE_RESTORE : valueOf(resumption.name());
		}

		/**
		 * Return the name reports, logs and metrics use: {@code freeze},
		 * {@code clone-restore}.
		 * @return the lower-case name
		 */
		public String value() {
			return name().toLowerCase(Locale.ROOT).replace('_', '-');
		}

		@Override
		public String toString() {
			return value();
		}

	}

	/**
	 * How an operation ended.
	 */
	public enum Outcome {

		/** Every participant was quiesced, or resumed. */
		SUCCESS,

		/** A participant failed to quiesce; the ones already quiesced were resumed. */
		ROLLED_BACK,

		/** A participant failed to resume; the others were resumed. */
		FAILED

	}

	/**
	 * One participant call.
	 */
	public static final class Step {

		private final String participant;

		private final String phase;

		private final Duration duration;

		private final String error;

		/**
		 * Create a step.
		 * @param participant the participant's name
		 * @param phase {@code quiesce} or {@code resume}
		 * @param duration how long the call took
		 * @param error why it failed, or {@code null}
		 */
		public Step(String participant, String phase, Duration duration, String error) {
			this.participant = participant;
			this.phase = phase;
			this.duration = duration;
			this.error = error;
		}

		/**
		 * Return the participant's name.
		 * @return the name
		 */
		public String participant() {
			return this.participant;
		}

		/**
		 * Return the phase: {@code quiesce} or {@code resume}.
		 * @return the phase
		 */
		public String phase() {
			return this.phase;
		}

		/**
		 * Return how long the call took.
		 * @return the duration
		 */
		public Duration duration() {
			return this.duration;
		}

		/**
		 * Return why the call failed.
		 * @return the error, or {@code null}
		 */
		public String error() {
			return this.error;
		}

		/**
		 * Return whether the call succeeded.
		 * @return whether no error was raised
		 */
		public boolean succeeded() {
			return this.error == null;
		}

		@Override
		public String toString() {
			return "Step[participant=" + this.participant + ", phase=" + this.phase + ", duration=" + this.duration
					+ ", error=" + this.error + "]";
		}

	}

}
