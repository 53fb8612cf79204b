package io.cse.web;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import io.cse.CallerText;

/**
 * What the CSE endpoint answers for a request that Spring refuses before the endpoint sees
 * it: a body that is not a JSON object of parameters, a method the endpoint does not map,
 * a content type it does not read or an answer type it cannot give.
 * <p>
 * Spring's own error answer names the status and the path only (its message is left out
 * unless {@code server.error.include-message} says otherwise, which is the application's
 * choice for its own pages). A platform that scripts the endpoint needs to know what to
 * send instead, so the traffic gate's filters, which see every request to the endpoint,
 * answer these as the endpoint answers its own refusals: {@code {"error": "..."}} with what
 * to do. Nothing ran: Spring refused the request before any operation.
 */
final class EndpointErrorAnswers {

	/** The content type of an answer. */
	static final String CONTENT_TYPE = "application/json;charset=UTF-8";

	private EndpointErrorAnswers() {
	}

	/**
	 * Return the answer to a refused request to the endpoint.
	 * @param status the status Spring answers
	 * @param reason Spring's reason, if it gives one
	 * @param method the request's method
	 * @param path the request's path
	 * @param allow the {@code Allow} header Spring set, for a {@code 405}: the methods the
	 * path takes
	 * @return the answer's body, or {@code null} for a status that is not a refusal of the
	 * request's form (an error of the application's own security, for example), which keeps
	 * Spring's answer
	 */
	static byte[] body(int status, String reason, String method, String path, String allow) {
		List<String> allowed = allowed(allow);
		String request = method + " " + CallerText.echoed(path);
		String error;
		switch (status) {
			case 400:
				error = request + " could not be read, nothing was done"
						+ (isBlank(reason) ? "" : " (" + CallerText.echoed(reason) + ")") + ": "
						+ ("GET".equals(method) ? "check its query parameters"
								: "send a JSON object of parameters, such as {\"thawOnRequest\": false}, or no body");
				break;
			case 405:
				error = request + " is not an operation of this endpoint, nothing was done: use "
						+ (allowed.isEmpty() ? "GET /actuator/cse or POST /actuator/cse/{action}"
								: String.join(" or ", allowed) + " on this path");
				break;
			case 415:
				error = request + " has a body of a type the endpoint does not read, nothing was done: "
						+ "send application/json, or no body";
				break;
			case 406:
				error = request + " asks for an answer the endpoint cannot give, nothing was done: "
						+ "accept application/json";
				break;
			default:
				return null;
		}
		return ("{\"error\":" + quoted(error) + "}").getBytes(StandardCharsets.UTF_8);
	}

	private static List<String> allowed(String allow) {
		List<String> allowed = new ArrayList<>();
		if (allow != null) {
			for (String method : allow.split(",")) {
				String trimmed = method.trim();
				// HEAD and OPTIONS come with every mapping: they are not what to use instead
				if (!trimmed.isEmpty() && !"HEAD".equals(trimmed) && !"OPTIONS".equals(trimmed)) {
					allowed.add(trimmed);
				}
			}
		}
		// The same order on every stack
		Collections.sort(allowed);
		return allowed;
	}

	private static boolean isBlank(String reason) {
		return reason == null || reason.trim().isEmpty();
	}

	private static String quoted(String text) {
		StringBuilder json = new StringBuilder(text.length() + 2).append('"');
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (c == '"' || c == '\\') {
				json.append('\\').append(c);
			}
			else if (c < 0x20) {
				json.append(String.format("\\u%04x", (int) c));
			}
			else {
				json.append(c);
			}
		}
		return json.append('"').toString();
	}

}
