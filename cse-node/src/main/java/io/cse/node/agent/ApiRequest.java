package io.cse.node.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;

/**
 * One request to the agent's API.
 *
 * @param method the HTTP method, upper case
 * @param path the path, without its query
 * @param query the query parameters (the last value of a repeated one)
 * @param headers the headers, by lower-case name
 * @param body the body, empty when none was sent
 */
public record ApiRequest(String method, String path, Map<String, String> query, Map<String, String> headers,
		byte[] body) {

	static final ObjectMapper JSON = new ObjectMapper()
		.configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

	/**
	 * A request as a client would send it, for a caller that hands it to an {@link Agent} in
	 * its own process.
	 * @param method the HTTP method
	 * @param target the path and query
	 * @param body what to send as JSON, or {@code null}
	 * @return the request
	 */
	public static ApiRequest of(String method, String target, Object body) {
		byte[] bytes;
		try {
			bytes = (body != null) ? JSON.writeValueAsBytes(body) : new byte[0];
		}
		catch (IOException ex) {
			throw new IllegalArgumentException("Cannot write " + body.getClass().getName() + " as JSON", ex);
		}
		int question = target.indexOf('?');
		String path = (question < 0) ? target : target.substring(0, question);
		Map<String, String> query = (question < 0) ? Map.of() : HttpCodec.query(target.substring(question + 1));
		return new ApiRequest(method, HttpCodec.decode(path), query, Map.of(), bytes);
	}

	/**
	 * Return the body read as JSON into the given type; an empty body reads as {@code {}}.
	 * @param <T> the body's type
	 * @param type the body's type
	 * @return the body
	 * @throws ApiException (400) when the body is not JSON of that shape
	 */
	public <T> T bodyAs(Class<T> type) {
		byte[] json = (this.body.length == 0) ? "{}".getBytes(StandardCharsets.UTF_8) : this.body;
		try {
			return JSON.readValue(json, type);
		}
		catch (UnrecognizedPropertyException ex) {
			// Jackson's own message names the request's Java class: say what the route takes instead
			List<String> known = ex.getKnownPropertyIds().stream().map(String::valueOf).sorted().toList();
			throw ApiException.badRequest("The body of " + this.method + " " + this.path + " has no field \""
					+ ex.getPropertyName() + "\": it takes " + String.join(", ", known) + " (see docs/agent-api.md)");
		}
		catch (IOException ex) {
			throw ApiException.badRequest("The body of " + this.method + " " + this.path + " is not valid JSON for "
					+ "this route: " + firstLine(ex.getMessage()) + " (see docs/agent-api.md for the fields)");
		}
	}

	/**
	 * Return a header's value.
	 * @param name the header's name, any case
	 * @return its value, if it was sent
	 */
	public Optional<String> header(String name) {
		return Optional.ofNullable(this.headers.get(name.toLowerCase(java.util.Locale.ROOT)));
	}

	private static String firstLine(String message) {
		if (message == null) {
			return "unreadable";
		}
		int end = message.indexOf('\n');
		return (end < 0) ? message : message.substring(0, end);
	}

}
