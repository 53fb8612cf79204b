package io.cse.endpoint;

import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;

import io.cse.OperationReport;
import io.cse.OperationReport.Step;
import io.cse.memory.MemoryReport;

/**
 * What an operation did: the answer to a freeze or a thaw, and the last operation in the
 * status.
 */
public final class OperationDescriptor {

	private final String operation;

	private final String outcome;

	private final String state;

	private final Instant startedAt;

	private final double totalMs;

	private final double participantsMs;

	private final List<StepDescriptor> steps;

	private final MemoryDescriptor memory;

	private final String error;

	private final List<String> notes;

	private OperationDescriptor(OperationReport report) {
		this.operation = report.operation().value();
		this.outcome = report.outcome().name();
		this.state = report.state().name();
		this.startedAt = report.startedAt();
		this.totalMs = Millis.of(report.duration());
		this.participantsMs = Millis.of(report.participantsDuration());
		this.steps = report.steps().stream().map(StepDescriptor::new).collect(Collectors.toList());
		this.memory = (report.memory() != null) ? new MemoryDescriptor(report.memory()) : null;
		this.error = report.error();
		this.notes = report.notes();
	}

	static OperationDescriptor of(OperationReport report) {
		return (report != null) ? new OperationDescriptor(report) : null;
	}

	/**
	 * Return the operation.
	 * @return {@code freeze}, {@code thaw}, {@code dump}, {@code clone}, {@code restore},
	 * {@code clone-restore} or {@code rollback}
	 */
	public String getOperation() {
		return this.operation;
	}

	/**
	 * Return how the operation ended.
	 * @return the outcome's name
	 */
	public String getOutcome() {
		return this.outcome;
	}

	/**
	 * Return the state of the instance when the operation ended.
	 * @return the state's name
	 */
	public String getState() {
		return this.state;
	}

	/**
	 * Return when the operation started.
	 * @return the time it started
	 */
	public Instant getStartedAt() {
		return this.startedAt;
	}

	/**
	 * Return how long the operation took.
	 * @return milliseconds
	 */
	public double getTotalMs() {
		return this.totalMs;
	}

	/**
	 * Return how long the participants took, without the heap trim.
	 * @return milliseconds
	 */
	public double getParticipantsMs() {
		return this.participantsMs;
	}

	/**
	 * Return each participant call.
	 * @return the calls, in the order they were made
	 */
	public List<StepDescriptor> getSteps() {
		return this.steps;
	}

	/**
	 * Return memory around the heap trim.
	 * @return the memory, or {@code null} if the heap was not trimmed
	 */
	public MemoryDescriptor getMemory() {
		return this.memory;
	}

	/**
	 * Return why the operation failed.
	 * @return the error, or {@code null}
	 */
	public String getError() {
		return this.error;
	}

	/**
	 * Return what else the operation found or did.
	 * @return the notes
	 */
	public List<String> getNotes() {
		return this.notes;
	}

	/**
	 * One participant call.
	 */
	public static final class StepDescriptor {

		private final String participant;

		private final String phase;

		private final double ms;

		private final String error;

		private StepDescriptor(Step step) {
			this.participant = step.participant();
			this.phase = step.phase();
			this.ms = Millis.of(step.duration());
			this.error = step.error();
		}

		/**
		 * Return the participant's name.
		 * @return the name
		 */
		public String getParticipant() {
			return this.participant;
		}

		/**
		 * Return the phase.
		 * @return {@code quiesce} or {@code resume}
		 */
		public String getPhase() {
			return this.phase;
		}

		/**
		 * Return how long the call took.
		 * @return milliseconds
		 */
		public double getMs() {
			return this.ms;
		}

		/**
		 * Return why the call failed.
		 * @return the error, or {@code null}
		 */
		public String getError() {
			return this.error;
		}

	}

	/**
	 * Memory around a heap trim.
	 */
	public static final class MemoryDescriptor {

		private final long heapUsedBefore;

		private final long heapUsedAfter;

		private final long residentBefore;

		private final long residentAfter;

		private final double trimMs;

		private MemoryDescriptor(MemoryReport memory) {
			this.heapUsedBefore = memory.heapUsedBefore();
			this.heapUsedAfter = memory.heapUsedAfter();
			this.residentBefore = memory.residentBefore();
			this.residentAfter = memory.residentAfter();
			this.trimMs = Millis.of(memory.duration());
		}

		/**
		 * Return the heap bytes in use before the trim, garbage included.
		 * @return bytes
		 */
		public long getHeapUsedBefore() {
			return this.heapUsedBefore;
		}

		/**
		 * Return the heap bytes in use after the trim: about the live data.
		 * @return bytes
		 */
		public long getHeapUsedAfter() {
			return this.heapUsedAfter;
		}

		/**
		 * Return the resident bytes before the trim.
		 * @return bytes, or {@code -1} if unknown
		 */
		public long getResidentBefore() {
			return this.residentBefore;
		}

		/**
		 * Return the resident bytes after the trim.
		 * @return bytes, or {@code -1} if unknown
		 */
		public long getResidentAfter() {
			return this.residentAfter;
		}

		/**
		 * Return how long the trim took.
		 * @return milliseconds
		 */
		public double getTrimMs() {
			return this.trimMs;
		}

	}

}
