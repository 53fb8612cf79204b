package io.cse.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import io.cse.samples.postgres.PostgresProcess;

/**
 * What the benchmarks set up around the service they measure: a work folder, the agent
 * they drive (served on a socket in the folder, or a resident one), a real PostgreSQL, and
 * (for clones) a host bridge that the database also listens on. Closing it stops every
 * instance the benchmark started, takes the bridge down, stops the database and deletes
 * the images (the logs stay); so does the end of the JVM (Ctrl-C) while it is open.
 */
final class Workbench implements AutoCloseable {

	/** The bridge the benchmarks' clones route through: their own, so that they never meet a test's. */
	static final String BRIDGE = "cse5b";

	static final String SUBNET = "10.199.253.0/24";

	static final String GATEWAY = "10.199.253.1";

	private final Path work;

	private final AgentSession agent;

	private final boolean bridge;

	private PostgresProcess postgres;

	private final Thread cleanUpOnExit = new Thread(this::cleanUp, "cse-bench-clean-up");

	private boolean closed;

	private final List<ProcessHandle> services = new CopyOnWriteArrayList<>();

	private Workbench(Path work, AgentSession agent, boolean bridge) {
		this.work = work;
		this.agent = agent;
		this.bridge = bridge;
	}

	/**
	 * Run one scenario on a workbench of its own, write its section and say where.
	 * @param name the scenario's name, for its work folder
	 * @param options where to write, the service and the database
	 * @param bridge whether clones will run
	 * @param scenario measures, and makes the section
	 * @return the exit code, 0
	 * @throws Exception if the scenario fails (everything it started is stopped)
	 */
	static int run(String name, BenchOptions options, boolean bridge, Scenario scenario) throws Exception {
		try (Workbench workbench = open("cse-bench-" + name + "-", options, bridge)) {
			scenario.measure(workbench).writeTo(options.output);
			System.out.println("Wrote " + options.output + " (logs in " + workbench.work() + ")");
		}
		return 0;
	}

	/**
	 * Set up a work folder and a database; with {@code bridge}, the bridge first, and the
	 * database listening on its address too, trusting its subnet.
	 * @param prefix the work folder's name prefix, under the system's temporary folder
	 * @param options the database's jar, and the resident agent to drive if one is named
	 * @param bridge whether clones will run
	 * @return the workbench, to close
	 * @throws IOException if the folder, the agent or the database cannot be set up (what
	 * was set up is removed)
	 */
	static Workbench open(String prefix, BenchOptions options, boolean bridge) throws IOException {
		Path work = Files.createTempDirectory(prefix);
		AgentSession agent = (options.agentSocket != null) ? AgentSession.resident(options.agentSocket)
				: AgentSession.serve(work.resolve("agent").resolve("agent.sock"), work.resolve("state"),
						work.resolve("images"));
		Workbench workbench = new Workbench(work, agent, bridge);
		Runtime.getRuntime().addShutdownHook(workbench.cleanUpOnExit);
		Path postgresJar = options.postgresJar;
		try {
			if (bridge) {
				workbench.agent.bridgeUp(BRIDGE, SUBNET);
				workbench.postgres = PostgresProcess.start(postgresJar, "127.0.0.1," + GATEWAY, List.of(SUBNET));
			}
			else {
				workbench.postgres = PostgresProcess.start(postgresJar, "127.0.0.1");
			}
			return workbench;
		}
		catch (IOException | RuntimeException ex) {
			workbench.close();
			throw ex;
		}
	}

	Path work() {
		return this.work;
	}

	/**
	 * The state folder of the agent this JVM serves; a resident agent keeps its own.
	 */
	Path state() {
		return this.work.resolve("state");
	}

	/**
	 * Where images go: the services are told to dump there.
	 */
	Path images() {
		return this.work.resolve("images");
	}

	/**
	 * Remember a service started outside the agent, so that the end of the JVM stops it
	 * too (its owner stops it as soon as it is done with it).
	 * @param service the service
	 * @return the same service
	 */
	ServiceProcess started(ServiceProcess service) {
		ProcessHandle.of(service.pid()).ifPresent(this.services::add);
		return service;
	}

	/**
	 * A name for an instance of this benchmark: cgroups and network namespaces are named
	 * after instances, and are the whole machine's, not this state folder's.
	 * @param base what the instance is
	 * @return the name, with this JVM's PID
	 */
	static String name(String base) {
		return base + "-" + ProcessHandle.current().pid();
	}

	/**
	 * A TCP port free on the loopback now: fixed ports meet other people's services on a
	 * shared machine.
	 */
	static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

	AgentSession agent() {
		return this.agent;
	}

	/**
	 * The JDBC URL of the database, as every instance reaches it: through the bridge's
	 * address when there is a bridge (clones live in namespaces of their own), else on
	 * the loopback.
	 */
	String jdbcUrl() {
		return this.bridge ? this.postgres.getJdbcUrl(GATEWAY) : this.postgres.getJdbcUrl();
	}

	/**
	 * The command line of {@code samples/hello-web} (or the service given with
	 * {@code --jar}) on the given port, with the benchmark's database: what
	 * {@code POST /instances} starts.
	 * @param options the service's jar and the JDK
	 * @param port its port
	 * @return the command line
	 */
	List<String> serviceCommand(BenchOptions options, int port) {
		return serviceCommand(options, Deployment.plain(options.jar), port);
	}

	/**
	 * The command that runs the service as deployed (its jar as built, or extracted with
	 * its class archive) on the given port, with the benchmark's database.
	 * @param options the JDK
	 * @param deployment how the service runs
	 * @param port its port
	 * @return the command line
	 */
	List<String> serviceCommand(BenchOptions options, Deployment deployment, int port) {
		return serviceCommand(options, deployment, List.of(), port);
	}

	/**
	 * The command that runs the service as deployed, with JVM options of its own, on the
	 * given port, with the benchmark's database.
	 * @param options the JDK
	 * @param deployment how the service runs
	 * @param jvmOptions JVM options added to the benchmarks' own
	 * @param port its port
	 * @return the command line
	 */
	List<String> serviceCommand(BenchOptions options, Deployment deployment, List<String> jvmOptions, int port) {
		List<String> command = new ArrayList<>(List.of(options.java.toString(), "-XX:-UsePerfData", "-Xmx256m"));
		command.addAll(jvmOptions);
		command.addAll(deployment.jvmOptions());
		command.addAll(deployment.classpathOrJar());
		command.addAll(List.of("--server.port=" + port, "--spring.datasource.url=" + jdbcUrl()));
		return command;
	}

	@Override
	public void close() {
		if (this.closed) {
			return;
		}
		cleanUp();
		try {
			Runtime.getRuntime().removeShutdownHook(this.cleanUpOnExit);
		}
		catch (IllegalStateException ex) {
			// the JVM is shutting down: the hook runs, and finds everything done
		}
	}

	private synchronized void cleanUp() {
		if (this.closed) {
			return;
		}
		this.closed = true;
		for (ProcessHandle service : this.services) {
			// a handle knows its process's start time: a PID taken by another process since is left alone
			service.descendants().forEach(ProcessHandle::destroyForcibly);
			service.destroyForcibly();
		}
		// the session stops what it started, and only that: a resident agent may run others' instances
		this.agent.stopStarted();
		if (this.bridge) {
			try {
				this.agent.bridgeDown(BRIDGE);
			}
			catch (IOException | RuntimeException ex) {
				System.err.println("cse-bench: could not take the bridge " + BRIDGE + " down: " + ex.getMessage());
			}
		}
		this.agent.close();
		if (this.postgres != null) {
			this.postgres.close();
		}
		deleteImages();
	}

	/**
	 * Delete the images the benchmark wrote: about 150 MB each for the sample, a dozen per
	 * run. The logs stay, for the operator to read.
	 */
	private void deleteImages() {
		Path images = this.work.resolve("images");
		if (!Files.isDirectory(images)) {
			return;
		}
		try (Stream<Path> paths = Files.walk(images)) {
			for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
				Files.delete(path);
			}
		}
		catch (IOException ex) {
			System.err.println("cse-bench: could not delete the images in " + images + ": " + ex);
		}
	}

	/**
	 * One benchmark scenario: what it measures on a workbench, as a section of the report.
	 */
	@FunctionalInterface
	interface Scenario {

		Section measure(Workbench workbench) throws Exception;

	}

}
