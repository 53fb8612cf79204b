package io.cse;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import io.cse.OperationReport.Outcome;
import io.cse.OperationReport.Step;
import io.cse.memory.MemoryReport;

/**
 * Assembles an {@link OperationReport} while an operation runs: started when the
 * operation starts, so that the report's duration is the caller's.
 */
final class OperationReportBuilder {

	private final OperationReport.Type operation;

	private final Instant startedAt;

	private final long start = System.nanoTime();

	private final List<Step> steps = new ArrayList<>();

	private final List<String> notes = new ArrayList<>();

	private MemoryReport memory;

	OperationReportBuilder(OperationReport.Type operation, Clock clock) {
		this.operation = operation;
		this.startedAt = clock.instant();
	}

	OperationReportBuilder step(Step step) {
		this.steps.add(step);
		return this;
	}

	OperationReportBuilder steps(List<Step> steps) {
		this.steps.addAll(steps);
		return this;
	}

	OperationReportBuilder memory(MemoryReport memory) {
		this.memory = memory;
		return this;
	}

	OperationReportBuilder notes(List<String> notes) {
		this.notes.addAll(notes);
		return this;
	}

	OperationReportBuilder note(String note) {
		this.notes.add(note);
		return this;
	}

	// What a rolled-back quiesce reports: the participant that failed and why.
	String quiesceError() {
		for (Step step : this.steps) {
			if (!step.succeeded()) {
				return "Participant '" + step.participant() + "' failed to quiesce: " + step.error()
						+ " (rolled back: the instance is RUNNING)";
			}
		}
		return "rolled back: the instance is RUNNING";
	}

	List<Step> steps() {
		return this.steps;
	}

	OperationReport build(Outcome outcome, InstanceState state, String error) {
		return new OperationReport(this.operation, outcome, state, this.startedAt,
				Duration.ofNanos(System.nanoTime() - this.start), Collections.unmodifiableList(new ArrayList<>(this.steps)),
				this.memory, error, Collections.unmodifiableList(new ArrayList<>(this.notes)));
	}

}
