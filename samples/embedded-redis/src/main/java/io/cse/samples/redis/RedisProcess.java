package io.cse.samples.redis;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Starts the operating system's {@code redis-server} in a process of its own, on a free
 * port of the loopback address, and stops it: what the tests use to get a real Redis
 * server outside the service they freeze.
 * <p>
 * The server must never live inside the service's JVM: a snapshot of the service would
 * carry it along. It keeps nothing on disk (no RDB snapshots, no append-only file).
 * {@link #clients()} reads the server's own list of its clients, which is what tells
 * whether a frozen service let go of its connections.
 */
public final class RedisProcess implements AutoCloseable {

	/** Environment variable naming a {@code redis-server} to use instead of the one on the PATH. */
	public static final String SERVER_VARIABLE = "CSE_REDIS_SERVER";

	private static final int START_ATTEMPTS = 3;

	private final Process process;

	private final Path workDirectory;

	private final int port;

	private final Thread stopOnExit;

	private RedisProcess(Process process, Path workDirectory, int port) {
		this.process = process;
		this.workDirectory = workDirectory;
		this.port = port;
		// A test JVM that exits without closing it must not leave the server running
		this.stopOnExit = new Thread(process::destroy, "redis-" + port + "-stop");
		Runtime.getRuntime().addShutdownHook(this.stopOnExit);
	}

	/**
	 * Return why no server can be started here, or {@code null} if one can.
	 * @return the reason, naming the script that installs the server, or {@code null}
	 */
	public static String unavailableReason() {
		return (findServer() != null) ? null : "No redis-server on the PATH (nor in $" + SERVER_VARIABLE
				+ "): install it with 'sudo scripts/install-redis.sh'";
	}

	/**
	 * Start a server on a free port of the loopback address.
	 * @return the running server
	 * @throws IOException if the server cannot be started
	 */
	public static RedisProcess start() throws IOException {
		return start(List.of());
	}

	/**
	 * Start a server on a free port of the loopback address and of other addresses of this
	 * machine, such as a bridge that network namespaces reach it through.
	 * @param extraBindAddresses further addresses to listen on, at the same port
	 * @return the running server
	 * @throws IOException if the server cannot be started
	 */
	public static RedisProcess start(List<String> extraBindAddresses) throws IOException {
		Path server = findServer();
		if (server == null) {
			throw new IllegalStateException(unavailableReason());
		}
		IOException failure = null;
		// The free port can be taken by someone else before the server binds it: try again.
		for (int attempt = 0; attempt < START_ATTEMPTS; attempt++) {
			try {
				return start(server, freePort(), extraBindAddresses);
			}
			catch (IOException ex) {
				failure = ex;
			}
		}
		throw failure;
	}

	private static RedisProcess start(Path server, int port, List<String> extraBindAddresses) throws IOException {
		Path workDirectory = Files.createTempDirectory("cse-redis-");
		List<String> command = new ArrayList<>(List.of(server.toString(), "--port", Integer.toString(port), "--bind",
				String.join(" ", "127.0.0.1", String.join(" ", extraBindAddresses)).trim(), "--dir",
				workDirectory.toString(), "--save", "", "--appendonly", "no", "--daemonize", "no", "--logfile", ""));
		if (!extraBindAddresses.isEmpty()) {
			// Without a password, protected mode refuses every client but the loopback's
			command.addAll(List.of("--protected-mode", "no"));
		}
		Process process = new ProcessBuilder(command).directory(workDirectory.toFile())
			.redirectErrorStream(true)
			.start();
		try {
			awaitReady(process, port);
			return new RedisProcess(process, workDirectory, port);
		}
		catch (IOException | RuntimeException ex) {
			process.destroyForcibly();
			deleteQuietly(workDirectory);
			throw ex;
		}
	}

	private static void awaitReady(Process process, int port) throws IOException {
		BufferedReader reader = new BufferedReader(
				new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
		List<String> output = new ArrayList<>();
		String line;
		while ((line = reader.readLine()) != null) {
			output.add(line);
			if (line.contains("Ready to accept connections")) {
				// Keep reading (and dropping) its log, so that a full pipe never blocks the server.
				Thread drain = new Thread(() -> drain(reader), "redis-" + port + "-log");
				drain.setDaemon(true);
				drain.start();
				return;
			}
		}
		throw new IOException("redis-server exited before it was ready on port " + port + ": " + output);
	}

	private static void drain(BufferedReader reader) {
		try {
			while (reader.readLine() != null) {
				// the server's log is not needed once it is ready
			}
		}
		catch (IOException ex) {
			// The server stopped: nothing more to read.
		}
	}

	private static Path findServer() {
		String configured = System.getenv(SERVER_VARIABLE);
		if (configured != null && !configured.isEmpty()) {
			return Files.isExecutable(Path.of(configured)) ? Path.of(configured) : null;
		}
		String path = System.getenv("PATH");
		List<String> directories = new ArrayList<>(List.of((path != null) ? path.split(File.pathSeparator) : new String[0]));
		directories.add("/usr/bin");
		directories.add("/usr/local/bin");
		for (String directory : directories) {
			Path candidate = Path.of(directory, "redis-server");
			if (Files.isExecutable(candidate)) {
				return candidate;
			}
		}
		return null;
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

	/**
	 * Return the port the server listens on, at {@code 127.0.0.1}.
	 * @return the port
	 */
	public int getPort() {
		return this.port;
	}

	/**
	 * Return the server's own list of its clients ({@code CLIENT LIST}), without the
	 * connection that asks.
	 * @return one map of fields ({@code id}, {@code name}, {@code addr}, {@code cmd}, ...)
	 * per client connection
	 * @throws IOException if the server cannot be reached
	 */
	public List<Map<String, String>> clients() throws IOException {
		try (RedisConnection connection = RedisConnection.open(this.port)) {
			String self = String.valueOf(connection.command("CLIENT", "ID"));
			List<Map<String, String>> clients = new ArrayList<>();
			for (String line : String.valueOf(connection.command("CLIENT", "LIST")).split("\n")) {
				Map<String, String> client = parseClient(line.trim());
				if (!client.isEmpty() && !self.equals(client.get("id"))) {
					clients.add(client);
				}
			}
			return clients;
		}
	}

	/**
	 * Return the server's clients that gave the given name ({@code CLIENT SETNAME}, which
	 * Lettuce and Jedis send for a configured client name).
	 * @param name the client name
	 * @return the clients of that name
	 * @throws IOException if the server cannot be reached
	 */
	public List<Map<String, String>> clients(String name) throws IOException {
		List<Map<String, String>> named = new ArrayList<>();
		for (Map<String, String> client : clients()) {
			if (name.equals(client.get("name"))) {
				named.add(client);
			}
		}
		return named;
	}

	/**
	 * Publish a message, and return how many subscribers the server delivered it to.
	 * @param channel the channel
	 * @param message the message
	 * @return the number of clients that received it, as the server counts them
	 * @throws IOException if the server cannot be reached
	 */
	public long publish(String channel, String message) throws IOException {
		try (RedisConnection connection = RedisConnection.open(this.port)) {
			return (Long) connection.command("PUBLISH", channel, message);
		}
	}

	/**
	 * Run one command on a connection of its own.
	 * @param arguments the command and its arguments
	 * @return the reply: a {@code String}, a {@code Long}, a {@code List} or {@code null}
	 * @throws IOException if the server cannot be reached or answers with an error
	 */
	public Object command(String... arguments) throws IOException {
		try (RedisConnection connection = RedisConnection.open(this.port)) {
			return connection.command(arguments);
		}
	}

	private static Map<String, String> parseClient(String line) {
		Map<String, String> fields = new LinkedHashMap<>();
		for (String field : line.split(" ")) {
			int equals = field.indexOf('=');
			if (equals > 0) {
				fields.put(field.substring(0, equals), field.substring(equals + 1));
			}
		}
		return fields;
	}

	@Override
	public void close() {
		try {
			Runtime.getRuntime().removeShutdownHook(this.stopOnExit);
		}
		catch (IllegalStateException ex) {
			// The JVM is exiting: the hook stops the server
		}
		try {
			this.process.destroy();
			if (!this.process.waitFor(10, TimeUnit.SECONDS)) {
				this.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			this.process.destroyForcibly();
		}
		finally {
			deleteQuietly(this.workDirectory);
		}
	}

	private static void deleteQuietly(Path directory) {
		try (var paths = Files.walk(directory)) {
			paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach((path) -> path.toFile().delete());
		}
		catch (IOException ex) {
			// A leftover temporary folder is harmless; the server is stopped either way.
		}
	}

}
