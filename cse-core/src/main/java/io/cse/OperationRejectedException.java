package io.cse;

/**
 * Thrown when an operation cannot start: the instance is in the wrong state for it, or
 * another operation is under way. Nothing was changed.
 */
public class OperationRejectedException extends RuntimeException {

	private final InstanceState state;

	/**
	 * Create a new exception.
	 * @param message what is wrong and what to do instead
	 * @param state the state of the instance when the operation was refused
	 */
	public OperationRejectedException(String message, InstanceState state) {
		super(message);
		this.state = state;
	}

	/**
	 * Return the state of the instance when the operation was refused.
	 * @return the current state
	 */
	public InstanceState getState() {
		return this.state;
	}

}
