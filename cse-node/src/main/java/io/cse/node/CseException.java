package io.cse.node;

import java.util.Locale;

/**
 * A failure of the node agent whose message says what is wrong and what to do, with the
 * {@link Reason} a script tells failures apart by: the agent's API answers it as the
 * {@code reason} of its error body, and {@code cse} as its exit code.
 */
public class CseException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	private final Reason reason;

	public CseException(String message) {
		this(Reason.FAILED, message, null);
	}

	public CseException(String message, Throwable cause) {
		this(Reason.FAILED, message, cause);
	}

	public CseException(Reason reason, String message) {
		this(reason, message, null);
	}

	public CseException(Reason reason, String message, Throwable cause) {
		super(message, cause);
		this.reason = reason;
	}

	/**
	 * A failure for something named that does not exist: an instance, an image, a pool.
	 * @param message what, and where to look
	 * @return the failure
	 */
	public static CseException notFound(String message) {
		return new CseException(Reason.NOT_FOUND, message);
	}

	/**
	 * A failure for a wait that ran out of time.
	 * @param message what did not happen in time, and what to do
	 * @return the failure
	 */
	public static CseException timedOut(String message) {
		return new CseException(Reason.TIMED_OUT, message);
	}

	/**
	 * A failure for something the host lacks: root, CRIU, a cgroup hierarchy, swap.
	 * @param message what is missing, and how to get it
	 * @return the failure
	 */
	public static CseException prerequisiteMissing(String message) {
		return new CseException(Reason.PREREQUISITE_MISSING, message);
	}

	/**
	 * A failure for an operation that the state of things does not allow: a name in use,
	 * an instance locked by another operation, an image of another user.
	 * @param message why, and what to do
	 * @return the failure
	 */
	public static CseException refused(String message) {
		return new CseException(Reason.REFUSED, message);
	}

	/**
	 * Return why the operation failed, as a script tells it from other failures.
	 * @return the reason
	 */
	public Reason reason() {
		return this.reason;
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

	/**
	 * Why an operation failed, each with the exit code of {@code cse} and the
	 * {@code reason} of the agent's error body. The same in every command.
	 */
	public enum Reason {

		/** It failed for another reason: the message says why. */
		FAILED(1),

		/** The request or the command line is invalid (an unknown option, a bad value). */
		INVALID(2),

		/** What it names does not exist. */
		NOT_FOUND(3),

		/** A wait ran out of time (its timeout, or {@code --timeout}). */
		TIMED_OUT(4),

		/** The host lacks what the operation needs: root, CRIU, cgroups, swap. */
		PREREQUISITE_MISSING(5),

		/** The state of things does not allow it: a name in use, an operation under way. */
		REFUSED(6);

		private final int exitCode;

		Reason(int exitCode) {
			this.exitCode = exitCode;
		}

		/**
		 * Return the exit code of {@code cse} for this reason.
		 * @return the code
		 */
		public int exitCode() {
			return this.exitCode;
		}

		/**
		 * Return the reason as the agent's error body spells it: {@code not-found}.
		 * @return the value
		 */
		public String value() {
			return name().toLowerCase(Locale.ROOT).replace('_', '-');
		}

		/**
		 * Return the reason an error body spells, or {@link #FAILED} for one this
		 * client does not know (an agent of a later version).
		 * @param value the body's {@code reason}
		 * @return the reason
		 */
		public static Reason of(String value) {
			for (Reason reason : values()) {
				if (reason.value().equals(value)) {
					return reason;
				}
			}
			return FAILED;
		}

	}

}
