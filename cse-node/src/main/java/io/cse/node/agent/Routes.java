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

	Routes add(String method, String template, Handler handler) {
		this.routes.add(new Route(method, template.split("/"), handler));
		return this;
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

	private record Route(String method, String[] template, Handler handler) {

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
