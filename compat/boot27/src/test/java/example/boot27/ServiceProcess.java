package example.boot27;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * The packaged service ({@code java -jar}) running in a process of its own on a given JDK,
 * its output in a file.
 */
final class ServiceProcess {

	private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

	private final Process process;

	private final Path log;

	private final Path portFile;

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private int port = -1;

	private ServiceProcess(Process process, Path log, Path portFile) {
		this.process = process;
		this.log = log;
		this.portFile = portFile;
	}

	/**
	 * Starts the service on {@code java} with the given arguments and waits until it answers
	 * {@code GET /} with 200.
	 */
	static ServiceProcess start(Path java, Path workDir, String... args) throws IOException {
		ServiceProcess service = launch(java, workDir, args);
		try {
			service.awaitServing();
		}
		catch (RuntimeException | Error ex) {
			service.stop();
			throw ex;
		}
		return service;
	}

	/** Starts the service on {@code java} with the given arguments, and does not wait. */
	static ServiceProcess launch(Path java, Path workDir, String... args) throws IOException {
		Path jar = Path.of(System.getProperty("cse.compat.service-jar", "target/boot27-0.1.0-SNAPSHOT.jar"));
		if (!Files.isRegularFile(jar)) {
			throw new IllegalStateException("The service jar " + jar + " is missing: build it with `mvn -pl compat/boot27 -am verify`");
		}
		Path log = workDir.resolve("service.log");
		Path portFile = workDir.resolve("service.port");
		List<String> command = new ArrayList<>(List.of(java.toString(), "-Xmx256m", "-XX:TieredStopAtLevel=1", "-jar",
				jar.toAbsolutePath().toString()));
		command.addAll(List.of(args));
		ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile())
			.redirectErrorStream(true)
			.redirectOutput(log.toFile());
		builder.environment().put("PORTFILE", portFile.toString());
		return new ServiceProcess(builder.start(), log, portFile);
	}

	/** Waits for the service to exit on its own, and returns its exit code. */
	int awaitExit() {
		await("the service to exit").atMost(START_TIMEOUT)
			.pollInterval(Duration.ofMillis(100))
			.until(() -> !this.process.isAlive());
		return this.process.exitValue();
	}

	private void awaitServing() {
		// The port file appears once Tomcat listens; a request may still be refused briefly.
		this.port = await("the service's port file " + this.portFile).atMost(START_TIMEOUT)
			.pollInterval(Duration.ofMillis(100))
			.until(this::readPort, (port) -> port > 0);
		await("GET / answering 200").atMost(START_TIMEOUT)
			.pollInterval(Duration.ofMillis(100))
			.until(() -> get("/").statusCode() == 200);
	}

	/** -1 until the file holds a port; fails at once (with the output) if the service exited. */
	private int readPort() throws IOException {
		if (!this.process.isAlive()) {
			throw new IllegalStateException("The service exited with " + this.process.exitValue()
					+ " before serving; its output:\n" + log());
		}
		if (!Files.exists(this.portFile)) {
			return -1;
		}
		String text = Files.readString(this.portFile).trim();
		return text.matches("\\d+") ? Integer.parseInt(text) : -1;
	}

	HttpResponse<String> get(String path) throws IOException, InterruptedException {
		if (!this.process.isAlive()) {
			throw new IllegalStateException("The service exited with " + this.process.exitValue() + "; its output:\n" + log());
		}
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path))
			.timeout(Duration.ofSeconds(10))
			.build();
		return this.http.send(request, HttpResponse.BodyHandlers.ofString());
	}

	/** A POST with no body, as a platform sends an action to the endpoint. */
	HttpResponse<String> post(String path) throws IOException, InterruptedException {
		if (!this.process.isAlive()) {
			throw new IllegalStateException("The service exited with " + this.process.exitValue() + "; its output:\n" + log());
		}
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path))
			.timeout(Duration.ofSeconds(30))
			.POST(HttpRequest.BodyPublishers.noBody())
			.build();
		return this.http.send(request, HttpResponse.BodyHandlers.ofString());
	}

	String log() {
		try {
			return Files.readString(this.log, StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			return "(cannot read " + this.log + ": " + ex + ")";
		}
	}

	void stop() {
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
