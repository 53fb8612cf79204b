package io.cse.endpoint;

import java.time.Instant;
import java.util.List;

import io.cse.OperationReport;
import io.cse.OperationReport.Step;
import io.cse.memory.MemoryReport;

/**
 * What an operation did: the answer to a freeze or a thaw, and the last operation in the
 * status.
 *
 * @param operation {@code freeze}, {@code thaw}, {@code dump}, {@code clone},
 * {@code restore}, {@code clone-restore} or {@code rollback}
 * @param outcome how it ended
 * @param state the state of the instance when it ended
 * @param startedAt when it started
 * @param totalMs how long it took
 * @param participantsMs how long the participants took, without the heap trim
 * @param steps each participant call
 * @param memory memory around the heap trim, or {@code null}
 * @param error why it failed, or {@code null}
 * @param notes what else it found or did
 */
public record OperationDescriptor(String operation, String outcome, String state, Instant startedAt, double totalMs,
		double participantsMs, List<StepDescriptor> steps, MemoryDescriptor memory, String error, List<String> notes) {

	static OperationDescriptor of(OperationReport report) {
		if (report == null) {
			return null;
		}
		return new OperationDescriptor(report.operation().value(), report.outcome().name(), report.state().name(),
				report.startedAt(), Millis.of(report.duration()), Millis.of(report.participantsDuration()),
				report.steps().stream().map(StepDescriptor::of).toList(), MemoryDescriptor.of(report.memory()),
				report.error(), report.notes());
	}

	/**
	 * One participant call.
	 *
	 * @param participant the participant's name
	 * @param phase {@code quiesce} or {@code resume}
	 * @param ms how long it took
	 * @param error why it failed, or {@code null}
	 */
	public record StepDescriptor(String participant, String phase, double ms, String error) {

		static StepDescriptor of(Step step) {
			return new StepDescriptor(step.participant(), step.phase(), Millis.of(step.duration()), step.error());
		}

	}

	/**
	 * Memory around a heap trim.
	 *
	 * @param heapUsedBefore heap bytes in use before, garbage included
	 * @param heapUsedAfter heap bytes in use after: about the live data
	 * @param residentBefore resident bytes before, or {@code -1}
	 * @param residentAfter resident bytes after, or {@code -1}
	 * @param trimMs how long the trim took
	 */
	public record MemoryDescriptor(long heapUsedBefore, long heapUsedAfter, long residentBefore, long residentAfter,
			double trimMs) {

		static MemoryDescriptor of(MemoryReport memory) {
			return (memory != null) ? new MemoryDescriptor(memory.heapUsedBefore(), memory.heapUsedAfter(),
					memory.residentBefore(), memory.residentAfter(), Millis.of(memory.duration())) : null;
		}

	}

}
