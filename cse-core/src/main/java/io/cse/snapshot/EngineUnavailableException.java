package io.cse.snapshot;

/**
 * Thrown when a dump or a clone is requested from a process that no engine can snapshot.
 */
public class EngineUnavailableException extends RuntimeException {

	/**
	 * Create a new exception.
	 * @param message why no engine can snapshot the process, and what to install
	 */
	public EngineUnavailableException(String message) {
		super(message);
	}

}
