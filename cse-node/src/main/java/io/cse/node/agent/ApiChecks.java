package io.cse.node.agent;

import java.time.Duration;

import io.cse.CallerText;
import io.cse.node.CseException;
import io.cse.node.DurationText;
import io.cse.node.instance.Registry;

/**
 * The checks every route makes of a request before it changes anything; each failure is a
 * 400 that says what to send instead.
 */
final class ApiChecks {

	private ApiChecks() {
	}

	static void validName(String name) {
		try {
			Registry.requireValidName(name);
		}
		catch (CseException ex) {
			throw ApiException.badRequest(ex);
		}
	}

	static <T> T required(T value, String field) {
		if (value == null) {
			throw ApiException.badRequest("The body needs \"" + field + "\" (see docs/agent-api.md)");
		}
		return value;
	}

	/**
	 * A path on an instance's port, as the body gave it.
	 * @param value the body's value, or {@code null}
	 * @param field the field's name, for the message
	 * @param fallback the path when the body gave none
	 * @return the path
	 */
	static String absolutePath(String value, String field, String fallback) {
		String path = (value != null) ? value : fallback;
		// a path of the instance's own, never one that leaves it or adds a query to what the agent asks
		if (!path.startsWith("/") || path.contains("..") || path.contains("?") || path.contains("//")
				|| path.chars().anyMatch((c) -> c <= ' ' || c == '#' || c == '\\' || c >= 0x7f)) {
			throw ApiException.badRequest("\"" + field + "\" must be an absolute path such as " + fallback + ", not '"
					+ CallerText.echoed(path) + "'");
		}
		return path;
	}

	static Duration duration(String text, String field, Duration fallback) {
		if (text == null) {
			return fallback;
		}
		try {
			Duration duration = DurationText.parse(text);
			if (duration.isNegative() || duration.isZero()) {
				throw new IllegalArgumentException("'" + text + "' is not a positive duration");
			}
			return duration;
		}
		catch (IllegalArgumentException ex) {
			throw ApiException.badRequest("\"" + field + "\": " + ex.getMessage());
		}
	}

	/**
	 * A query parameter that is a flag: absent or {@code false} is off, {@code true} on.
	 * @param value the parameter's value, or {@code null}
	 * @param name its name, for the message
	 * @return whether it is on
	 */
	static boolean flag(String value, String name) {
		if (value == null || value.equals("false")) {
			return false;
		}
		if (value.equals("true")) {
			return true;
		}
		throw ApiException.badRequest("\"" + name + "\": '" + CallerText.echoed(value) + "' is no flag: write true or false");
	}

}
