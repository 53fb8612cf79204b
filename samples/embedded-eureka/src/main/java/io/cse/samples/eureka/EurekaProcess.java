package io.cse.samples.eureka;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
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
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Starts {@link EmbeddedEurekaServer} in a process of its own, reads what the server
 * holds, and stops it: what tests use to get a real Eureka server outside the service
 * they run.
 * <p>
 * Reads go to the server's REST API, as every Eureka client's do, and show the server's
 * own registry: {@link #instance} asks for one instance ({@code GET /eureka/apps/{app}/{id}},
 * which the server answers from its registry, uncached), {@link #instances} for every
 * instance of an application ({@code GET /eureka/apps/{app}}, answered through the
 * server's response cache, which every registration, status change and cancellation
 * invalidates; the read-only copy of it that is refreshed every 30 seconds is switched
 * off in this server).
 */
public final class EurekaProcess implements AutoCloseable {

	/** System property naming the executable jar of the embedded-eureka sample. */
	public static final String JAR_PROPERTY = "cse.eureka.jar";

	private static final Pattern INSTANCE = Pattern.compile("\\{\"instanceId\":\"([^\"]*)\".*?\"ipAddr\":\"([^\"]*)\""
			+ ".*?\"status\":\"([A-Z_]+)\"", Pattern.DOTALL);

	private final Process process;

	private final int port;

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private EurekaProcess(Process process, int port) {
		this.process = process;
		this.port = port;
	}

	/**
	 * Start a server from the jar named by the {@value #JAR_PROPERTY} system property.
	 * @return the running server
	 * @throws IOException if the server cannot be started
	 */
	public static EurekaProcess start() throws IOException {
		String jar = System.getProperty(JAR_PROPERTY);
		if (jar == null || !Files.isRegularFile(Path.of(jar))) {
			throw new IllegalStateException("No embedded-eureka jar at '" + jar + "' (system property " + JAR_PROPERTY
					+ "): build it first with 'mvn -pl samples/embedded-eureka -am package'");
		}
		return start(Path.of(jar));
	}

	/**
	 * Start a server from the given executable jar, on a free port of the loopback address.
	 * @param jar the executable jar of the embedded-eureka sample
	 * @return the running server
	 * @throws IOException if the server cannot be started
	 */
	public static EurekaProcess start(Path jar) throws IOException {
		List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx192m",
				"-XX:TieredStopAtLevel=1", "-jar", jar.toString(), "--stop-on-eof");
		Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
		try {
			return new EurekaProcess(process, awaitReady(process));
		}
		catch (IOException | RuntimeException ex) {
			process.destroyForcibly();
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
		throw new IOException("The embedded Eureka server exited before it was ready (see its output above)");
	}

	/**
	 * Return the URL that clients register with
	 * ({@code eureka.client.service-url.defaultZone}).
	 * @return the service URL, ending with {@code /eureka/}
	 */
	public String getServiceUrl() {
		return "http://127.0.0.1:" + this.port + "/eureka/";
	}

	/**
	 * Return one instance of an application as the server's registry holds it.
	 * @param application the application's name (any case)
	 * @param instanceId the instance's id
	 * @return the instance, or empty if the server has none with that id
	 * @throws IOException if the server cannot be reached
	 */
	public Optional<Instance> instance(String application, String instanceId) throws IOException {
		List<Instance> found = parse(get("apps/" + application.toUpperCase(Locale.ROOT) + "/" + instanceId));
		return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
	}

	/**
	 * Return every instance of an application that the server holds.
	 * @param application the application's name (any case)
	 * @return the instances, none if the server knows no such application
	 * @throws IOException if the server cannot be reached
	 */
	public List<Instance> instances(String application) throws IOException {
		return parse(get("apps/" + application.toUpperCase(Locale.ROOT)));
	}

	/**
	 * Cancel an instance's registration, as its client does when the application stops.
	 * @param application the application's name (any case)
	 * @param instanceId the instance's id
	 * @return whether the server had the instance
	 * @throws IOException if the server cannot be reached
	 */
	public boolean cancel(String application, String instanceId) throws IOException {
		HttpRequest request = HttpRequest
			.newBuilder(URI.create(getServiceUrl() + "apps/" + application.toUpperCase(Locale.ROOT) + "/" + instanceId))
			.DELETE()
			.timeout(Duration.ofSeconds(20))
			.build();
		return send(request).statusCode() == 200;
	}

	private String get(String path) throws IOException {
		HttpRequest request = HttpRequest.newBuilder(URI.create(getServiceUrl() + path))
			.header("Accept", "application/json")
			.timeout(Duration.ofSeconds(20))
			.build();
		HttpResponse<String> response = send(request);
		if (response.statusCode() == 404) {
			return "";
		}
		if (response.statusCode() != 200) {
			throw new IOException("GET " + request.uri() + " answered " + response.statusCode() + ": " + response.body());
		}
		return response.body();
	}

	private HttpResponse<String> send(HttpRequest request) throws IOException {
		try {
			return this.http.send(request, HttpResponse.BodyHandlers.ofString());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IOException("Interrupted while reading " + request.uri(), ex);
		}
	}

	private static List<Instance> parse(String json) {
		List<Instance> instances = new ArrayList<>();
		Matcher matcher = INSTANCE.matcher(json);
		while (matcher.find()) {
			instances.add(new Instance(matcher.group(1), matcher.group(2), matcher.group(3)));
		}
		return instances;
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
	}

	/**
	 * An instance as the server holds it.
	 *
	 * @param id the instance id
	 * @param address the IP address it registered
	 * @param status its status: {@code UP}, {@code DOWN}, {@code OUT_OF_SERVICE},
	 * {@code STARTING} or {@code UNKNOWN}
	 */
	public record Instance(String id, String address, String status) {

	}

}
