package io.cse.node.host;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

/**
 * The services an end-to-end test starts as processes of their own, the way a service
 * manager would, and talks to over HTTP; {@link #close()} stops whatever is still running.
 */
final class ServiceProcesses implements AutoCloseable {

	private static final ObjectMapper json = new ObjectMapper();

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private final List<Process> started = new ArrayList<>();

	private volatile String endpointToken;

	/**
	 * Send every request to {@code /actuator/cse} from now on with this token, as the
	 * platform does for a service started with {@code cse.endpoint.token-file}.
	 */
	void endpointToken(String token) {
		this.endpointToken = token;
	}

	/**
	 * Start a service with this JVM's {@code java}.
	 * @param log where its output goes, appended
	 * @param arguments what follows {@code java}
	 * @return the process
	 */
	Process startJava(Path log, List<String> arguments) throws IOException {
		return start(Path.of(System.getProperty("java.home"), "bin", "java"), log, arguments);
	}

	/**
	 * Start a service with the given {@code java}.
	 * @param java the JDK's {@code java}
	 * @param log where its output goes, appended
	 * @param arguments what follows {@code java}
	 * @return the process
	 */
	Process start(Path java, Path log, List<String> arguments) throws IOException {
		List<String> command = new ArrayList<>();
		// A session of its own, as a service manager gives it: CRIU cannot dump a process whose
		// session leader is outside its PID namespace (a sandboxed CI runs builds in one).
		// setsid execs in place, so the process handle stays the JVM's.
		command.add("setsid");
		command.add(java.toString());
		command.addAll(arguments);
		// Output to a file: a pipe to this JVM could not be restored, in place or in a clone.
		Process process = new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
			.start();
		this.started.add(process);
		return process;
	}

	/**
	 * Wait until the service answers 200 on the given URL; fail with its log if it exits.
	 */
	void awaitAnswering(Process process, String url, Path log, Duration timeout) {
		await().atMost(timeout)
			.pollInterval(Duration.ofMillis(200))
			.ignoreExceptionsMatching(IOException.class::isInstance)
			.until(() -> {
				if (!process.isAlive()) {
					fail("The service exited with code " + process.exitValue() + " before it answered; its log:\n"
							+ Files.readString(log));
				}
				return get(url).statusCode() == 200;
			});
	}

	/**
	 * Read an instance's {@code /actuator/cse}.
	 * @param base its {@code http://host:port}
	 */
	JsonNode status(String base) throws IOException {
		return json.readTree(get(base + "/actuator/cse").body());
	}

	HttpResponse<String> get(String url) throws IOException {
		return send(withToken(HttpRequest.newBuilder(URI.create(url))).GET().build());
	}

	/**
	 * Send a {@code GET} without the endpoint token, as anyone who reaches the port may.
	 */
	HttpResponse<String> getAnonymously(String url) throws IOException {
		return send(HttpRequest.newBuilder(URI.create(url)).GET().build());
	}

	private HttpRequest.Builder withToken(HttpRequest.Builder request) {
		String token = this.endpointToken;
		if (token != null && request.build().uri().getPath().startsWith("/actuator/cse")) {
			request.header("Authorization", "Bearer " + token);
		}
		return request;
	}

	/**
	 * Send a {@code POST}, with a JSON body or none.
	 */
	HttpResponse<String> post(String url, String jsonBody) throws IOException {
		HttpRequest.Builder request = withToken(HttpRequest.newBuilder(URI.create(url)));
		if (jsonBody != null) {
			request.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(jsonBody));
		}
		else {
			request.POST(HttpRequest.BodyPublishers.noBody());
		}
		return send(request.build());
	}

	private HttpResponse<String> send(HttpRequest request) throws IOException {
		try {
			return this.http.send(HttpRequest.newBuilder(request, (name, value) -> true)
				.timeout(Duration.ofSeconds(30))
				.build(), HttpResponse.BodyHandlers.ofString());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IOException(ex);
		}
	}

	static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

	@Override
	public void close() throws InterruptedException {
		for (Process process : this.started) {
			process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
		}
		this.started.clear();
	}

}
