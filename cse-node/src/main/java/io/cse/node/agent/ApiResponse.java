package io.cse.node.agent;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.cse.node.CseException.Reason;

/**
 * One answer of the agent's API.
 *
 * @param status the HTTP status
 * @param contentType the body's media type
 * @param body the body
 */
public record ApiResponse(int status, String contentType, byte[] body) {

	static final String JSON_TYPE = "application/json";

	/**
	 * An answer with a JSON body.
	 * @param status the HTTP status
	 * @param value what to write as JSON
	 * @return the answer
	 */
	public static ApiResponse json(int status, Object value) {
		try {
			return new ApiResponse(status, JSON_TYPE, ApiRequest.JSON.writeValueAsBytes(value));
		}
		catch (JsonProcessingException ex) {
			throw new IllegalStateException("Cannot write " + value.getClass().getName() + " as JSON", ex);
		}
	}

	/**
	 * An error answer: {@code {"status": 404, "error": "..."}}.
	 * @param status the HTTP status
	 * @param message what is wrong and what to do
	 * @return the answer
	 */
	public static ApiResponse error(int status, String message) {
		return error(status, reasonOf(status), message);
	}

	/**
	 * An error answer: {@code {"status": 404, "reason": "not-found", "error": "..."}}.
	 * @param status the HTTP status
	 * @param reason why, as a script tells it from other failures (the exit code of
	 * {@code cse})
	 * @param message what is wrong and what to do
	 * @return the answer
	 */
	public static ApiResponse error(int status, Reason reason, String message) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("status", status);
		body.put("reason", reason.value());
		body.put("error", message);
		return json(status, body);
	}

	/**
	 * Return the reason an error status says by itself.
	 * @param status the HTTP status, 4xx or 5xx
	 * @return the reason
	 */
	static Reason reasonOf(int status) {
		switch (status) {
			case 404:
				return Reason.NOT_FOUND;
			case 409:
				return Reason.REFUSED;
			case 504:
				return Reason.TIMED_OUT;
			default:
				return (status < 500) ? Reason.INVALID : Reason.FAILED;
		}
	}

	/**
	 * Return the status the agent answers a failure of an operation with.
	 * @param reason why it failed
	 * @return the HTTP status
	 */
	static int statusOf(Reason reason) {
		switch (reason) {
			case INVALID:
				return 400;
			case NOT_FOUND:
				return 404;
			case REFUSED:
				return 409;
			case PREREQUISITE_MISSING:
				return 503;
			case TIMED_OUT:
				return 504;
			default:
				return 500;
		}
	}

	/**
	 * A plain-text answer.
	 * @param status the HTTP status
	 * @param contentType the media type
	 * @param text the body
	 * @return the answer
	 */
	public static ApiResponse text(int status, String contentType, String text) {
		return new ApiResponse(status, contentType, text.getBytes(StandardCharsets.UTF_8));
	}

	/**
	 * Return the body as text.
	 * @return the body, read as UTF-8
	 */
	public String bodyText() {
		return new String(this.body, StandardCharsets.UTF_8);
	}

}
