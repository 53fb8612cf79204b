package io.cse.node.agent;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The agent's route table: a method and a path template ({@code /instances/{name}/freeze})
 * to a handler. Unknown paths answer 404 and a known path with another method 405, both
 * naming what exists, so that a caller sees what to send instead.
 */
final class Routes {

	private final List<Route> routes = new ArrayList<>();

	/**
	 * Add a route.
	 * @param method the HTTP method
	 * @param template the path, with {@code {variables}} for whole segments
	 * @param operation what metrics call it ({@code freeze}); {@code null} for a route that
	 * only reads
	 * @param handler answers it
	 * @return this table
	 */
	Routes add(String method, String template, String operation, Handler handler) {
		this.routes.add(new Route(method, template.split("/"), operation, handler));
		return this;
	}

	/**
	 * Return what metrics call the operation a request asks for.
	 * @param request the request
	 * @return the route's operation, or {@code null} for a route that only reads or for no
	 * route
	 */
	String operationOf(ApiRequest request) {
		String[] segments = request.path().split("/");
		for (Route route : this.routes) {
			if (route.method().equals(request.method()) && route.match(segments) != null) {
				return route.operation();
			}
		}
		return null;
	}

	ApiResponse handle(ApiRequest request) {
		String[] segments = request.path().split("/");
		TreeSet<String> allowed = new TreeSet<>();
		for (Route route : this.routes) {
			Map<String, String> variables = route.match(segments);
			if (variables != null) {
				if (route.method().equals(request.method())) {
					return route.handler().handle(request, variables);
				}
				allowed.add(route.method());
			}
		}
		if (!allowed.isEmpty()) {
			return ApiResponse.error(405, request.method() + " " + request.path() + " is not a route: use "
					+ String.join(" or ", allowed));
		}
		return ApiResponse.error(404, "No route " + request.method() + " " + request.path()
				+ " (see docs/agent-api.md for the routes)");
	}

	/**
	 * Answers one route.
	 */
	@FunctionalInterface
	interface Handler {

		ApiResponse handle(ApiRequest request, Map<String, String> variables);

	}

	private record Route(String method, String[] template, String operation, Handler handler) {

		Map<String, String> match(String[] segments) {
			if (segments.length != this.template.length) {
				return null;
			}
			Map<String, String> variables = new LinkedHashMap<>();
			for (int i = 0; i < segments.length; i++) {
				String expected = this.template[i];
				if (expected.startsWith("{") && expected.endsWith("}")) {
					if (segments[i].isEmpty()) {
						return null;
					}
					variables.put(expected.substring(1, expected.length() - 1), segments[i]);
				}
				else if (!expected.equals(segments[i])) {
					return null;
				}
			}
			return variables;
		}

	}

}
