package io.cse.web;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.core.io.DefaultResourceLoader;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The tests every {@link IdleConnectionCloser} of a real embedded server passes, seen from
 * the client's socket. The application runs without the starter: the traffic gate knows no
 * request, and what the closer leaves open is its server's doing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractIdleConnectionCloserTests {

	static final String GREETING = "Hello World!";

	private static final Duration QUIET = Duration.ofSeconds(1);

	private ConfigurableApplicationContext application;

	private int port;

	/**
	 * Start the application on the server under test.
	 * @param type servlet or reactive
	 * @param hidden the packages of the other servers
	 * @param configuration beans the closer needs, besides the application's
	 */
	void start(WebApplicationType type, String[] hidden, Class<?>... configuration) {
		Class<?>[] sources = new Class<?>[configuration.length + 1];
		sources[0] = GreetingApplication.class;
		System.arraycopy(configuration, 0, sources, 1, configuration.length);
		this.application = new SpringApplicationBuilder(sources)
			.resourceLoader(new DefaultResourceLoader(new FilteredClassLoader(hidden)))
			.web(type)
			.properties("server.port=0", "cse.enabled=false")
			.run();
		this.port = this.application.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
	}

	/** The closer under test, for the running application. */
	abstract IdleConnectionCloser closer(ConfigurableApplicationContext application);

	@AfterEach
	void releaseHeldRequests() {
		GreetingController.release();
	}

	@AfterAll
	void stop() {
		if (this.application != null) {
			this.application.close();
		}
	}

	@Test
	void idleKeepAliveConnectionQuietLongEnoughIsClosed() throws IOException {
		IdleConnectionCloser closer = closer(this.application);
		try (Socket socket = connect()) {
			assertThat(get(socket, "/hello")).contains(GREETING);
			await().atMost(Duration.ofSeconds(10)).until(() -> closer.closeIdleConnections((busy) -> false, QUIET) > 0);
			assertThat(socket.getInputStream().read()).as("the client sees the connection end").isEqualTo(-1);
		}
	}

	@Test
	void connectionOfABusyPortStaysOpen() throws IOException {
		IdleConnectionCloser closer = closer(this.application);
		try (Socket busy = connect(); Socket idle = connect()) {
			assertThat(get(busy, "/hello")).contains(GREETING);
			assertThat(get(idle, "/hello")).contains(GREETING);
			int busyPort = busy.getLocalPort();
			// The other connection, as idle, is closed: the closer saw both
			await().atMost(Duration.ofSeconds(10))
				.until(() -> closer.closeIdleConnections((port) -> port == busyPort, Duration.ZERO) > 0);
			assertThat(idle.getInputStream().read()).as("the idle connection ends").isEqualTo(-1);
			assertThat(get(busy, "/hello")).as("the busy connection still serves").startsWith("HTTP/1.1 200")
				.contains(GREETING);
		}
	}

	@Test
	void connectionUsedJustNowStaysOpenForItsNextRequest() throws IOException {
		IdleConnectionCloser closer = closer(this.application);
		try (Socket socket = connect()) {
			assertThat(get(socket, "/hello")).contains(GREETING);
			assertThat(closer.closeIdleConnections((busy) -> false, Duration.ofMinutes(1))).as("connections closed")
				.isZero();
			assertThat(get(socket, "/hello")).startsWith("HTTP/1.1 200").contains(GREETING);
		}
	}

	@Test
	void requestInFlightKeepsItsConnectionAndGetsItsAnswer() throws Exception {
		IdleConnectionCloser closer = closer(this.application);
		try (Socket held = connect(); Socket idle = connect()) {
			assertThat(get(idle, "/hello")).contains(GREETING);
			send(held, "/hold");
			assertThat(GreetingController.entered.await(10, TimeUnit.SECONDS)).isTrue();
			// The traffic gate does not know this request: only the server can tell it is busy.
			// The idle connection is closed, so the closer saw both
			await().atMost(Duration.ofSeconds(10))
				.until(() -> closer.closeIdleConnections((port) -> false, Duration.ZERO) > 0);
			assertThat(idle.getInputStream().read()).as("the idle connection ends").isEqualTo(-1);
			GreetingController.release();
			assertThat(readResponse(held.getInputStream())).startsWith("HTTP/1.1 200").contains(GREETING);
		}
	}

	private Socket connect() throws IOException {
		Socket socket = new Socket("127.0.0.1", this.port);
		socket.setSoTimeout(10_000);
		return socket;
	}

	private static String get(Socket socket, String path) throws IOException {
		send(socket, path);
		return readResponse(socket.getInputStream());
	}

	private static void send(Socket socket, String path) throws IOException {
		String request = "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n";
		socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
		socket.getOutputStream().flush();
	}

	/** Reads one response whose body has a Content-Length, leaving the connection open. */
	static String readResponse(InputStream in) throws IOException {
		StringBuilder head = new StringBuilder();
		while (!head.toString().endsWith("\r\n\r\n")) {
			int read = in.read();
			if (read == -1) {
				return head.toString();
			}
			head.append((char) read);
		}
		int length = 0;
		for (String line : head.toString().split("\r\n")) {
			if (line.toLowerCase().startsWith("content-length:")) {
				length = Integer.parseInt(line.substring("content-length:".length()).trim());
			}
		}
		return head + new String(in.readNBytes(length), StandardCharsets.UTF_8);
	}

	@SpringBootConfiguration(proxyBeanMethods = false)
	@EnableAutoConfiguration(excludeName = {
			// No database here: Spring Boot 3 and Spring Boot 4 names.
			"org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration",
			"org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration" })
	@Import(GreetingController.class)
	static class GreetingApplication {

	}

	/** Answers at once, or ({@code /hold}) once the test lets it; on servlet and reactive stacks alike. */
	@RestController
	static class GreetingController {

		static volatile CountDownLatch entered = new CountDownLatch(1);

		private static volatile CompletableFuture<String> held = new CompletableFuture<>();

		@GetMapping("/hello")
		String hello() {
			return GREETING;
		}

		@GetMapping("/hold")
		CompletableFuture<String> hold() {
			entered.countDown();
			return held.thenApply(Function.identity());
		}

		static void release() {
			held.complete(GREETING);
			held = new CompletableFuture<>();
			entered = new CountDownLatch(1);
		}

	}

}
