package io.cse.samples.postgres;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starts {@link EmbeddedPostgresServer} in a process of its own and stops it: what tests,
 * benchmarks and the quick start use to get a real PostgreSQL server outside the service
 * they run.
 * <p>
 * PostgreSQL refuses to run as root; when this JVM runs as root the server runs as
 * {@code nobody} (through {@code setpriv}), from a copy of its jar that {@code nobody} can
 * read.
 */
public final class PostgresProcess implements AutoCloseable {

	/** System property naming the executable jar of the embedded-postgres sample. */
	public static final String JAR_PROPERTY = "cse.postgres.jar";

	private final Process process;

	private final Path workDirectory;

	private final int port;

	private PostgresProcess(Process process, Path workDirectory, int port) {
		this.process = process;
		this.workDirectory = workDirectory;
		this.port = port;
	}

	/**
	 * Start a server from the jar named by the {@value #JAR_PROPERTY} system property.
	 * @return the running server
	 * @throws IOException if the server cannot be started
	 */
	public static PostgresProcess start() throws IOException {
		String jar = System.getProperty(JAR_PROPERTY);
		if (jar == null || !Files.isRegularFile(Path.of(jar))) {
			throw new IllegalStateException("No embedded-postgres jar at '" + jar + "' (system property " + JAR_PROPERTY
					+ "): build it first with 'mvn -pl samples/embedded-postgres -am package'");
		}
		return start(Path.of(jar), "127.0.0.1");
	}

	/**
	 * Start a server from the given executable jar.
	 * @param jar the executable jar of the embedded-postgres sample
	 * @param listenAddresses the addresses the server listens on, comma-separated
	 * @return the running server
	 * @throws IOException if the server cannot be started
	 */
	public static PostgresProcess start(Path jar, String listenAddresses) throws IOException {
		return start(jar, listenAddresses, List.of());
	}

	/**
	 * Start a server from the given executable jar, trusting clients of the given networks.
	 * @param jar the executable jar of the embedded-postgres sample
	 * @param listenAddresses the addresses the server listens on, comma-separated
	 * @param trustedNetworks networks (CIDR) whose clients connect without a password
	 * @return the running server
	 * @throws IOException if the server cannot be started
	 */
	public static PostgresProcess start(Path jar, String listenAddresses, List<String> trustedNetworks)
			throws IOException {
		return start(jar, listenAddresses, trustedNetworks, 0);
	}

	/**
	 * Start a new, empty server on a given port: where the server that a service was
	 * configured with listened before it was stopped, to show the service reconnecting.
	 * @param jar the executable jar of the embedded-postgres sample
	 * @param listenAddresses the addresses the server listens on, comma-separated
	 * @param port the port to listen on
	 * @return the running server
	 * @throws IOException if the server cannot be started
	 */
	public static PostgresProcess startOnPort(Path jar, String listenAddresses, int port) throws IOException {
		return start(jar, listenAddresses, List.of(), port);
	}

	private static PostgresProcess start(Path jar, String listenAddresses, List<String> trustedNetworks, int port)
			throws IOException {
		Path workDirectory = Files.createTempDirectory("cse-pg-",
				PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
		Path copy = workDirectory.resolve("embedded-postgres.jar");
		Files.copy(jar, copy, StandardCopyOption.REPLACE_EXISTING);
		Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rw-r--r--"));
		List<String> command = new ArrayList<>();
		if ("root".equals(System.getProperty("user.name"))) {
			command.addAll(List.of("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"));
		}
		command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m",
				"-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-jar", copy.toString(), "--listen=" + listenAddresses,
				"--stop-on-eof"));
		trustedNetworks.forEach((network) -> command.add("--trust=" + network));
		if (port > 0) {
			command.add("--port=" + port);
		}
		Process process = new ProcessBuilder(command).directory(workDirectory.toFile())
			.redirectError(ProcessBuilder.Redirect.INHERIT)
			.start();
		try {
			return new PostgresProcess(process, workDirectory, awaitReady(process));
		}
		catch (IOException | RuntimeException ex) {
			process.destroy();
			deleteQuietly(workDirectory);
			throw ex;
		}
	}

	private static int awaitReady(Process process) throws IOException {
		BufferedReader reader = new BufferedReader(
				new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
		String line;
		while ((line = reader.readLine()) != null) {
			if (line.startsWith("READY port=")) {
				String port = line.substring("READY port=".length(), line.indexOf(' ', "READY port=".length()));
				return Integer.parseInt(port);
			}
		}
		throw new IOException("The embedded PostgreSQL server exited before it was ready (see its output above)");
	}

	/**
	 * Return the port the server listens on.
	 * @return the port
	 */
	public int getPort() {
		return this.port;
	}

	/**
	 * Return the JDBC URL of the server's {@code postgres} database.
	 * @return the URL, for the user {@code postgres} with no password
	 */
	public String getJdbcUrl() {
		return getJdbcUrl("127.0.0.1");
	}

	/**
	 * Return the JDBC URL of the server's {@code postgres} database at the given address.
	 * @param address one of the addresses the server listens on
	 * @return the URL, for the user {@code postgres} with no password
	 */
	public String getJdbcUrl(String address) {
		return "jdbc:postgresql://" + address + ":" + this.port + "/postgres";
	}

	/**
	 * Open a connection as the {@code postgres} superuser.
	 * @return a new connection
	 * @throws SQLException if the server cannot be reached
	 */
	public Connection connect() throws SQLException {
		return DriverManager.getConnection(getJdbcUrl(), "postgres", "");
	}

	/**
	 * Count the connections the server has for the given application name, from its own
	 * view ({@code pg_stat_activity}).
	 * @param applicationName the {@code application_name} the clients set
	 * @return the number of backends of that application
	 * @throws SQLException if the server cannot be reached
	 */
	public int countConnections(String applicationName) throws SQLException {
		try (Connection connection = connect();
				var statement = connection
					.prepareStatement("select count(*) from pg_stat_activity where application_name = ?")) {
			statement.setString(1, applicationName);
			try (var result = statement.executeQuery()) {
				result.next();
				return result.getInt(1);
			}
		}
	}

	/**
	 * Count the connections the server has from the given client address, from its own
	 * view ({@code pg_stat_activity}).
	 * @param clientAddress the client's IP address
	 * @return the number of backends serving that client
	 * @throws SQLException if the server cannot be reached
	 */
	public int countConnectionsFrom(String clientAddress) throws SQLException {
		try (Connection connection = connect();
				var statement = connection
					.prepareStatement("select count(*) from pg_stat_activity where client_addr = ?::inet")) {
			statement.setString(1, clientAddress);
			try (var result = statement.executeQuery()) {
				result.next();
				return result.getInt(1);
			}
		}
	}

	@Override
	public void close() {
		try {
			// Closing standard input stops the server cleanly (--stop-on-eof).
			this.process.getOutputStream().close();
			if (!this.process.waitFor(30, TimeUnit.SECONDS)) {
				this.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			}
		}
		catch (IOException ex) {
			this.process.destroyForcibly();
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
