package io.cse.node;

/**
 * An operation of the {@code cse} command that failed for a reason the user can act on.
 * The message says what went wrong and what to do; the command prints it and exits with 1.
 */
public class CseException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	public CseException(String message) {
		super(message);
	}

	public CseException(String message, Throwable cause) {
		super(message, cause);
	}

}
