package io.cse.node.agent;

import java.time.Duration;
import java.util.Map;

import io.cse.node.instance.Deadline;
import io.cse.node.pool.Pools;

/**
 * The API's routes for pools of frozen clones: {@code POST /pools} makes one and fills it,
 * {@code POST /pools/{name}/take} thaws one of its clones for the caller.
 */
final class PoolApi {

	private static final int MAX_SIZE = 50;

	private final Pools pools;

	private final InstanceLocks locks;

	private final Images images;

	PoolApi(Pools pools, InstanceLocks locks, Images images) {
		this.pools = pools;
		this.locks = locks;
		this.images = images;
	}

	void addTo(Routes routes) {
		routes.add("GET", "/pools", null, (request, variables) -> ApiResponse.json(200, this.pools.list()))
			.add("GET", "/pools/{name}", null,
					(request, variables) -> ApiResponse.json(200, this.pools.status(existing(variables))))
			.add("POST", "/pools", "pool-create", (request, variables) -> create(request.bodyAs(CreateRequest.class)))
			.add("POST", "/pools/{name}/take", "pool-take",
					(request, variables) -> take(existing(variables), request.bodyAs(TakeRequest.class)))
			.add("DELETE", "/pools/{name}", "pool-delete", (request, variables) -> delete(existing(variables)));
	}

	private ApiResponse create(CreateRequest body) {
		String name = ApiChecks.required(body.name(), "name");
		ApiChecks.validName(name);
		if (name.length() > 32) {
			throw ApiException.badRequest("A pool's name has at most 32 characters (its clones are named NAME-N), not "
					+ name.length());
		}
		String template = ApiChecks.required(body.template(), "template");
		int size = ApiChecks.required(body.size(), "size");
		if (size < 1 || size > MAX_SIZE) {
			throw ApiException.badRequest("\"size\" must be between 1 and " + MAX_SIZE + ", not " + size);
		}
		if (!this.images.find(template).isTemplate()) {
			throw ApiException.badRequest("Image " + template + " is a dump of one instance, not a template: its "
					+ "clones would all be the same instance; take a template of the service for a pool "
					+ "(POST /actuator/cse/clone on the service)");
		}
		String bridge = (body.bridge() != null) ? this.images.validBridge(body.bridge()) : null;
		try (InstanceLocks.Held held = this.locks.acquire("pool " + name, "create")) {
			if (this.pools.exists(name)) {
				throw ApiException.conflict("A pool named " + name + " exists already: take from it, or delete it "
						+ "first (DELETE /pools/" + name + ")");
			}
			return ApiResponse.json(201, this.pools.create(name, template, size, Boolean.TRUE.equals(body.squeeze()),
					bridge, ApiChecks.duration(body.timeout(), "timeout", Duration.ofSeconds(120))));
		}
	}

	private ApiResponse take(String name, TakeRequest body) {
		Deadline deadline = (body.timeout() != null)
				? Deadline.in(ApiChecks.duration(body.timeout(), "timeout", Duration.ZERO)) : Deadline.none();
		return ApiResponse.json(200, this.pools.take(name, deadline));
	}

	private ApiResponse delete(String name) {
		try (InstanceLocks.Held held = this.locks.acquire("pool " + name, "delete")) {
			return ApiResponse.json(200, Map.of("pool", name, "stopped", this.pools.delete(name)));
		}
	}

	private String existing(Map<String, String> variables) {
		String name = variables.get("name");
		ApiChecks.validName(name);
		if (!this.pools.exists(name)) {
			throw ApiException.notFound("no pool named " + name + " (see 'cse pool ls', or GET /pools)");
		}
		return name;
	}

	record TakeRequest(String timeout) {

	}

	record CreateRequest(String name, String template, Integer size, Boolean squeeze, String bridge, String timeout) {

	}

}
