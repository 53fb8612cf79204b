package io.cse.samples.rabbitmq;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.opentest4j.TestAbortedException;

/**
 * A real RabbitMQ broker, the operating system's {@code rabbitmq-server} (installed by
 * {@code scripts/install-rabbitmq.sh}), in a process of its own: what tests use to see,
 * from the broker's side, which connections and consumers a service holds.
 * <p>
 * Each broker is a node of its own: its own Erlang node name, AMQP, management,
 * distribution and {@code epmd} ports, and data directory, all chosen at start. It
 * neither needs nor disturbs a system-wide broker, nor the broker of another test. The
 * broker takes a few seconds to start: start one per test class.
 * <p>
 * The broker's view is read through its management API, which it keeps up to date every
 * half second; messages are published through the same API, so that the test itself
 * holds no AMQP connection and every connection the broker lists is the service's.
 * <p>
 * The broker must never outlive the JVM that started it: a small shell around it stops
 * it when this JVM's end of its standard input closes, which happens when the JVM exits
 * for whatever reason.
 */
public final class RabbitMqBroker implements AutoCloseable {

	/** The server's start script, as Debian's {@code rabbitmq-server} package installs it. */
	public static final Path SERVER = Path.of("/usr/lib/rabbitmq/bin/rabbitmq-server");

	private static final String INSTALL_HINT = "run 'sudo scripts/install-rabbitmq.sh'";

	private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(90);

	private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

	/**
	 * Runs the server ({@code $0}) and kills it once standard input reaches its end. A
	 * background job's standard input is {@code /dev/null}, so the watcher reads the JVM's
	 * pipe through descriptor 3. The server script runs the Erlang VM as a child of its own,
	 * whose process id the node writes to its pid file: the VM gets SIGKILL, not SIGTERM,
	 * because a clean stop of RabbitMQ takes about 6 seconds and the broker's data is
	 * deleted right after; the script, which then ends, gets SIGTERM in case the VM had not
	 * written its pid file yet (the script passes it on). The {@code epmd} daemon the node
	 * started on its own port goes with it.
	 */
	private static final String WATCHDOG = """
			exec 3<&0
			"$0" 3<&- </dev/null &
			server=$!
			(
				cat <&3 >/dev/null
				vm=$(cat "$RABBITMQ_PID_FILE" 2>/dev/null)
				[ -n "$vm" ] && kill -KILL "$vm" 2>/dev/null
				kill -TERM "$server" 2>/dev/null
			) &
			wait "$server"
			status=$?
			epmd -port "$ERL_EPMD_PORT" -kill >/dev/null 2>&1
			exit $status
			""";

	private final Process process;

	private final Path directory;

	private final String nodeName;

	private final int amqpPort;

	private final int managementPort;

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private final ObjectMapper json = new ObjectMapper();

	private RabbitMqBroker(Process process, Path directory, String nodeName, int amqpPort, int managementPort) {
		this.process = process;
		this.directory = directory;
		this.nodeName = nodeName;
		this.amqpPort = amqpPort;
		this.managementPort = managementPort;
	}

	/**
	 * Start a broker for a test. Where no RabbitMQ server is installed, the test is
	 * skipped with the command that installs one, unless the environment variable
	 * {@code CSE_REQUIRE_ROOT_TESTS} is {@code 1} (as in CI): then it fails.
	 * @return the running broker
	 * @throws IOException if the broker cannot be started
	 */
	public static RabbitMqBroker startForTests() throws IOException {
		return startForTests(List.of());
	}

	/**
	 * Start a broker for a test, listening for AMQP on other addresses of this machine as
	 * well, such as a bridge that network namespaces reach it through; skipped or failed as
	 * {@link #startForTests()} is where no server is installed.
	 * @param extraAmqpAddresses further addresses to accept AMQP connections on, at the same port
	 * @return the running broker
	 * @throws IOException if the broker cannot be started
	 */
	public static RabbitMqBroker startForTests(List<String> extraAmqpAddresses) throws IOException {
		if (!Files.isExecutable(SERVER)) {
			String reason = "No RabbitMQ server at " + SERVER + ": " + INSTALL_HINT;
			if ("1".equals(System.getenv("CSE_REQUIRE_ROOT_TESTS"))) {
				throw new IllegalStateException(reason + "; CSE_REQUIRE_ROOT_TESTS=1 makes this a failure, not a skip");
			}
			throw new TestAbortedException(reason + " (set CSE_REQUIRE_ROOT_TESTS=1 to fail instead of skipping)");
		}
		return start(extraAmqpAddresses);
	}

	/**
	 * Start a broker on free ports of {@code 127.0.0.1}, with a data directory of its own,
	 * and wait until it accepts AMQP connections.
	 * @return the running broker
	 * @throws IOException if the server is missing or does not start in time
	 */
	public static RabbitMqBroker start() throws IOException {
		return start(List.of());
	}

	/**
	 * Start a broker as {@link #start()} does, accepting AMQP connections on other
	 * addresses of this machine as well; the user {@code guest} may then connect from
	 * anywhere.
	 * @param extraAmqpAddresses further addresses to accept AMQP connections on, at the same port
	 * @return the running broker
	 * @throws IOException if the server is missing or does not start in time
	 */
	public static RabbitMqBroker start(List<String> extraAmqpAddresses) throws IOException {
		if (!Files.isExecutable(SERVER)) {
			throw new IOException("No RabbitMQ server at " + SERVER + ": " + INSTALL_HINT);
		}
		int[] ports = freePorts(4);
		int amqpPort = ports[0];
		int managementPort = ports[1];
		String nodeName = "cse-test-" + amqpPort + "@localhost";
		Path directory = Files.createTempDirectory("cse-rabbitmq-");
		List<String> amqpSettings = new ArrayList<>(List.of("listeners.tcp.1 = 127.0.0.1:" + amqpPort));
		for (String address : extraAmqpAddresses) {
			amqpSettings.add("listeners.tcp." + (amqpSettings.size() + 1) + " = " + address + ":" + amqpPort);
		}
		if (!extraAmqpAddresses.isEmpty()) {
			// guest may only connect from the loopback address unless told otherwise
			amqpSettings.add("loopback_users.guest = false");
		}
		Files.writeString(directory.resolve("rabbitmq.conf"), String.join("\n", String.join("\n", amqpSettings),
				"management.tcp.ip = 127.0.0.1",
				"management.tcp.port = " + managementPort,
				// Fresh statistics, so that the broker's view of connections and consumers is current
				"collect_statistics_interval = 500",
				"log.console = true",
				"log.console.level = warning",
				""));
		Files.writeString(directory.resolve("enabled_plugins"), "[rabbitmq_management].\n");
		ProcessBuilder builder = new ProcessBuilder("/bin/sh", "-c", WATCHDOG, SERVER.toString())
			.directory(directory.toFile())
			.redirectErrorStream(true)
			.redirectOutput(directory.resolve("broker.log").toFile());
		Map<String, String> environment = builder.environment();
		// The Erlang cookie is written to $HOME, and the package's rabbitmq-env.conf must not apply
		environment.put("HOME", directory.toString());
		environment.put("RABBITMQ_CONF_ENV_FILE", directory.resolve("rabbitmq-env.conf").toString());
		environment.put("RABBITMQ_NODENAME", nodeName);
		environment.put("RABBITMQ_DIST_PORT", Integer.toString(ports[2]));
		environment.put("ERL_EPMD_PORT", Integer.toString(ports[3]));
		environment.put("RABBITMQ_CONFIG_FILE", directory.resolve("rabbitmq.conf").toString());
		environment.put("RABBITMQ_ADVANCED_CONFIG_FILE", directory.resolve("advanced.config").toString());
		environment.put("RABBITMQ_ENABLED_PLUGINS_FILE", directory.resolve("enabled_plugins").toString());
		environment.put("RABBITMQ_PLUGINS_EXPAND_DIR", directory.resolve("plugins-expand").toString());
		environment.put("RABBITMQ_GENERATED_CONFIG_DIR", directory.resolve("generated").toString());
		environment.put("RABBITMQ_SCHEMA_DIR", directory.resolve("schema").toString());
		environment.put("RABBITMQ_MNESIA_BASE", directory.resolve("mnesia").toString());
		environment.put("RABBITMQ_LOG_BASE", directory.resolve("log").toString());
		environment.put("RABBITMQ_PID_FILE", directory.resolve("broker.pid").toString());
		environment.put("RABBITMQ_LOGS", "-");
		Process process = builder.start();
		RabbitMqBroker broker = new RabbitMqBroker(process, directory, nodeName, amqpPort, managementPort);
		try {
			broker.awaitReady();
			return broker;
		}
		catch (IOException | RuntimeException ex) {
			broker.close();
			throw ex;
		}
	}

	private void awaitReady() throws IOException {
		long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
		// The management listener starts before the AMQP one: the broker is ready when both answer
		while (!acceptsAmqp() || !managementAnswers()) {
			if (!this.process.isAlive()) {
				throw new IOException("RabbitMQ node " + this.nodeName + " exited with status " + this.process.exitValue()
						+ " before it was ready; its output: " + logTail());
			}
			if (System.nanoTime() > deadline) {
				throw new IOException("RabbitMQ node " + this.nodeName + " was not ready within " + STARTUP_TIMEOUT
						+ "; its output: " + logTail());
			}
			LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
		}
	}

	private boolean acceptsAmqp() {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", this.amqpPort), 1000);
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	private boolean managementAnswers() {
		try {
			return send(request("/api/overview").GET()).statusCode() == 200;
		}
		catch (UncheckedIOException ex) {
			return false;
		}
	}

	/**
	 * Return the host the broker's AMQP listener is bound to.
	 * @return {@code 127.0.0.1}
	 */
	public String getHost() {
		return "127.0.0.1";
	}

	/**
	 * Return the port of the broker's AMQP listener. The broker has the default user
	 * {@code guest} (password {@code guest}), which may connect from the loopback address.
	 * @return the port
	 */
	public int getAmqpPort() {
		return this.amqpPort;
	}

	/**
	 * Return the broker's Erlang node name.
	 * @return for example {@code cse-test-40123@localhost}
	 */
	public String getNodeName() {
		return this.nodeName;
	}

	/**
	 * Return the AMQP connections the broker holds open, from its own view.
	 * @return the connections, in no particular order
	 */
	public List<ClientConnection> connections() {
		List<ClientConnection> connections = new ArrayList<>();
		for (JsonNode connection : getJson("/api/connections")) {
			connections.add(new ClientConnection(connection.path("name").asText(),
					connection.path("client_properties").path("connection_name").asText(null),
					connection.path("state").asText(), connection.path("peer_port").asInt()));
		}
		return connections;
	}

	/**
	 * Return a queue of the default virtual host as the broker sees it.
	 * @param name the queue's name
	 * @return its messages and consumers
	 * @throws IllegalStateException if the broker has no such queue
	 */
	public QueueState queue(String name) {
		JsonNode queue = getJson("/api/queues/%2F/" + encode(name));
		return new QueueState(name, queue.path("messages_ready").asInt(), queue.path("messages_unacknowledged").asInt(),
				queue.path("consumers").asInt());
	}

	/**
	 * Return the consumers of a queue of the default virtual host, from the broker's view:
	 * each is the name of the connection it consumes on.
	 * @param queue the queue's name
	 * @return the connection names of the queue's consumers, one per consumer
	 */
	public List<String> consumerConnections(String queue) {
		List<String> consumers = new ArrayList<>();
		for (JsonNode consumer : getJson("/api/consumers/%2F")) {
			if (queue.equals(consumer.path("queue").path("name").asText())) {
				consumers.add(consumer.path("channel_details").path("connection_name").asText());
			}
		}
		return consumers;
	}

	/**
	 * Publish a persistent text message to a queue of the default virtual host, through
	 * the default exchange, from the broker's side (no AMQP connection of the caller).
	 * @param queue the queue's name
	 * @param body the message's text
	 * @throws IllegalStateException if the broker routed the message to no queue
	 */
	public void publish(String queue, String body) {
		Map<String, Object> message = Map.of("properties", Map.of("delivery_mode", 2), "routing_key", queue, "payload",
				body, "payload_encoding", "string");
		HttpResponse<String> response;
		try {
			response = send(request("/api/exchanges/%2F/amq.default/publish")
				.header("Content-Type", "application/json")
				.POST(HttpRequest.BodyPublishers.ofString(this.json.writeValueAsString(message))));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		JsonNode answer = parse(response, "publish to queue '" + queue + "'");
		if (!answer.path("routed").asBoolean()) {
			throw new IllegalStateException("RabbitMQ routed the message for queue '" + queue
					+ "' to no queue: declare the queue first (" + answer + ")");
		}
	}

	private JsonNode getJson(String path) {
		return parse(send(request(path).GET()), "GET " + path);
	}

	private JsonNode parse(HttpResponse<String> response, String what) {
		if (response.statusCode() != 200) {
			throw new IllegalStateException("RabbitMQ's management API answered " + what + " with "
					+ response.statusCode() + ": " + response.body());
		}
		try {
			return this.json.readTree(response.body());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private HttpRequest.Builder request(String path) {
		String credentials = Base64.getEncoder().encodeToString("guest:guest".getBytes(StandardCharsets.UTF_8));
		return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.managementPort + path))
			.timeout(Duration.ofSeconds(10))
			.header("Authorization", "Basic " + credentials);
	}

	private HttpResponse<String> send(HttpRequest.Builder request) {
		try {
			return this.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while asking RabbitMQ's management API", ex);
		}
	}

	private static String encode(String name) {
		return URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
	}

	private String logTail() {
		try {
			List<String> lines = Files.readAllLines(this.directory.resolve("broker.log"));
			return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
		}
		catch (IOException ex) {
			return "(no output: " + ex.getMessage() + ")";
		}
	}

	private static int[] freePorts(int count) throws IOException {
		// All open at once, so that no two are the same
		List<ServerSocket> sockets = new ArrayList<>();
		try {
			int[] ports = new int[count];
			for (int i = 0; i < count; i++) {
				ServerSocket socket = new ServerSocket(0);
				sockets.add(socket);
				ports[i] = socket.getLocalPort();
			}
			return ports;
		}
		finally {
			for (ServerSocket socket : sockets) {
				socket.close();
			}
		}
	}

	/**
	 * Stop the broker and delete its data.
	 */
	@Override
	public void close() {
		try {
			// End of input makes the watchdog kill the broker, and then epmd
			this.process.getOutputStream().close();
			if (!this.process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
				this.process.descendants().forEach(ProcessHandle::destroyForcibly);
				this.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			}
		}
		catch (IOException ex) {
			this.process.descendants().forEach(ProcessHandle::destroyForcibly);
			this.process.destroyForcibly();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			this.process.descendants().forEach(ProcessHandle::destroyForcibly);
			this.process.destroyForcibly();
		}
		finally {
			deleteQuietly(this.directory);
		}
	}

	private static void deleteQuietly(Path directory) {
		try (var paths = Files.walk(directory)) {
			paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach((path) -> path.toFile().delete());
		}
		catch (IOException ex) {
			// A leftover temporary folder is harmless; the broker is stopped either way.
		}
	}

	/**
	 * An AMQP connection as the broker lists it.
	 *
	 * @param name the broker's name for it ({@code "127.0.0.1:41234 -> 127.0.0.1:5672"})
	 * @param clientName the name the client gave it (Spring AMQP names it after its
	 * connection factory bean), or {@code null}
	 * @param state the connection's state, such as {@code running}
	 * @param clientPort the client's port
	 */
	public record ClientConnection(String name, String clientName, String state, int clientPort) {
	}

	/**
	 * A queue as the broker sees it.
	 *
	 * @param name the queue's name
	 * @param ready messages waiting for a consumer
	 * @param unacknowledged messages delivered to a consumer and not yet acknowledged
	 * @param consumers the queue's consumers
	 */
	public record QueueState(String name, int ready, int unacknowledged, int consumers) {
	}

}
