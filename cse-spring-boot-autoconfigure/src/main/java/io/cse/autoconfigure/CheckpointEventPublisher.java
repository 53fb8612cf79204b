package io.cse.autoconfigure;

import io.cse.CheckpointContext.Resumption;
import io.cse.CheckpointCoordinator;
import io.cse.CheckpointListener;
import io.cse.InstanceIdentity;
import io.cse.InstanceState;
import io.cse.OperationReport;
import io.cse.event.InstanceRestoredEvent;
import io.cse.event.InstanceStateChangedEvent;
import io.cse.event.OperationCompletedEvent;

import org.springframework.context.ApplicationEventPublisher;

/**
 * Turns what the coordinator does into application events, so that beans of the
 * application can listen to them as to any other event.
 */
final class CheckpointEventPublisher implements CheckpointListener {

	private final CheckpointCoordinator coordinator;

	private final ApplicationEventPublisher eventPublisher;

	CheckpointEventPublisher(CheckpointCoordinator coordinator, ApplicationEventPublisher eventPublisher) {
		this.coordinator = coordinator;
		this.eventPublisher = eventPublisher;
	}

	@Override
	public void stateChanged(InstanceState previous, InstanceState next) {
		this.eventPublisher.publishEvent(new InstanceStateChangedEvent(this.coordinator, previous, next));
	}

	@Override
	public void operationCompleted(OperationReport report) {
		this.eventPublisher.publishEvent(new OperationCompletedEvent(this.coordinator, report));
	}

	@Override
	public void restored(InstanceIdentity identity, Resumption resumption, String imageId) {
		this.eventPublisher.publishEvent(new InstanceRestoredEvent(this.coordinator, identity, resumption, imageId));
	}

}
