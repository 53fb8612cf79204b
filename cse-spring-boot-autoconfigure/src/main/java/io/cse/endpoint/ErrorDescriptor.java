package io.cse.endpoint;

import com.fasterxml.jackson.annotation.JsonInclude;

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
	 * @return the state's name, or {@code null} where the caller may not know it
	 */
	@JsonInclude(JsonInclude.Include.NON_NULL)
	public String getState() {
		return this.state;
	}

}
