package io.cse.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cse.node.agent.Agent;
import io.cse.node.agent.AgentClient;
import io.cse.node.agent.AgentServer;
import io.cse.node.agent.ApiResponse;
import io.cse.node.instance.Frozen;
import io.cse.node.instance.Instance;
import io.cse.node.instance.NodeContext;
import io.cse.node.instance.Snapshot;
import io.cse.node.instance.Started;
import io.cse.node.instance.Thawed;
import io.cse.node.pool.PoolStatus;
import io.cse.node.pool.Taken;

/**
 * The node agent as the benchmarks reach it: over its API, on a Unix socket, as a platform
 * would. Either an {@link Agent} this JVM serves on a socket of its own for the length of
 * the benchmark, or a resident agent ({@code cse agent}) the operator names. Every
 * operation is one request; the agent's own timings come back as the JSON records it
 * answers with ({@link Started}, {@link Frozen}, {@link Thawed}), and each call is also
 * timed on this side, from the send to the answer: the platform's view.
 * <p>
 * It remembers the instances it started and stops those, and only those, when it is
 * closed: a resident agent may run other people's.
 */
final class AgentSession implements AutoCloseable {

	private static final ObjectMapper JSON = new ObjectMapper()
		.configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

	private static final Duration POOL_SETTLE_TIMEOUT = Duration.ofMinutes(3);

	private final AgentClient client;

	private final Path socket;

	private final AgentServer server;

	// takes from a pool may run in parallel
	private final Set<String> started = Collections.synchronizedSet(new LinkedHashSet<>());

	private final Set<String> pools = new LinkedHashSet<>();

	private AgentSession(Path socket, AgentServer server) {
		this.socket = socket;
		this.client = new AgentClient(socket);
		this.server = server;
	}

	/**
	 * Serve an agent in this JVM on a socket of its own.
	 * @param socket where it listens (its folder is made with mode 0700)
	 * @param stateDir its registry and the services' logs
	 * @param imagesRoot where images given by id are found
	 * @return the session, to close
	 */
	static AgentSession serve(Path socket, Path stateDir, Path imagesRoot) {
		// POST /pools names no bridge: its clones hang on the agent's own, which must be the
		// benchmark's, where the database listens and trusts the subnet
		Agent agent = new Agent(NodeContext.local(), new Agent.Settings(stateDir, imagesRoot, null, Workbench.BRIDGE));
		return new AgentSession(socket, agent.serve(socket, null));
	}

	/**
	 * Work with a resident agent.
	 * @param socket where it listens
	 * @return the session; closing it stops what it started, not the agent
	 * @throws IOException when no agent answers there
	 */
	static AgentSession resident(Path socket) throws IOException {
		if (!AgentClient.answers(socket)) {
			throw new IOException("No agent answers on " + socket + ": start one with 'cse agent --socket " + socket
					+ "', or leave --agent-socket out to have the benchmark serve its own");
		}
		return new AgentSession(socket, null);
	}

	/**
	 * Where the agent listens: what a {@code cse} command is pointed at
	 * ({@code CSE_AGENT_SOCKET}) to be its client.
	 * @return the socket's path
	 */
	Path socket() {
		return this.socket;
	}

	/**
	 * {@code POST /instances}: start a service in cgroups of its own.
	 * @param name the instance's name
	 * @param port where it answers
	 * @param command its command line
	 * @param timeout how long it may take to answer 200
	 * @return what the agent answered, timed from the send
	 */
	Timed<Started> run(String name, int port, List<String> command, Duration timeout) throws IOException {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("name", name);
		body.put("port", port);
		body.put("command", command);
		body.put("timeout", timeout.toMillis() + "ms");
		this.started.add(name);
		return call("POST", "/instances", body, Started.class);
	}

	/**
	 * {@code POST /instances/{name}/snapshot} of a clone template, rehearsed first, waited
	 * for until the image is complete.
	 * @param name the instance, started with {@link #run}
	 * @param image the image's folder name
	 * @param rehearse how many times the agent freezes and thaws it first (0 for none)
	 * @param timeout how long the rehearsals and the image may take
	 * @return the image
	 */
	Timed<Snapshot> template(String name, String image, int rehearse, Duration timeout) throws IOException {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("template", true);
		body.put("image", image);
		if (rehearse > 0) {
			body.put("rehearse", rehearse);
		}
		body.put("wait", true);
		body.put("timeout", timeout.toMillis() + "ms");
		return call("POST", "/instances/" + name + "/snapshot", body, Snapshot.class);
	}

	/**
	 * {@code POST /instances/{name}/freeze}.
	 * @param name the instance
	 * @param squeeze whether to push its memory into zram too
	 * @return what the freeze did
	 */
	Timed<Frozen> freeze(String name, boolean squeeze) throws IOException {
		return call("POST", "/instances/" + name + "/freeze", Map.of("squeeze", squeeze), Frozen.class);
	}

	/**
	 * {@code POST /instances/{name}/thaw}.
	 * @param name the instance
	 * @return what the thaw did, timed from the send to the answer (which the agent gives
	 * once the service serves: its 200 to the thaw)
	 */
	Timed<Thawed> thaw(String name) throws IOException {
		return call("POST", "/instances/" + name + "/thaw", Map.of(), Thawed.class);
	}

	/**
	 * {@code POST /instances/{name}/thaw} with {@code onRequest}: answers once a request
	 * reached the frozen service and the agent thawed it.
	 * @param name the instance
	 * @param timeout how long to wait for a request
	 * @return what the thaw did
	 */
	Timed<Thawed> thawOnRequest(String name, Duration timeout) throws IOException {
		return call("POST", "/instances/" + name + "/thaw",
				Map.of("onRequest", true, "timeout", timeout.toMillis() + "ms"), Thawed.class);
	}

	/**
	 * {@code POST /restores}: restore an image in the host's namespaces.
	 * @param image the image's folder
	 * @param name the instance's name
	 * @param timeout how long it may take to answer 200
	 * @return the restored instance
	 */
	Timed<Started> restore(Path image, String name, Duration timeout) throws IOException {
		this.started.add(name);
		return call("POST", "/restores", Map.of("image", image.toString(), "name", name, "timeout",
				timeout.toMillis() + "ms"), Started.class);
	}

	/**
	 * {@code POST /clones}: restore a clone template {@code count} times at once, each in
	 * namespaces of its own on a bridge.
	 * @param template the template's folder
	 * @param count how many clones
	 * @param prefix their names' prefix ({@code prefix-1}, ...)
	 * @param bridge the bridge they hang on
	 * @param timeout how long they may take to answer 200
	 * @return the clones, timed until the agent has seen all of them answer
	 */
	Timed<List<Started>> clone(Path template, int count, String prefix, String bridge, Duration timeout)
			throws IOException {
		for (int i = 1; i <= count; i++) {
			this.started.add(prefix + "-" + i);
		}
		return call("POST", "/clones", Map.of("image", template.toString(), "count", count, "namePrefix", prefix,
				"bridge", bridge, "timeout", timeout.toMillis() + "ms"), new TypeReference<List<Started>>() {
				});
	}

	/**
	 * {@code POST /pools}: make a pool of frozen clones of a template and fill it.
	 * @param name the pool's name (its clones are {@code name-N})
	 * @param template the template's folder
	 * @param size how many frozen clones it keeps
	 * @param squeeze whether they are squeezed once frozen
	 * @param timeout how long each clone may take to answer 200 after its restore starts
	 * @return the pool, full, timed until the agent's answer
	 */
	Timed<PoolStatus> createPool(String name, Path template, int size, boolean squeeze, Duration timeout)
			throws IOException {
		this.pools.add(name);
		return call("POST", "/pools", Map.of("name", name, "template", template.toString(), "size", size, "squeeze",
				squeeze, "timeout", timeout.toMillis() + "ms"), PoolStatus.class);
	}

	/**
	 * {@code GET /pools/{name}}.
	 * @param name the pool
	 * @return how many clones it holds ready, and how many are being restored
	 */
	PoolStatus pool(String name) throws IOException {
		return call("GET", "/pools/" + name, null, PoolStatus.class).answer();
	}

	/**
	 * Wait until a pool holds as many frozen clones as it should, polling
	 * {@code GET /pools/{name}} as a platform would (the agent refills in the background and
	 * says nothing when it is done).
	 * @param name the pool
	 * @param timeout how long the refill may take
	 * @return how long it took
	 * @throws IOException if the pool is not full in time
	 */
	double awaitPoolFull(String name, Duration timeout) throws IOException, InterruptedException {
		long start = System.nanoTime();
		long deadline = start + timeout.toNanos();
		PoolStatus status = pool(name);
		while (status.ready() < status.size() || status.filling() > 0) {
			if (System.nanoTime() > deadline) {
				throw new IOException("pool " + name + " was not full again within " + timeout.toSeconds() + " s: "
						+ status.ready() + " of " + status.size() + " ready, " + status.filling() + " being restored");
			}
			TimeUnit.MILLISECONDS.sleep(20);
			status = pool(name);
		}
		return (System.nanoTime() - start) / 1e6;
	}

	/**
	 * {@code POST /pools/{name}/take}: thaw the pool's oldest clone; the taken clone is this
	 * session's to stop.
	 * @param pool the pool
	 * @return the clone, timed until the answer (which the agent gives once the clone
	 * serves)
	 */
	Timed<Taken> take(String pool) throws IOException {
		Timed<Taken> taken = call("POST", "/pools/" + pool + "/take", Map.of(), Taken.class);
		this.started.add(taken.answer().instance().name());
		return taken;
	}

	/**
	 * {@code DELETE /pools/{name}}: stop its frozen clones; those taken from it stay. The
	 * pool is first let settle (full, nothing being restored): the agent finishes a refill
	 * under way after the delete, and a clone it restores while the benchmark takes the
	 * bridge and the database away would be left behind.
	 * @param pool the pool
	 */
	void deletePool(String pool) throws IOException {
		try {
			awaitPoolFull(pool, POOL_SETTLE_TIMEOUT);
		}
		catch (IOException ex) {
			System.err.println("cse-bench: deleting pool " + pool + " unsettled: " + ex.getMessage());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		call("DELETE", "/pools/" + pool, null, JsonNode.class);
		this.pools.remove(pool);
	}

	/**
	 * {@code DELETE /instances/{name}} for each.
	 * @param names the instances
	 * @throws IOException naming the first that could not be stopped, after trying all
	 */
	void stop(List<String> names) throws IOException {
		IOException failed = null;
		for (String name : names) {
			try {
				call("DELETE", "/instances/" + name + "?grace=5s", null, JsonNode.class);
				this.started.remove(name);
			}
			catch (IOException ex) {
				if (failed == null) {
					failed = ex;
				}
			}
		}
		if (failed != null) {
			throw failed;
		}
	}

	/**
	 * {@code GET /instances/{name}}: the instance as registered.
	 * @param name the instance
	 * @return it
	 */
	Instance instance(String name) throws IOException {
		JsonNode status = call("GET", "/instances/" + name, null, JsonNode.class).answer();
		return JSON.treeToValue(status.get("instance"), Instance.class);
	}

	/**
	 * {@code PUT /bridges/{name}}.
	 * @param bridge the bridge
	 * @param subnet its subnet, as {@code 10.0.0.0/24}
	 */
	void bridgeUp(String bridge, String subnet) throws IOException {
		call("PUT", "/bridges/" + bridge, Map.of("subnet", subnet), JsonNode.class);
	}

	/**
	 * {@code DELETE /bridges/{name}}.
	 * @param bridge the bridge
	 */
	void bridgeDown(String bridge) throws IOException {
		call("DELETE", "/bridges/" + bridge, null, JsonNode.class);
	}

	/**
	 * The instances this session started and did not stop yet.
	 * @return their names
	 */
	List<String> started() {
		return new ArrayList<>(this.started);
	}

	/**
	 * An instance's base address, as the agent registered it.
	 * @param instance the instance
	 * @return {@code http://address:port}
	 */
	static URI base(Instance instance) {
		return URI.create("http://" + instance.endpoint().address() + ":" + instance.endpoint().port());
	}

	/**
	 * Stop some instances; a failure is reported, not thrown: clean-up.
	 * @param names the instances
	 */
	void stopQuietly(List<String> names) {
		try {
			stop(names);
		}
		catch (IOException ex) {
			System.err.println("cse-bench: " + ex.getMessage());
		}
	}

	/**
	 * Stop what this session started and did not stop yet; a failure is reported, not
	 * thrown: what can be stopped still is.
	 */
	void stopStarted() {
		// the pools first: a served agent would otherwise refill them as their clones stop
		for (String pool : new ArrayList<>(this.pools)) {
			try {
				deletePool(pool);
			}
			catch (IOException ex) {
				System.err.println("cse-bench: " + ex.getMessage());
			}
		}
		stopQuietly(started());
	}

	/**
	 * Stop what this session started; stop serving if it serves its own agent.
	 */
	@Override
	public void close() {
		try {
			stopStarted();
		}
		finally {
			if (this.server != null) {
				this.server.close();
			}
		}
	}

	private <T> Timed<T> call(String method, String target, Object body, Class<T> answer) throws IOException {
		return call(method, target, body, JSON.constructType(answer));
	}

	private <T> Timed<T> call(String method, String target, Object body, TypeReference<T> answer) throws IOException {
		return call(method, target, body, JSON.constructType(answer));
	}

	private <T> Timed<T> call(String method, String target, Object body, JavaType answer) throws IOException {
		long start = System.nanoTime();
		ApiResponse response = this.client.call(method, target, body);
		double millis = (System.nanoTime() - start) / 1e6;
		if (response.status() >= 400) {
			JsonNode error = JSON.readTree(response.body()).get("error");
			throw new IOException(method + " " + target + " answered " + response.status() + ": "
					+ ((error != null) ? error.asText() : response.bodyText()));
		}
		return new Timed<>(JSON.readValue(response.body(), answer), millis);
	}

	/**
	 * An answer of the agent, with the call's round trip as its caller timed it.
	 *
	 * @param <T> the answer's type
	 * @param answer what the agent answered
	 * @param millis from the send of the request to the end of the answer
	 */
	record Timed<T>(T answer, double millis) {
	}

}
