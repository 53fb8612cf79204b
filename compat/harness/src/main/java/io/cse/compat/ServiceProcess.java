package io.cse.compat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A cell's service started as a user starts it ({@code java -jar}), in a process of its
 * own on the cell's JDK, in a session of its own (so that CRIU can dump it), its output
 * appended to a log file (which a restore can carry; a pipe to this JVM could not be).
 */
public final class ServiceProcess implements AutoCloseable {

	/**
	 * JVM options of every service of the suite: a small heap, C1 only (start-up is most of
	 * a cell's time, and the JIT tier changes nothing a freeze or a snapshot does), and no
	 * shared performance data file (an image cannot carry it).
	 */
	public static final List<String> JVM_OPTIONS = List.of("-Xmx160m", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData");

	/**
	 * The system property with JVM options every service gets after {@link #JVM_OPTIONS},
	 * separated by spaces: what the benchmark's {@code --jvm-options} sets, to measure a
	 * cell as a service tuned for it runs (another collector, for example).
	 */
	public static final String EXTRA_JVM_OPTIONS_PROPERTY = "cse.compat.jvm-options";

	/** How the starter's one line begins when it steps aside (SupportedPlatformCondition). */
	public static final String INACTIVE = "CSE is inactive";

	private final Process process;

	private final Path log;

	private final int port;

	private ServiceProcess(Process process, Path log, int port) {
		this.process = process;
		this.log = log;
		this.port = port;
	}

	/**
	 * Start the cell's service on a free port, and do not wait.
	 * @param cell the cell
	 * @param log where its output goes (replaced, then appended to)
	 * @param arguments the service's own arguments (the port is added)
	 * @return the process
	 * @throws IllegalStateException if the cell's JDK or the service's jar is missing
	 */
	public static ServiceProcess launch(Cell cell, Path log, List<String> arguments) throws IOException {
		return launch(cell.line().jar(), cell.line().toString(), cell.jdk(), log, arguments);
	}

	/**
	 * Start a service of the suite on a free port, and do not wait.
	 * @param jar the service's executable jar
	 * @param service what the service is, for messages (such as {@code Spring Boot 2.7.18})
	 * @param jdk the JDK it runs on
	 * @param log where its output goes (replaced, then appended to)
	 * @param arguments the service's own arguments (the port is added)
	 * @return the process
	 * @throws IllegalStateException if the JDK or the service's jar is missing
	 */
	public static ServiceProcess launch(Path jar, String service, Jdk jdk, Path log, List<String> arguments)
			throws IOException {
		int port = freePort();
		List<String> command = new ArrayList<>();
		// In a session of its own (setsid execs in place, so the process is the JVM)
		command.add("setsid");
		command.addAll(javaCommand(jar, service, jdk, port, arguments));
		Files.createDirectories(log.toAbsolutePath().getParent());
		// Each start its own log: the failure messages quote it. Appended to (a restore
		// needs that), so emptied first.
		Files.deleteIfExists(log);
		ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
		return new ServiceProcess(builder.start(), log, port);
	}

	/**
	 * The command that starts the cell's service: in a session of its own ({@code setsid}
	 * execs in place, so the process is the JVM), on the cell's JDK.
	 * @param cell the cell
	 * @param port the HTTP port
	 * @param arguments the service's own arguments
	 * @return the command
	 */
	public static List<String> command(Cell cell, int port, List<String> arguments) {
		List<String> command = new ArrayList<>();
		command.add("setsid");
		command.addAll(javaCommand(cell, port, arguments));
		return command;
	}

	/**
	 * The {@code java} command of the cell's service, as {@code cse run} takes it.
	 * @param cell the cell
	 * @param port the HTTP port
	 * @param arguments the service's own arguments
	 * @return the command
	 */
	public static List<String> javaCommand(Cell cell, int port, List<String> arguments) {
		return javaCommand(cell.line().jar(), cell.line().toString(), cell.jdk(), port, arguments);
	}

	private static List<String> javaCommand(Path jar, String service, Jdk jdk, int port, List<String> arguments) {
		if (!Files.isRegularFile(jar)) {
			throw new IllegalStateException("The " + service + " service's jar " + jar + " is missing: build it with "
					+ "'mvn -B -pl compat/harness -am package -DskipTests'");
		}
		List<String> command = new ArrayList<>();
		command.add(jdk.java().toString());
		command.addAll(JVM_OPTIONS);
		String extra = System.getProperty(EXTRA_JVM_OPTIONS_PROPERTY, "").trim();
		if (!extra.isEmpty()) {
			command.addAll(List.of(extra.split("\\s+")));
		}
		command.add("-jar");
		command.add(jar.toString());
		command.add("--server.port=" + port);
		command.addAll(arguments);
		return command;
	}

	/**
	 * Return a port nothing listens on now.
	 * @return the port
	 */
	public static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

	public int port() {
		return this.port;
	}

	public long pid() {
		return this.process.pid();
	}

	public boolean isAlive() {
		return this.process.isAlive();
	}

	/**
	 * Return a client of this instance on the loopback address.
	 * @return the client
	 */
	public ServiceHttp http() {
		return new ServiceHttp("127.0.0.1", this.port);
	}

	/**
	 * Return the service's output so far.
	 * @return the log's text
	 */
	public String log() {
		return readLog(this.log);
	}

	/**
	 * Return the given log's text, or why it cannot be read.
	 * @param log a service's log
	 * @return its text
	 */
	public static String readLog(Path log) {
		try {
			return Files.readString(log, StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			return "(cannot read " + log + ": " + ex + ")";
		}
	}

	/**
	 * Return the line in which the starter said it stepped aside, if it did (without its
	 * closing full stop, to be quoted).
	 * @param log the service's output
	 * @return the line, or {@code null}
	 */
	public static String inactiveLine(String log) {
		return log.lines()
			.filter((line) -> line.contains(INACTIVE))
			.map((line) -> line.strip().replaceAll("\\.$", ""))
			.findFirst()
			.orElse(null);
	}

	/**
	 * Return the log file.
	 * @return its path
	 */
	public Path logFile() {
		return this.log;
	}

	@Override
	public void close() {
		this.process.destroy();
		try {
			if (!this.process.waitFor(20, TimeUnit.SECONDS)) {
				this.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			}
		}
		catch (InterruptedException ex) {
			this.process.destroyForcibly();
			Thread.currentThread().interrupt();
		}
	}

}
