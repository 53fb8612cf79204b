package io.cse.event;

import io.cse.CheckpointCoordinator;
import io.cse.InstanceState;
import org.springframework.context.ApplicationEvent;

/**
 * Published by the {@link CheckpointCoordinator} every time the instance changes state.
 */
public class InstanceStateChangedEvent extends ApplicationEvent {

	private final InstanceState previous;

	private final InstanceState state;

	/**
	 * Create a new event.
	 * @param coordinator the coordinator whose state changed
	 * @param previous the state before the change
	 * @param state the state after the change
	 */
	public InstanceStateChangedEvent(CheckpointCoordinator coordinator, InstanceState previous, InstanceState state) {
		super(coordinator);
		this.previous = previous;
		this.state = state;
	}

	/**
	 * Return the state before the change.
	 * @return the previous state
	 */
	public InstanceState getPrevious() {
		return this.previous;
	}

	/**
	 * Return the state after the change.
	 * @return the new state
	 */
	public InstanceState getState() {
		return this.state;
	}

}
