package io.cse.snapshot;

/**
 * Thrown when a snapshot could not be taken. The process was not changed and keeps
 * running; no image was left behind.
 */
public class SnapshotException extends Exception {

	/**
	 * Create a new exception.
	 * @param message what went wrong and what to do
	 */
	public SnapshotException(String message) {
		super(message);
	}

	/**
	 * Create a new exception.
	 * @param message what went wrong and what to do
	 * @param cause the cause
	 */
	public SnapshotException(String message, Throwable cause) {
		super(message, cause);
	}

}
