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

	/**
	 * The text to show for a failure: the message of one of ours, which says what to do,
	 * or the whole {@code toString()} of anything else, whose message alone may say nothing.
	 * @param ex the failure
	 * @return the text
	 */
	public static String messageOf(Throwable ex) {
		return (ex instanceof CseException) ? ex.getMessage() : ex.toString();
	}

}
