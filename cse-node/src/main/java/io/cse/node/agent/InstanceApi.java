package io.cse.node.agent;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.cse.CallerText;
import io.cse.node.CseException;
import io.cse.node.activator.Activator;
import io.cse.node.image.Image;
import io.cse.node.instance.Deadline;
import io.cse.node.instance.Frozen;
import io.cse.node.instance.Instance.Endpoint;
import io.cse.node.instance.Node;
import io.cse.node.instance.Snapshot;
import io.cse.node.instance.Started;
import io.cse.node.instance.Thawed;
import io.cse.node.linux.Bridge;
import io.cse.node.linux.Criu;
import io.cse.node.linux.Subnet;

/**
 * The API's routes for instances: what {@code cse run, freeze, thaw, restore, clone, ps,
 * stop} and {@code net} do. Every body is checked before anything changes; an operation on
 * an instance that another one is changing gets a 409.
 */
final class InstanceApi {

	private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

	/** An image folder's name, as a service accepts it: one folder under its images root. */
	private static final Pattern IMAGE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

	/** How long a snapshot may take to be complete, unless the caller says: a dump writes the whole heap. */
	private static final Duration SNAPSHOT_TIMEOUT = Duration.ofMinutes(5);

	/** How long a thaw on request waits for a connection, unless the caller says. */
	private static final Duration ON_REQUEST_TIMEOUT = Duration.ofMinutes(10);

	private final Node node;

	private final Agent.Settings settings;

	private final InstanceLocks locks;

	private final Images images;

	private final Activator activator;

	InstanceApi(Node node, Agent.Settings settings, InstanceLocks locks, Images images,
			Activator activator) {
		this.activator = activator;
		this.node = node;
		this.settings = settings;
		this.locks = locks;
		this.images = images;
	}

	void addTo(Routes routes) {
		routes.add("GET", "/instances", null, (request, variables) -> ApiResponse.json(200, this.node.list()))
			.add("GET", "/instances/{name}", null, (request, variables) -> ApiResponse.json(200, status(variables)))
			.add("POST", "/instances", "run", (request, variables) -> run(request.bodyAs(RunRequest.class)))
			.add("POST", "/instances/{name}/freeze", "freeze",
					(request, variables) -> freeze(existing(variables), request.bodyAs(FreezeRequest.class)))
			.add("POST", "/instances/{name}/thaw", "thaw",
					(request, variables) -> thaw(existing(variables), request.bodyAs(ThawRequest.class)))
			.add("POST", "/instances/{name}/snapshot", "snapshot",
					(request, variables) -> snapshot(existing(variables), request.bodyAs(SnapshotRequest.class)))
			.add("DELETE", "/instances/{name}", "stop", (request, variables) -> stop(existing(variables),
					ApiChecks.duration(request.query().get("grace"), "grace", Duration.ofSeconds(10)),
					ApiChecks.flag(request.query().get("purge"), "purge")))
			.add("POST", "/restores", "restore", (request, variables) -> restore(request.bodyAs(RestoreRequest.class)))
			.add("POST", "/clones", "clone", (request, variables) -> clone(request.bodyAs(CloneRequest.class)))
			.add("PUT", "/bridges/{name}", "bridge-up",
					(request, variables) -> bridgeUp(variables.get("name"), request.bodyAs(BridgeRequest.class)))
			.add("DELETE", "/bridges/{name}", "bridge-down", (request, variables) -> bridgeDown(variables.get("name")));
	}

	private Object status(Map<String, String> variables) {
		String name = existing(variables);
		return this.node.list()
			.stream()
			.filter((status) -> status.instance().name().equals(name))
			.findFirst()
			.orElseThrow(() -> ApiException.notFound(noSuchInstance(name)));
	}

	private ApiResponse run(RunRequest body) {
		String name = ApiChecks.required(body.name(), "name");
		ApiChecks.validName(name);
		if (body.command() == null || body.command().isEmpty()) {
			throw ApiException.badRequest("Give the command that starts the service: \"command\": [\"java\", "
					+ "\"-jar\", \"app.jar\"]");
		}
		int port = (body.port() != null) ? body.port() : 8080;
		if (port < 1 || port > 65535) {
			throw ApiException.badRequest("\"port\" must be between 1 and 65535, not " + port);
		}
		int managementPort = (body.managementPort() != null) ? body.managementPort() : port;
		if (managementPort < 1 || managementPort > 65535) {
			throw ApiException.badRequest("\"managementPort\" must be between 1 and 65535, not " + managementPort);
		}
		String endpointPath = ApiChecks.absolutePath(body.endpointPath(), "endpointPath", Endpoint.DEFAULT_ENDPOINT_PATH);
		Deadline deadline = Deadline.in(ApiChecks.duration(body.timeout(), "timeout", DEFAULT_TIMEOUT));
		try (InstanceLocks.Held held = this.locks.acquire("instance " + name, "run")) {
			requireUnused(name);
			return ApiResponse.json(201,
					this.node.run(name, port, managementPort, endpointPath, body.command(), deadline));
		}
	}

	private ApiResponse freeze(String name, FreezeRequest body) {
		long floorMiB = (body.floorMiB() != null) ? body.floorMiB() : Node.DEFAULT_SQUEEZE_FLOOR / 1024 / 1024;
		if (floorMiB < 1) {
			throw ApiException.badRequest("\"floorMiB\" must be at least 1, not " + floorMiB);
		}
		boolean wake = Boolean.TRUE.equals(body.wakeOnRequest());
		if (wake && !this.activator.running()) {
			throw ApiException.badRequest("\"wakeOnRequest\" needs a resident agent, which watches the instance after "
					+ "this call: start one with 'cse agent' (or use 'cse thaw --on-request', which waits itself)");
		}
		Deadline deadline = (body.timeout() != null)
				? Deadline.in(ApiChecks.duration(body.timeout(), "timeout", DEFAULT_TIMEOUT)) : Deadline.none();
		try (InstanceLocks.Held held = this.locks.acquire("instance " + name, "freeze")) {
			Frozen frozen = this.node.freeze(name, Boolean.TRUE.equals(body.squeeze()), floorMiB * 1024 * 1024,
					deadline);
			if (wake) {
				this.activator.wakeOnRequest(name);
			}
			return ApiResponse.json(200, frozen);
		}
	}

	private ApiResponse snapshot(String name, SnapshotRequest body) {
		if (body.image() != null && !IMAGE_NAME.matcher(body.image()).matches()) {
			throw ApiException.badRequest("'" + CallerText.echoed(body.image()) + "' cannot name an image: use 1 to 64 "
					+ "letters, digits, '.', '_' or '-', starting with a letter or digit");
		}
		boolean template = Boolean.TRUE.equals(body.template());
		int rehearse = (body.rehearse() != null) ? body.rehearse() : 0;
		if (rehearse != 0 && !template) {
			throw ApiException.badRequest("\"rehearse\" prepares a clone template: add \"template\": true, or leave "
					+ "\"rehearse\" out for a dump");
		}
		if (rehearse < 0 || rehearse > Node.MAX_REHEARSALS) {
			throw ApiException.badRequest("\"rehearse\" takes 0 to " + Node.MAX_REHEARSALS
					+ " freezes and thaws (3 is what pools are measured with), not " + rehearse);
		}
		if (rehearse == 0 && body.rehearsalPath() != null) {
			throw ApiException.badRequest("\"rehearsalPath\" is asked for after each rehearsal's thaw: add "
					+ "\"rehearse\": 3, or leave \"rehearsalPath\" out");
		}
		String path = ApiChecks.absolutePath(body.rehearsalPath(), "rehearsalPath", "/");
		Deadline deadline = Deadline.in(ApiChecks.duration(body.timeout(), "timeout", SNAPSHOT_TIMEOUT));
		try (InstanceLocks.Held held = this.locks.acquire("instance " + name, "snapshot")) {
			boolean wait = Boolean.TRUE.equals(body.waitForImage());
			Snapshot snapshot = (rehearse > 0) ? this.node.rehearsedTemplate(name, body.image(), rehearse, path, wait,
					deadline) : this.node.snapshot(name, template, body.image(), wait, deadline);
			return ApiResponse.json(snapshot.complete() ? 201 : 202, snapshot);
		}
	}

	private ApiResponse thaw(String name, ThawRequest body) {
		boolean onRequest = Boolean.TRUE.equals(body.onRequest());
		// With onRequest, the time covers the wait for a connection too: 10 minutes unless asked
		Deadline deadline = (body.timeout() != null || onRequest)
				? Deadline.in(ApiChecks.duration(body.timeout(), "timeout", ON_REQUEST_TIMEOUT)) : Deadline.none();
		try (InstanceLocks.Held held = this.locks.acquire("instance " + name, "thaw")) {
			Thawed thawed = onRequest ? this.node.thawOnRequest(name, deadline) : this.node.thaw(name, deadline);
			return ApiResponse.json(200, thawed);
		}
	}

	private ApiResponse stop(String name, Duration grace, boolean purge) {
		try (InstanceLocks.Held held = this.locks.acquire("instance " + name, "stop")) {
			return ApiResponse.json(200, this.node.stop(name, grace, purge));
		}
	}

	private ApiResponse restore(RestoreRequest body) {
		Deadline deadline = Deadline.in(ApiChecks.duration(body.timeout(), "timeout", DEFAULT_TIMEOUT));
		String image = ApiChecks.required(body.image(), "image");
		if (body.name() != null) {
			ApiChecks.validName(body.name());
			requireUnused(body.name());
		}
		if (body.bridge() != null && !Boolean.TRUE.equals(body.namespace())) {
			throw ApiException.badRequest("\"bridge\" goes with \"namespace\": true");
		}
		String bridge = Boolean.TRUE.equals(body.namespace()) ? this.images.validBridge(bridge(body.bridge())) : null;
		Image found = this.images.find(image);
		Criu criu = this.images.criu();
		Started started = (bridge != null)
				? this.node.restoreInNamespace(found, criu, body.name(), bridge, deadline)
				: this.node.restore(found, criu, body.name(), deadline);
		return ApiResponse.json(201, started);
	}

	private ApiResponse clone(CloneRequest body) {
		Deadline deadline = Deadline.in(ApiChecks.duration(body.timeout(), "timeout", DEFAULT_TIMEOUT));
		String image = ApiChecks.required(body.image(), "image");
		int count = ApiChecks.required(body.count(), "count");
		if (count < 1 || count > 200) {
			throw ApiException.badRequest("\"count\" must be between 1 and 200, not " + count);
		}
		int parallel = (body.parallel() != null) ? body.parallel() : count;
		if (parallel < 1) {
			throw ApiException.badRequest("\"parallel\" must be at least 1, not " + parallel);
		}
		if (body.namePrefix() != null) {
			ApiChecks.validName(body.namePrefix());
		}
		String bridge = this.images.validBridge(bridge(body.bridge()));
		Image found = this.images.find(image);
		Criu criu = this.images.criu();
		List<Started> clones = this.node.clone(found, criu, body.namePrefix(), count, parallel, bridge,
				Boolean.TRUE.equals(body.freezable()), deadline);
		return ApiResponse.json(201, clones);
	}

	private ApiResponse bridgeUp(String name, BridgeRequest body) {
		this.images.validBridge(name);
		Subnet subnet;
		try {
			subnet = (body.subnet() != null) ? Subnet.parse(body.subnet()) : null;
		}
		catch (CseException ex) {
			throw ApiException.badRequest(ex);
		}
		Bridge.State up = this.node.netUp(name, subnet);
		return ApiResponse.json(200, Map.of("bridge", name, "subnet", up.subnet().gatewayCidr(), "created",
				up.created()));
	}

	private ApiResponse bridgeDown(String name) {
		this.images.validBridge(name);
		return ApiResponse.json(200, Map.of("bridge", name, "deleted", this.node.netDown(name)));
	}

	private String bridge(String requested) {
		return (requested != null) ? requested : this.settings.bridge();
	}

	private String existing(Map<String, String> variables) {
		String name = variables.get("name");
		ApiChecks.validName(name);
		if (this.node.registry().find(name).isEmpty()) {
			throw ApiException.notFound(noSuchInstance(name));
		}
		return name;
	}

	/**
	 * A name that another instance has is the caller's to change: a 409 that says so, rather
	 * than the 500 of an operation that failed on the host (the registry refuses it too,
	 * under its lock, for a race with a command that runs without the agent).
	 */
	private void requireUnused(String name) {
		if (this.node.registry().find(name).isPresent()) {
			throw ApiException.conflict("an instance named " + name + " exists already (see 'cse ps', or GET "
					+ "/instances): stop it first ('cse stop " + name + "', or DELETE /instances/" + name
					+ "), or choose another name");
		}
	}

	private static String noSuchInstance(String name) {
		return "no instance named " + name + " (see 'cse ps', or GET /instances)";
	}

	record RunRequest(String name, Integer port, Integer managementPort, String endpointPath, List<String> command,
			String timeout) {

	}

	record FreezeRequest(Boolean squeeze, Long floorMiB, Boolean wakeOnRequest, String timeout) {

	}

	record SnapshotRequest(Boolean template, String image, @JsonProperty("wait") Boolean waitForImage,
			String timeout, Integer rehearse, String rehearsalPath) {

	}

	record ThawRequest(Boolean onRequest, String timeout) {

	}

	record RestoreRequest(String image, String name, Boolean namespace, String bridge, String timeout) {

	}

	record CloneRequest(String image, Integer count, String namePrefix, Integer parallel, String bridge,
			Boolean freezable, String timeout) {

	}

	record BridgeRequest(String subnet) {

	}

}
