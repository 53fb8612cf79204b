package io.cse;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.cse.memory.MemoryReport;

/**
 * What one freeze or thaw did: how long each participant took, what memory was given
 * back, and why it failed if it did.
 *
 * @param operation the operation ({@code freeze} or {@code thaw})
 * @param outcome how it ended
 * @param state the state of the instance when the operation ended
 * @param startedAt when the operation started
 * @param duration how long the whole operation took
 * @param steps one entry per participant call, in the order they ran
 * @param memory heap and resident memory around the heap trim, or {@code null} if no trim
 * ran
 * @param error why the operation failed, naming the participant, or {@code null}
 * @param notes what else the operation found or did, for people (for example what a
 * snapshot's audit found still open)
 */
public record OperationReport(String operation, Outcome outcome, InstanceState state, Instant startedAt,
		Duration duration, List<Step> steps, MemoryReport memory, String error, List<String> notes) {

	/**
	 * Return how long the participants took, without the heap trim.
	 * @return the sum of every step's duration
	 */
	public Duration participantsDuration() {
		return this.steps.stream().map(Step::duration).reduce(Duration.ZERO, Duration::plus);
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
	 *
	 * @param participant the participant's name
	 * @param phase {@code quiesce} or {@code resume}
	 * @param duration how long the call took
	 * @param error why it failed, or {@code null}
	 */
	public record Step(String participant, String phase, Duration duration, String error) {

		/**
		 * Return whether the call succeeded.
		 * @return whether no error was raised
		 */
		public boolean succeeded() {
			return this.error == null;
		}

	}

}
