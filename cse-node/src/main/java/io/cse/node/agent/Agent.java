package io.cse.node.agent;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.cse.node.CseException;
import io.cse.node.activator.Activator;
import io.cse.node.instance.Node;
import io.cse.node.instance.NodeContext;
import io.cse.node.instance.ReconcileReport;
import io.cse.node.instance.Registry;
import io.cse.node.pool.Pools;

/**
 * The resident node agent: the one process on a host that touches cgroups, namespaces,
 * CRIU and the instance registry, and serves all of it as an HTTP/JSON API (see
 * {@code docs/agent-api.md}). {@code cse} commands are its clients; a command that finds no
 * agent runs one in its own process for the length of the call.
 */
public final class Agent implements AutoCloseable {

	private static final Logger logger = Logger.getLogger(Agent.class.getName());

	private final Settings settings;

	private final Node node;

	private final AgentMetrics metrics = new AgentMetrics();

	private final Pools pools;

	private final Activator activator;

	private final Routes routes;

	// Requests wait on it while the agent reconciles; null for an agent that does not.
	private volatile CountDownLatch reconciling;

	private volatile ReconcileReport reconciled;

	/**
	 * Make an agent.
	 * @param context the host and HTTP seams
	 * @param settings where it keeps its state and finds images and CRIU
	 */
	public Agent(NodeContext context, Settings settings) {
		this.settings = settings;
		this.node = new Node(context, new Registry(settings.stateDir()));
		InstanceLocks locks = new InstanceLocks();
		Images images = new Images(context, settings);
		this.pools = new Pools(this.node, images::find, images::criu, settings.bridge());
		this.activator = new Activator(this.node, (name) -> locks.acquire("instance " + name, "thaw on request"));
		this.routes = new Routes();
		new InstanceApi(this.node, settings, locks, images, this.activator).addTo(this.routes);
		new PoolApi(this.pools, locks, images).addTo(this.routes);
		new ImageApi(settings.imagesRoot(), this.pools, locks).addTo(this.routes);
		new HostApi(this.node, settings, this.metrics, this.pools, () -> this.reconciled).addTo(this.routes);
	}

	/**
	 * Answer one request: what the API's listeners call, and what a command that found no
	 * agent calls in its own process.
	 * @param request the request
	 * @return the answer; an error says what is wrong and what to do
	 */
	public ApiResponse handle(ApiRequest request) {
		CountDownLatch gate = this.reconciling;
		if (gate != null) {
			try {
				gate.await();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return ApiResponse.error(503, "The agent is stopping while it reconciles: retry once it runs again");
			}
		}
		long start = System.nanoTime();
		ApiResponse response;
		try {
			response = this.routes.handle(request);
		}
		catch (ApiException ex) {
			response = ApiResponse.error(ex.status(), ex.reason(), ex.getMessage());
		}
		catch (CseException ex) {
			response = ApiResponse.error(ApiResponse.statusOf(ex.reason()), ex.reason(), ex.getMessage());
		}
		catch (RuntimeException ex) {
			logger.log(Level.WARNING, "Request " + request.method() + " " + request.path() + " failed", ex);
			response = ApiResponse.error(500, request.method() + " " + request.path() + " failed: " + ex
					+ " (the agent's log has the stack trace)");
		}
		String operation = this.routes.operationOf(request);
		if (operation != null) {
			this.metrics.record(operation, (response.status() < 400) ? "ok" : "error", System.nanoTime() - start);
		}
		return response;
	}

	/**
	 * Serve the API, keep pools full and wake frozen instances, without reconciling the host
	 * first: for a caller that owns its state folder from the start (a benchmark, a test).
	 * The host's resident agent uses {@link #serveReconciled}.
	 * @param socket the Unix socket's path
	 * @param tcp a loopback TCP listener with its token, or {@code null}
	 * @return the server; closing it stops serving
	 */
	public AgentServer serve(Path socket, AgentServer.Tcp tcp) {
		AgentServer server = AgentServer.start(this::handle, socket, tcp);
		// Only an agent that stays keeps pools full; one a command made for a call leaves
		// that to the next resident agent.
		this.pools.refillInBackground();
		this.activator.start();
		return server;
	}

	/**
	 * Serve the API as the host's resident agent: take the socket (refused while another
	 * agent serves it), then reconcile the host with the registry (see
	 * {@link Node#reconcile()}) before answering anything; requests that come meanwhile
	 * wait. An agent that a command makes in its own process does not reconcile: it would
	 * undo what other commands are doing.
	 * @param socket the Unix socket's path
	 * @param tcp a loopback TCP listener with its token, or {@code null}
	 * @return the server, and what the reconcile found
	 */
	public Serving serveReconciled(Path socket, AgentServer.Tcp tcp) {
		CountDownLatch gate = new CountDownLatch(1);
		this.reconciling = gate;
		AgentServer server = AgentServer.start(this::handle, socket, tcp);
		try {
			this.reconciled = this.node.reconcile();
			// the pools' refills only once the host agrees with the registry: a refill's start
			// must not be taken for one the killed agent left
			this.pools.refillInBackground();
			this.activator.start();
			return new Serving(server, this.reconciled);
		}
		catch (RuntimeException ex) {
			server.close();
			throw ex;
		}
		finally {
			gate.countDown();
			this.reconciling = null;
		}
	}

	/**
	 * What the reconcile on start found.
	 * @return its report, or {@code null} if this agent did not reconcile
	 */
	public ReconcileReport reconciled() {
		return this.reconciled;
	}

	/**
	 * Return the settings the agent runs with.
	 * @return the settings
	 */
	public Settings settings() {
		return this.settings;
	}

	/**
	 * Undo unfinished restores and clones if this JVM ends before they do: for an agent that
	 * runs in a command's process, where Ctrl-C ends the call.
	 */
	public void rollBackOnExit() {
		this.node.rollBackOnExit();
	}

	@Override
	public void close() {
		this.pools.close();
		this.activator.close();
	}

	/**
	 * A resident agent that serves.
	 *
	 * @param server the server; closing it stops serving
	 * @param reconciled what the agent found and did on its start
	 */
	public record Serving(AgentServer server, ReconcileReport reconciled) {

	}

	/**
	 * Where the agent keeps its state and finds what it restores.
	 *
	 * @param stateDir the instance registry and the logs
	 * @param imagesRoot where images given by id are found
	 * @param criu the CRIU to restore with, or {@code null} for the default place, then the
	 * {@code PATH}
	 * @param bridge the bridge clones hang on unless a request names another
	 */
	public record Settings(Path stateDir, Path imagesRoot, Path criu, String bridge) {

	}

}
