package io.cse.event;

import io.cse.CheckpointCoordinator;
import io.cse.OperationReport;
import org.springframework.context.ApplicationEvent;

/**
 * Published by the {@link CheckpointCoordinator} when an operation ends, successfully or
 * not.
 */
public class OperationCompletedEvent extends ApplicationEvent {

	private final OperationReport report;

	/**
	 * Create a new event.
	 * @param coordinator the coordinator that ran the operation
	 * @param report what the operation did
	 */
	public OperationCompletedEvent(CheckpointCoordinator coordinator, OperationReport report) {
		super(coordinator);
		this.report = report;
	}

	/**
	 * Return what the operation did.
	 * @return the report
	 */
	public OperationReport getReport() {
		return this.report;
	}

}
