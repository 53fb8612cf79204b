package io.cse.node.agent;

/**
 * A request the agent answers with an error status: the message says what is wrong and
 * what to do, and nothing was changed.
 */
public class ApiException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	private final int status;

	public ApiException(int status, String message) {
		super(message);
		this.status = status;
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

	static ApiException notFound(String message) {
		return new ApiException(404, message);
	}

	static ApiException conflict(String message) {
		return new ApiException(409, message);
	}

}
