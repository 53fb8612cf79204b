package io.cse.samples.zookeeper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starts {@link EmbeddedZookeeperServer} in a process of its own and stops it: what
 * tests and the quick start use to get a real ZooKeeper server outside the provider they
 * run.
 */
public final class ZookeeperProcess implements AutoCloseable {

	/** System property naming the executable jar of the embedded-zookeeper sample. */
	public static final String JAR_PROPERTY = "cse.zookeeper.jar";

	private final Process process;

	private final int port;

	private ZookeeperProcess(Process process, int port) {
		this.process = process;
		this.port = port;
	}

	/**
	 * Start a server from the jar named by the {@value #JAR_PROPERTY} system property,
	 * listening on every address of the host.
	 * @return the running server
	 * @throws IOException if the server cannot be started
	 */
	public static ZookeeperProcess start() throws IOException {
		String jar = System.getProperty(JAR_PROPERTY);
		if (jar == null || !Files.isRegularFile(Path.of(jar))) {
			throw new IllegalStateException("No embedded-zookeeper jar at '" + jar + "' (system property "
					+ JAR_PROPERTY + "): build it first with 'mvn -pl samples/embedded-zookeeper -am package'");
		}
		return start(Path.of(jar), "0.0.0.0");
	}

	/**
	 * Start a server from the given executable jar.
	 * @param jar the executable jar of the embedded-zookeeper sample
	 * @param listenAddress the address the server listens on ({@code 0.0.0.0}: all)
	 * @return the running server
	 * @throws IOException if the server cannot be started
	 */
	public static ZookeeperProcess start(Path jar, String listenAddress) throws IOException {
		List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				"-Xmx128m", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-jar", jar.toString(),
				"--listen=" + listenAddress, "--stop-on-eof");
		Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
		try {
			return new ZookeeperProcess(process, awaitReady(process));
		}
		catch (IOException | RuntimeException ex) {
			process.destroy();
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
		throw new IOException("The embedded ZooKeeper server exited before it was ready (see its output above)");
	}

	/**
	 * Return the port the server listens on.
	 * @return the port
	 */
	public int getPort() {
		return this.port;
	}

	/**
	 * Return the connect string of the server at the given address.
	 * @param address one of the addresses the server listens on
	 * @return {@code address:port}
	 */
	public String getConnectString(String address) {
		return address + ":" + this.port;
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
			this.process.destroyForcibly();
			Thread.currentThread().interrupt();
		}
	}

}
