package io.cse.endpoint;

/**
 * Why a request was refused.
 */
public final class ErrorDescriptor {

	private final String error;

	private final String state;

	ErrorDescriptor(String error, String state) {
		this.error = error;
		this.state = state;
	}

	/**
	 * Return what is wrong and what to do.
	 * @return the error
	 */
	public String getError() {
		return this.error;
	}

	/**
	 * Return the state of the instance, unchanged by the request.
	 * @return the state's name
	 */
	public String getState() {
		return this.state;
	}

}
