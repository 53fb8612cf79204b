package io.cse.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Java service started as a process of its own, with its output in a log file.
 */
final class ServiceProcess implements AutoCloseable {

	private final Process process;

	private final int port;

	private final long startedNanos;

	private ServiceProcess(Process process, int port, long startedNanos) {
		this.process = process;
		this.port = port;
		this.startedNanos = startedNanos;
	}

	static ServiceProcess start(Path java, List<String> jvmOptions, List<String> classpathOrJar, List<String> arguments,
			Path log) throws IOException {
		int port = freePort();
		List<String> command = new ArrayList<>();
		// A session of its own, as a service manager gives it: CRIU cannot dump a process whose
		// session leader is outside its PID namespace. setsid execs in place (the child is no
		// process group leader), so the process handle stays the JVM's.
		command.add("setsid");
		command.add(java.toString());
		command.addAll(jvmOptions);
		command.addAll(classpathOrJar);
		command.add("--server.port=" + port);
		command.addAll(arguments);
		long started = System.nanoTime();
		Process process = new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
			.start();
		return new ServiceProcess(process, port, started);
	}

	/**
	 * Wait until the service answers 200 on the given path.
	 * @return milliseconds from the process start to the first 200
	 */
	double awaitFirst200(String path, Duration timeout) throws IOException, InterruptedException {
		HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
		long deadline = System.nanoTime() + timeout.toNanos();
		HttpRequest request = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(5)).build();
		while (System.nanoTime() < deadline) {
			if (!this.process.isAlive()) {
				throw new IOException("The service exited with code " + this.process.exitValue() + " before answering");
			}
			try {
				HttpResponse<Void> response = client.send(request, HttpResponse.BodyHandlers.discarding());
				if (response.statusCode() == 200) {
					return (System.nanoTime() - this.startedNanos) / 1e6;
				}
			}
			catch (IOException ex) {
				// not listening yet
			}
			// Polling is what a platform does too: the service has no other way to say it is up.
			TimeUnit.MILLISECONDS.sleep(5);
		}
		throw new IOException("The service did not answer 200 on " + path + " within " + timeout.toSeconds() + " s");
	}

	URI uri(String path) {
		return URI.create("http://127.0.0.1:" + this.port + path);
	}

	long pid() {
		return this.process.pid();
	}

	@Override
	public void close() throws InterruptedException {
		this.process.destroy();
		if (!this.process.waitFor(30, TimeUnit.SECONDS)) {
			this.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
		}
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

}
