package io.cse.samples.kafka;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;

/**
 * Starts a real Apache Kafka broker (a single node in KRaft mode, broker and controller
 * in one) in a process of its own, and reads its view of the clients: what tests use to
 * see, from the broker's side, whether a service let go of Kafka and came back.
 * <p>
 * The broker has two client listeners: one for the service under test
 * ({@link #getBootstrapServers()}), and one for the tests' own clients
 * ({@link #getAdminBootstrapServers()}), so that every connection on the first one is the
 * service's ({@link #countServiceConnections()}).
 * <p>
 * The broker's class path is resolved by Maven when this module is built, into the file
 * the {@value #CLASSPATH_PROPERTY} system property names. Its heap is kept small.
 */
public final class KafkaProcess implements AutoCloseable {

	/** System property naming the file that holds the broker's class path. */
	public static final String CLASSPATH_PROPERTY = "cse.kafka.classpath";

	private static final String STARTED = "Kafka Server started";

	private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

	private final Process process;

	private final Path workDirectory;

	private final String serviceHost;

	private final int port;

	private final int adminPort;

	private KafkaProcess(Process process, Path workDirectory, String serviceHost, int port, int adminPort) {
		this.process = process;
		this.workDirectory = workDirectory;
		this.serviceHost = serviceHost;
		this.port = port;
		this.adminPort = adminPort;
	}

	/**
	 * Format a new storage directory and start a broker on free ports, from the class path
	 * the {@value #CLASSPATH_PROPERTY} system property names.
	 * @return the running broker
	 * @throws IOException if the broker cannot be started
	 */
	public static KafkaProcess start() throws IOException {
		return start("127.0.0.1");
	}

	/**
	 * Start a broker as {@link #start()} does, with the service's listener on another
	 * address of this machine, such as a bridge that network namespaces reach it through.
	 * The broker advertises that address to the service's clients, which connect to it
	 * after their first metadata request, so it must be reachable from wherever they run.
	 * @param serviceHost the address of the service's listener
	 * @return the running broker
	 * @throws IOException if the broker cannot be started
	 */
	public static KafkaProcess start(String serviceHost) throws IOException {
		String classpathFile = System.getProperty(CLASSPATH_PROPERTY);
		if (classpathFile == null || !Files.isRegularFile(Path.of(classpathFile))) {
			throw new IllegalStateException("No Kafka broker class path at '" + classpathFile + "' (system property "
					+ CLASSPATH_PROPERTY + "): build it first with 'mvn -pl samples/embedded-kafka -am package'");
		}
		Path workDirectory = Files.createTempDirectory("cse-kafka-");
		try {
			String classpath = Files.readString(Path.of(classpathFile)).trim() + java.io.File.pathSeparator
					+ ownLocation(workDirectory);
			int[] ports = freePorts(3);
			Path config = writeConfiguration(workDirectory, serviceHost, ports[0], ports[1], ports[2]);
			Path logConfig = writeLogConfiguration(workDirectory);
			format(classpath, workDirectory, config, logConfig);
			Process process = new ProcessBuilder(javaCommand(classpath, logConfig, "-Xmx256m",
					KafkaBroker.class.getName(), config.toString()))
				.directory(workDirectory.toFile())
				.redirectErrorStream(true)
				.redirectOutput(workDirectory.resolve("broker.out").toFile())
				.start();
			KafkaProcess broker = new KafkaProcess(process, workDirectory, serviceHost, ports[0], ports[1]);
			broker.awaitStarted();
			return broker;
		}
		catch (IOException | RuntimeException ex) {
			deleteQuietly(workDirectory);
			throw ex;
		}
	}

	/**
	 * Where the broker's JVM finds {@link KafkaBroker}: this module's jar or classes
	 * directory, or, where they are nested in another jar (a Spring Boot executable jar,
	 * such as the benchmarks'), a copy of the class in the work directory.
	 */
	private static String ownLocation(Path workDirectory) throws IOException {
		URI location;
		try {
			location = KafkaProcess.class.getProtectionDomain().getCodeSource().getLocation().toURI();
		}
		catch (URISyntaxException ex) {
			throw new IllegalStateException("Cannot locate the embedded-kafka classes", ex);
		}
		if ("file".equals(location.getScheme())) {
			return Path.of(location).toString();
		}
		Path classes = workDirectory.resolve("broker-classes");
		String resource = KafkaBroker.class.getName().replace('.', '/') + ".class";
		Path target = classes.resolve(resource);
		Files.createDirectories(target.getParent());
		try (InputStream in = KafkaBroker.class.getClassLoader().getResourceAsStream(resource)) {
			if (in == null) {
				throw new IllegalStateException("No " + resource + " beside " + location);
			}
			Files.copy(in, target);
		}
		return classes.toString();
	}

	private static int[] freePorts(int count) throws IOException {
		List<ServerSocket> sockets = new ArrayList<>();
		try {
			int[] ports = new int[count];
			for (int i = 0; i < count; i++) {
				ServerSocket socket = new ServerSocket();
				sockets.add(socket);
				socket.bind(new InetSocketAddress("127.0.0.1", 0));
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

	private static Path writeConfiguration(Path workDirectory, String serviceHost, int port, int adminPort,
			int controllerPort) throws IOException {
		String properties = String.join("\n", "process.roles=broker,controller", "node.id=1",
				"controller.quorum.voters=1@127.0.0.1:" + controllerPort,
				"listeners=SERVICE://" + serviceHost + ":" + port + ",ADMIN://127.0.0.1:" + adminPort
						+ ",CONTROLLER://127.0.0.1:" + controllerPort,
				"advertised.listeners=SERVICE://" + serviceHost + ":" + port + ",ADMIN://127.0.0.1:" + adminPort,
				"listener.security.protocol.map=SERVICE:PLAINTEXT,ADMIN:PLAINTEXT,CONTROLLER:PLAINTEXT",
				"controller.listener.names=CONTROLLER", "inter.broker.listener.name=ADMIN",
				"log.dirs=" + workDirectory.resolve("data"), "num.partitions=1", "offsets.topic.replication.factor=1",
				"offsets.topic.num.partitions=1", "transaction.state.log.replication.factor=1",
				"transaction.state.log.min.isr=1", "share.coordinator.state.topic.replication.factor=1",
				// A group forms as soon as its first member joins: no waiting for more members
				"group.initial.rebalance.delay.ms=0", "auto.create.topics.enable=true", "");
		Path config = workDirectory.resolve("server.properties");
		Files.writeString(config, properties);
		return config;
	}

	private static Path writeLogConfiguration(Path workDirectory) throws IOException {
		// Warnings and the start-up line go to a file, which a failed start is reported from
		String properties = String.join("\n", "rootLogger.level=WARN", "rootLogger.appenderRef.file.ref=file",
				"appender.file.type=File", "appender.file.name=file",
				"appender.file.fileName=" + workDirectory.resolve("broker.log"), "appender.file.layout.type=PatternLayout",
				"appender.file.layout.pattern=%d %p %c{1} %m%n", "logger.server.name=kafka.server.KafkaRaftServer",
				"logger.server.level=INFO", "");
		Path config = workDirectory.resolve("log4j2.properties");
		Files.writeString(config, properties);
		return config;
	}

	private static void format(String classpath, Path workDirectory, Path config, Path logConfig) throws IOException {
		Process format = new ProcessBuilder(javaCommand(classpath, logConfig, "-Xmx128m", "kafka.tools.StorageTool",
				"format", "--cluster-id", newClusterId(), "--config", config.toString()))
			.directory(workDirectory.toFile())
			.redirectErrorStream(true)
			.redirectOutput(workDirectory.resolve("format.out").toFile())
			.start();
		try {
			if (!format.waitFor(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
				format.destroyForcibly();
				throw new IOException("Formatting the broker's storage took more than " + START_TIMEOUT.toSeconds()
						+ " s: " + Files.readString(workDirectory.resolve("format.out")));
			}
			if (format.exitValue() != 0) {
				throw new IOException("Formatting the broker's storage failed (exit " + format.exitValue() + "): "
						+ Files.readString(workDirectory.resolve("format.out")));
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			format.destroyForcibly();
			throw new IOException("Interrupted while formatting the broker's storage", ex);
		}
	}

	private static String newClusterId() {
		while (true) {
			UUID uuid = UUID.randomUUID();
			ByteBuffer bytes = ByteBuffer.allocate(16).putLong(uuid.getMostSignificantBits())
				.putLong(uuid.getLeastSignificantBits());
			String id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.array());
			// One id in 64 starts with '-', which kafka-storage's argument parser takes for
			// an option (as Kafka's own Uuid.randomUuid() knows, and avoids)
			if (!id.startsWith("-")) {
				return id;
			}
		}
	}

	private static List<String> javaCommand(String classpath, Path logConfig, String heap, String mainClass,
			String... args) {
		List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				heap, "-XX:+UseSerialGC", "-Dlog4j2.configurationFile=" + logConfig, "-cp", classpath, mainClass));
		Collections.addAll(command, args);
		return command;
	}

	private void awaitStarted() throws IOException {
		long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
		Path log = this.workDirectory.resolve("broker.log");
		try {
			while (System.nanoTime() < deadline) {
				if (hasStarted(log)) {
					return;
				}
				if (!this.process.isAlive()) {
					throw new IOException("The Kafka broker exited (" + this.process.exitValue() + ") before it started: "
							+ brokerOutput());
				}
				// Polling a log file: there is nothing to wait on
				Thread.sleep(100);
			}
			throw new IOException("The Kafka broker did not start within " + START_TIMEOUT.toSeconds() + " s: "
					+ brokerOutput());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IOException("Interrupted while waiting for the Kafka broker", ex);
		}
		finally {
			if (!this.process.isAlive() || !hasStarted(log)) {
				close();
			}
		}
	}

	private static boolean hasStarted(Path log) throws IOException {
		return Files.isRegularFile(log) && Files.readString(log).contains(STARTED);
	}

	private String brokerOutput() throws IOException {
		StringBuilder output = new StringBuilder();
		for (String name : List.of("broker.out", "broker.log")) {
			Path file = this.workDirectory.resolve(name);
			if (Files.isRegularFile(file)) {
				output.append('\n').append(name).append(":\n").append(Files.readString(file));
			}
		}
		return output.toString();
	}

	/**
	 * Return the bootstrap servers of the service's listener.
	 * @return {@code <host>:<port>}, {@code 127.0.0.1} unless started on another host
	 */
	public String getBootstrapServers() {
		return this.serviceHost + ":" + this.port;
	}

	/**
	 * Return the bootstrap servers of the listener for the tests' own clients, whose
	 * connections {@link #countServiceConnections()} does not count.
	 * @return {@code 127.0.0.1:<port>}
	 */
	public String getAdminBootstrapServers() {
		return "127.0.0.1:" + this.adminPort;
	}

	/**
	 * Return the port of the service's listener.
	 * @return the port
	 */
	public int getPort() {
		return this.port;
	}

	/**
	 * Count the established connections on the service's listener, from the broker's side
	 * of the sockets (the kernel's table of TCP sockets, {@code /proc/net/tcp}).
	 * @return the number of client connections the broker holds on the service's listener
	 */
	public int countServiceConnections() {
		int count = 0;
		for (TcpSockets.Socket socket : TcpSockets.established()) {
			if (socket.localPort() == this.port) {
				count++;
			}
		}
		return count;
	}

	/**
	 * Count the established connections on the service's listener whose client end belongs
	 * to the given process of this machine: the broker's view of one service, when several
	 * share the broker.
	 * @param pid the client process
	 * @return the number of connections the broker holds for that process
	 */
	public int countServiceConnections(long pid) {
		Set<Long> inodes = TcpSockets.inodesOf(pid);
		List<TcpSockets.Socket> sockets = TcpSockets.established();
		Set<Integer> clientPorts = new HashSet<>();
		for (TcpSockets.Socket socket : sockets) {
			if (socket.remotePort() == this.port && inodes.contains(socket.inode())) {
				clientPorts.add(socket.localPort());
			}
		}
		int count = 0;
		for (TcpSockets.Socket socket : sockets) {
			if (socket.localPort() == this.port && clientPorts.contains(socket.remotePort())) {
				count++;
			}
		}
		return count;
	}

	/**
	 * Describe the members of a consumer group, as the broker's group coordinator sees them.
	 * @param groupId the group
	 * @return one entry per member, {@code clientId} then {@code /instanceId} for a static
	 * member, in the order the broker lists them
	 */
	public List<String> groupMembers(String groupId) {
		try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, getAdminBootstrapServers()))) {
			ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(groupId)).all().get(30, TimeUnit.SECONDS)
				.get(groupId);
			return group.members().stream()
				.map((member) -> member.clientId() + member.groupInstanceId().map((id) -> "/" + id).orElse(""))
				.collect(Collectors.toList());
		}
		catch (ExecutionException | java.util.concurrent.TimeoutException ex) {
			throw new IllegalStateException("Cannot describe consumer group '" + groupId + "': " + ex.getMessage(), ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while describing consumer group '" + groupId + "'", ex);
		}
	}

	@Override
	public void close() {
		try {
			// Closing standard input stops the broker (KafkaBroker)
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
			// A leftover temporary folder is harmless; the broker is stopped either way.
		}
	}

}
