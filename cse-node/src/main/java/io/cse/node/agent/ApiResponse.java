package io.cse.node.agent;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;

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
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("status", status);
		body.put("error", message);
		return json(status, body);
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
