package io.cse.node.agent;

import io.cse.node.CseException;
import io.cse.node.CseException.Reason;

/**
 * A request the agent answers with an error status: the message says what is wrong and
 * what to do, and nothing was changed.
 */
public class ApiException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	private final int status;

	private final Reason reason;

	public ApiException(int status, String message) {
		this(status, ApiResponse.reasonOf(status), message);
	}

	ApiException(int status, Reason reason, String message) {
		super(message);
		this.status = status;
		this.reason = reason;
	}

	/**
	 * Return why the request failed, as the error body's {@code reason} says it.
	 * @return the reason
	 */
	public Reason reason() {
		return this.reason;
	}

	/**
	 * Return the HTTP status the agent answers with.
	 * @return the status, 4xx or 5xx
	 */
	public int status() {
		return this.status;
	}

	static ApiException badRequest(String message) {
		return new ApiException(400, message);
	}

	/**
	 * A request whose body names something wrong: answered {@code 400}, with the reason
	 * of the failure where it has one (an image that does not exist is {@code not-found}).
	 * @param ex what reading the body's values found
	 * @return the exception
	 */
	static ApiException badRequest(CseException ex) {
		Reason reason = (ex.reason() != Reason.FAILED) ? ex.reason() : Reason.INVALID;
		return new ApiException(400, reason, ex.getMessage());
	}

	static ApiException notFound(String message) {
		return new ApiException(404, message);
	}

	static ApiException conflict(String message) {
		return new ApiException(409, message);
	}

}
