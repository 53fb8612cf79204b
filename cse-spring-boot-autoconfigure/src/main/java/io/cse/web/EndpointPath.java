package io.cse.web;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Whether a request's path reaches the CSE endpoint, read the way Spring's request
 * mapping reads it: segment by segment, each percent-decoded and without its matrix
 * parameters ({@code ;name=value}). A request the gate lets through as the endpoint's
 * must reach nothing else: a path with an empty, {@code .} or {@code ..} segment, or an
 * encoded slash, is never the endpoint's, as a container or a path matcher that resolves
 * such segments could map {@code /actuator/cse/../../orders} to the application. Such a
 * path is treated as the application's traffic, and held while the instance is frozen.
 */
final class EndpointPath {

	private final List<String> segments;

	/**
	 * The endpoint's path as a plain request spells it ({@code /actuator/cse}), or
	 * {@code null} if it has characters that only the full reading compares right.
	 */
	private final String plain;

	EndpointPath(String endpointPath) {
		this.segments = segments(endpointPath);
		if (this.segments == null || this.segments.isEmpty()) {
			throw new IllegalArgumentException("The endpoint's path must be a plain absolute path, not '"
					+ endpointPath + "'");
		}
		String joined = "/" + String.join("/", this.segments);
		this.plain = isPlain(joined) ? joined : null;
	}

	/**
	 * Return whether a path reaches the endpoint, or an operation below it.
	 * @param pathWithinApplication the request's path as it was sent, without the
	 * application's own (context) path
	 * @return whether the request is for the endpoint
	 */
	boolean matches(String pathWithinApplication) {
		// Every request goes through here: a plain path, the usual kind, is read as it is
		if (this.plain != null && pathWithinApplication != null && isPlain(pathWithinApplication)) {
			return pathWithinApplication.startsWith(this.plain)
					&& (pathWithinApplication.length() == this.plain.length()
							|| pathWithinApplication.charAt(this.plain.length()) == '/');
		}
		List<String> requested = segments(pathWithinApplication);
		return requested != null && requested.size() >= this.segments.size()
				&& requested.subList(0, this.segments.size()).equals(this.segments);
	}

	/**
	 * Whether a path means what it spells: absolute, nothing encoded, no matrix parameter,
	 * query, dot segment or empty segment.
	 */
	private static boolean isPlain(String path) {
		if (!path.startsWith("/") || path.contains("//")) {
			return false;
		}
		for (int i = 0; i < path.length(); i++) {
			char c = path.charAt(i);
			if (c == '%' || c == ';' || c == '.' || c == '?' || c == '\\') {
				return false;
			}
		}
		return true;
	}

	/**
	 * The decoded segments of a path, or {@code null} if the path has a segment that a
	 * container or a path matcher could resolve to another path.
	 */
	private static List<String> segments(String path) {
		if (path == null || !path.startsWith("/")) {
			return null;
		}
		int query = path.indexOf('?');
		String withoutQuery = (query >= 0) ? path.substring(0, query) : path;
		List<String> segments = new ArrayList<>();
		String[] raw = withoutQuery.substring(1).split("/", -1);
		for (int i = 0; i < raw.length; i++) {
			String segment = raw[i];
			int matrix = segment.indexOf(';');
			if (matrix >= 0) {
				segment = segment.substring(0, matrix);
			}
			String decoded = decode(segment);
			boolean trailingSlash = (i == raw.length - 1) && segment.isEmpty() && i > 0;
			if (trailingSlash) {
				continue;
			}
			if (decoded == null || decoded.isEmpty() || decoded.equals(".") || decoded.equals("..")
					|| decoded.indexOf('/') >= 0 || decoded.indexOf('\\') >= 0) {
				return null;
			}
			segments.add(decoded);
		}
		return segments;
	}

	/** Percent-decodes one segment ('+' is a plus sign in a path), or null if malformed. */
	private static String decode(String segment) {
		if (segment.indexOf('%') < 0) {
			return segment;
		}
		ByteArrayOutputStream bytes = new ByteArrayOutputStream(segment.length());
		for (int i = 0; i < segment.length(); i++) {
			char c = segment.charAt(i);
			if (c != '%') {
				byte[] encoded = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
				bytes.write(encoded, 0, encoded.length);
				continue;
			}
			if (i + 2 >= segment.length()) {
				return null;
			}
			int high = Character.digit(segment.charAt(i + 1), 16);
			int low = Character.digit(segment.charAt(i + 2), 16);
			if (high < 0 || low < 0) {
				return null;
			}
			bytes.write((high << 4) + low);
			i += 2;
		}
		return new String(bytes.toByteArray(), StandardCharsets.UTF_8);
	}

}
