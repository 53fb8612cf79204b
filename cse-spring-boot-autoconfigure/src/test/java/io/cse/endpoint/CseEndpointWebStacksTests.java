package io.cse.endpoint;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import com.jayway.jsonpath.JsonPath;
import io.cse.CheckpointCoordinator;
import io.cse.InstanceState;
import io.cse.OperationReport;
import io.cse.OperationReport.Outcome;
import io.cse.endpoint.CseEndpointWebTests.GreetingController;
import io.cse.endpoint.CseEndpointWebTests.TestApplication;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.io.DefaultResourceLoader;
import org.springframework.util.ClassUtils;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The starter on every web stack Spring Boot runs on: a freeze never stops the web server,
 * every action accepts a POST with no body and no content type (as the node agent and
 * {@code curl -X POST} send it), a request that arrives while the instance is frozen is
 * held and served once the platform thaws it (or wakes the instance where thaw on request
 * is on, or is answered 503 with Retry-After once the hold times out), a freeze closes idle
 * kept-alive connections, and a dump answers before the snapshot starts.
 */
class CseEndpointWebStacksTests {

	private static final String TOMCAT = "org.apache.catalina";

	private static final String JETTY = "org.eclipse.jetty";

	private static final String UNDERTOW = "io.undertow";

	private static final String DUMP = "/actuator/cse/dump";

	/**
	 * How long a dump's request holds on once it has its answer: time enough for a
	 * snapshot that did not wait for the request to end to start.
	 */
	private static final Duration HOLD = Duration.ofMillis(500);

	static Stream<Stack> stacks() {
		List<Stack> stacks = new ArrayList<>();
		stacks.add(new Stack("Tomcat", "Tomcat", WebApplicationType.SERVLET, JETTY, UNDERTOW));
		stacks.add(new Stack("Jetty", "Jetty", WebApplicationType.SERVLET, TOMCAT, UNDERTOW));
		// Spring Boot 4 dropped Undertow: the stack is tried where the build has Spring Boot's
		// support for it (Undertow itself is there on every line: the starter compiles
		// against it)
		if (ClassUtils.isPresent("org.springframework.boot.web.embedded.undertow.UndertowServletWebServerFactory",
				null)) {
			stacks.add(new Stack("Undertow", "Undertow", WebApplicationType.SERVLET, TOMCAT, JETTY));
		}
		stacks.add(new Stack("Reactor Netty", "Netty", WebApplicationType.REACTIVE, TOMCAT, JETTY, UNDERTOW));
		return stacks.stream();
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("stacks")
	void freezeKeepsTheServerServingAndARequestHeldAcrossIsServedAfterTheThaw(Stack stack) {
		try (ConfigurableApplicationContext application = stack.start()) {
			assertThat(webServerOf(application)).startsWith(stack.webServer());
			int port = application.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
			CheckpointCoordinator coordinator = application.getBean(CheckpointCoordinator.class);
			Http http = new Http(port);
			assertThat(http.get("/hello").body()).isEqualTo(CseEndpointWebTests.GREETING);

			// What curl -X POST sends: no body, no content type, no content length.
			RawAnswer freeze = postWithoutAnyBody(port, "/actuator/cse/freeze");
			assertThat(freeze.status()).as(freeze.body()).isEqualTo(200);
			assertThat(JsonPath.<String>read(freeze.body(), "$.state")).isEqualTo("FROZEN");
			assertThat(coordinator.getState()).isEqualTo(InstanceState.FROZEN);

			// The server still listens and holds the request.
			CompletableFuture<HttpResponse<String>> held = CompletableFuture.supplyAsync(() -> http.get("/hello"));
			await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !held.isDone());
			assertThat(JsonPath.<String>read(http.get("/actuator/cse").body(), "$.state")).isEqualTo("FROZEN");

			// What the node agent sends: no body, no content type, a content length of 0.
			HttpResponse<String> thaw = http.post("/actuator/cse/thaw");
			assertThat(thaw.statusCode()).as(thaw.body()).isEqualTo(200);
			assertThat(JsonPath.<String>read(thaw.body(), "$.state")).isEqualTo("RUNNING");
			HttpResponse<String> served = await().atMost(Duration.ofSeconds(5))
				.until(() -> held.getNow(null), (response) -> response != null);
			assertThat(served.statusCode()).isEqualTo(200);
			assertThat(served.body()).isEqualTo(CseEndpointWebTests.GREETING);

			// And again: nothing the first freeze and thaw did is left broken.
			assertThat(postWithoutAnyBody(port, "/actuator/cse/freeze").status()).isEqualTo(200);
			assertThat(http.post("/actuator/cse/thaw").statusCode()).isEqualTo(200);
			assertThat(http.get("/hello").body()).isEqualTo(CseEndpointWebTests.GREETING);
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("stacks")
	void aFreezeWithoutThawOnRequestHoldsRequestsUntilTheThaw(Stack stack) {
		try (ConfigurableApplicationContext application = stack.start(GreetingController.class,
				"cse.traffic.thaw-on-request=true")) {
			int port = application.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
			Http http = new Http(port);
			// What the node agent sends, as it freezes the process's cgroup next
			RawAnswer freeze = postWithoutAnyBody(port, "/actuator/cse/freeze?thawOnRequest=false");
			assertThat(freeze.status()).as(freeze.body()).isEqualTo(200);
			CompletableFuture<HttpResponse<String>> held = CompletableFuture.supplyAsync(() -> http.get("/hello"));
			await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(3)).until(() -> !held.isDone());
			assertThat(application.getBean(CheckpointCoordinator.class).getState()).isEqualTo(InstanceState.FROZEN);
			assertThat(http.post("/actuator/cse/thaw").statusCode()).isEqualTo(200);
			assertThat(await().atMost(Duration.ofSeconds(5)).until(() -> held.getNow(null), (response) -> response != null)
				.body()).isEqualTo(CseEndpointWebTests.GREETING);
			// Only a freeze takes it
			assertThat(http.post("/actuator/cse/thaw?thawOnRequest=false").statusCode()).isEqualTo(400);
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("stacks")
	void aRequestToAFrozenInstanceThawsItWhereThawOnRequestIsOn(Stack stack) {
		try (ConfigurableApplicationContext application = stack.start(GreetingController.class,
				"cse.traffic.thaw-on-request=true")) {
			int port = application.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
			CheckpointCoordinator coordinator = application.getBean(CheckpointCoordinator.class);
			Http http = new Http(port);
			assertThat(postWithoutAnyBody(port, "/actuator/cse/freeze").status()).isEqualTo(200);
			assertThat(coordinator.getState()).isEqualTo(InstanceState.FROZEN);

			HttpResponse<String> served = http.get("/hello");
			assertThat(served.statusCode()).isEqualTo(200);
			assertThat(served.body()).isEqualTo(CseEndpointWebTests.GREETING);
			assertThat(coordinator.getState()).isEqualTo(InstanceState.RUNNING);
			String status = http.get("/actuator/cse").body();
			assertThat(JsonPath.<String>read(status, "$.lastOperation.operation")).isEqualTo("thaw");
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("stacks")
	void aRequestHeldLongerThanTheHoldTimeoutIsAnswered503WithRetryAfter(Stack stack) {
		try (ConfigurableApplicationContext application = stack.start(GreetingController.class,
				"cse.traffic.hold-timeout=300ms", "cse.traffic.retry-after=2s")) {
			int port = application.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
			Http http = new Http(port);
			assertThat(postWithoutAnyBody(port, "/actuator/cse/freeze").status()).isEqualTo(200);

			HttpResponse<String> refused = http.get("/hello");
			assertThat(refused.statusCode()).isEqualTo(503);
			assertThat(refused.headers().firstValue("Retry-After")).hasValue("2");
			assertThat(application.getBean(CheckpointCoordinator.class).getState()).isEqualTo(InstanceState.FROZEN);

			// Refused, not lost: the same request is served once the platform thaws
			assertThat(http.post("/actuator/cse/thaw").statusCode()).isEqualTo(200);
			assertThat(http.get("/hello").body()).isEqualTo(CseEndpointWebTests.GREETING);
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("stacks")
	void aFreezeClosesAnIdleKeptAliveConnection(Stack stack) throws IOException {
		try (ConfigurableApplicationContext application = stack.start(GreetingController.class,
				"cse.traffic.idle-connection-quiet-time=0s")) {
			int port = application.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
			try (Socket idle = new Socket("127.0.0.1", port)) {
				idle.setSoTimeout(10_000);
				idle.getOutputStream()
					.write(("GET /hello HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n\r\n")
						.getBytes(StandardCharsets.US_ASCII));
				StringBuilder answer = new StringBuilder();
				while (!answer.toString().endsWith(CseEndpointWebTests.GREETING)) {
					answer.append((char) idle.getInputStream().read());
				}
				assertThat(answer.toString()).startsWith("HTTP/1.1 200");
				// A server hands the connection back to wait for its next request just after
				// the answer: a freeze right then may not find it idle yet, the next one does
				idle.setSoTimeout(200);
				await().atMost(Duration.ofSeconds(15)).until(() -> {
					assertThat(postWithoutAnyBody(port, "/actuator/cse/freeze").status()).isEqualTo(200);
					boolean closed = ended(idle);
					assertThat(postWithoutAnyBody(port, "/actuator/cse/thaw").status()).isEqualTo(200);
					return closed;
				});
			}
		}
	}

	private static boolean ended(Socket socket) {
		try {
			return socket.getInputStream().read() == -1;
		}
		catch (SocketTimeoutException ex) {
			return false;
		}
		catch (IOException ex) {
			// Reset: ended too
			return true;
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("stacks")
	void dumpAnswersBeforeTheSnapshotStartsAndLeavesNoConnectionOpen(Stack stack, @TempDir Path images) {
		try (ConfigurableApplicationContext application = stack.start(AnswerFirstConfiguration.class,
				"cse.images.root=" + images, "cse.memory.trim-heap=false", "cse.snapshot.allow-child-processes=true")) {
			int port = application.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
			CheckpointCoordinator coordinator = application.getBean(CheckpointCoordinator.class);
			SnapshotProbe probe = application.getBean(SnapshotProbe.class);

			// A keep-alive request: the server closes the connection once it has answered.
			RawAnswer dump = send(port, "POST " + DUMP + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
					+ "\r\nAccept: */*\r\nContent-Type: application/json\r\nContent-Length: 17\r\n\r\n"
					+ "{\"image\":\"first\"}");
			assertThat(dump.status()).as(dump.body()).isEqualTo(202);
			assertThat(JsonPath.<String>read(dump.body(), "$.imageId")).isEqualTo("first");

			OperationReport report = await().atMost(Duration.ofSeconds(10))
				.until(coordinator::getLastReport, (last) -> last != null);
			assertThat(probe.startedDuringTheRequest()).as("snapshot started before the request ended").isFalse();
			assertThat(probe.snapshotThread()).isEqualTo("cse-dump");
			assertThat(report.outcome()).as(report.error()).isEqualTo(Outcome.SUCCESS);
			assertThat(coordinator.getState()).isEqualTo(InstanceState.RUNNING);
		}
	}

	/**
	 * Return the simple class name of the application's web server (Spring Boot 3 and 4
	 * keep {@code WebServerApplicationContext} in different packages).
	 */
	@ParameterizedTest(name = "{0}")
	@MethodSource("stacks")
	void requestsSpringRefusesAreAnsweredWithWhatToSendAndChangeNothing(Stack stack) {
		try (ConfigurableApplicationContext application = stack.start()) {
			int port = application.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
			CheckpointCoordinator coordinator = application.getBean(CheckpointCoordinator.class);
			assertRefused(send(port, json("POST", "/actuator/cse/freeze", "{\"thawOnRequest\": fals")), 400,
					"POST /actuator/cse/freeze could not be read, nothing was done",
					"send a JSON object of parameters");
			assertRefused(send(port, json("POST", "/actuator/cse/freeze", "[1, 2]")), 400,
					"POST /actuator/cse/freeze could not be read, nothing was done");
			assertRefused(send(port, json("POST", "/actuator/cse/freeze", "{\"thawOnRequest\": \"maybe\"}")), 400,
					"Parameter 'thawOnRequest' cannot be 'maybe', nothing was done: send true or false");
			assertRefused(send(port, json("POST", "/actuator/cse/freeze", "{\"squeeze\": true}")), 400,
					"Unknown parameter 'squeeze', nothing was done");
			assertRefused(send(port, json("DELETE", "/actuator/cse", null)), 405,
					"DELETE /actuator/cse is not an operation of this endpoint, nothing was done: use GET on this path");
			assertRefused(send(port, json("PUT", "/actuator/cse/freeze", "{}")), 405,
					"PUT /actuator/cse/freeze is not an operation of this endpoint, nothing was done: use GET or POST on this path");
			String textPlain = "POST /actuator/cse/freeze HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\n"
					+ "Content-Length: 6\r\nConnection: close\r\n\r\nfreeze";
			assertRefused(send(port, textPlain), 415,
					"has a body of a type the endpoint does not read, nothing was done: send application/json");
			assertThat(coordinator.getState()).isEqualTo(InstanceState.RUNNING);
			assertThat(coordinator.getLastReport()).as("no operation ran").isNull();
			// The application's own errors keep Spring's answer
			RawAnswer notFound = send(port, json("DELETE", "/hello", null));
			assertThat(notFound.status()).isEqualTo(405);
			assertThat(notFound.body()).doesNotContain("not an operation of this endpoint");
		}
	}

	private static String json(String method, String path, String body) {
		String request = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: */*\r\nConnection: close\r\n";
		if (body == null) {
			return request + "\r\n";
		}
		return request + "Content-Type: application/json\r\nContent-Length: "
				+ body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
	}

	private static void assertRefused(RawAnswer answer, int status, String... error) {
		assertThat(answer.status()).as(answer.body()).isEqualTo(status);
		assertThat(JsonPath.<String>read(answer.body(), "$.error")).as(answer.body()).contains(error);
	}

	private static String webServerOf(ConfigurableApplicationContext application) {
		try {
			return application.getClass().getMethod("getWebServer").invoke(application).getClass().getSimpleName();
		}
		catch (ReflectiveOperationException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static RawAnswer postWithoutAnyBody(int port, String path) {
		return send(port, "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nAccept: */*\r\n"
				+ "Connection: close\r\n\r\n");
	}

	/**
	 * Send a request and read its answer up to the end of the connection, which the
	 * server must close.
	 */
	private static RawAnswer send(int port, String request) {
		try (Socket socket = new Socket("127.0.0.1", port)) {
			socket.setSoTimeout(30_000);
			OutputStream out = socket.getOutputStream();
			out.write(request.getBytes(StandardCharsets.US_ASCII));
			out.flush();
			InputStream in = socket.getInputStream();
			String answer = new String(in.readAllBytes(), StandardCharsets.UTF_8);
			assertThat(answer).as("answer to " + request.lines().findFirst().orElse(request)
					+ " (the server closed the connection without one)")
				.startsWith("HTTP/1.1 ");
			int status = Integer.parseInt(answer.substring(answer.indexOf(' ') + 1, answer.indexOf(' ') + 4));
			int bodyStart = answer.indexOf("\r\n\r\n") + 4;
			String headers = answer.substring(0, bodyStart).toLowerCase(Locale.ROOT);
			String body = answer.substring(bodyStart);
			return new RawAnswer(status, headers.contains("transfer-encoding: chunked") ? dechunk(body) : body);
		}
		catch (SocketTimeoutException ex) {
			throw new AssertionError("The server kept the connection open after " + request.lines().findFirst().orElse(request), ex);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static String dechunk(String chunked) {
		StringBuilder body = new StringBuilder();
		int at = 0;
		while (true) {
			int lineEnd = chunked.indexOf("\r\n", at);
			int size = Integer.parseInt(chunked.substring(at, lineEnd).trim(), 16);
			if (size == 0) {
				return body.toString();
			}
			body.append(chunked, lineEnd + 2, lineEnd + 2 + size);
			at = lineEnd + 2 + size + 2;
		}
	}

	record RawAnswer(int status, String body) {

	}

	/**
	 * A web stack.
	 *
	 * @param name what the test report calls it
	 * @param webServer how the name of its web server's class starts
	 * @param type servlet or reactive
	 * @param hiddenServers packages of the other servers, which the application must not see
	 */
	record Stack(String name, String webServer, WebApplicationType type, String... hiddenServers) {

		ConfigurableApplicationContext start() {
			return start(GreetingController.class);
		}

		ConfigurableApplicationContext start(Class<?> configuration, String... properties) {
			// Every other server is hidden, as if only this one were on the class path.
			FilteredClassLoader classLoader = new FilteredClassLoader(this.hiddenServers);
			return new SpringApplicationBuilder(TestApplication.class, configuration)
				.resourceLoader(new DefaultResourceLoader(classLoader))
				.web(this.type)
				.properties("server.port=0", "management.endpoint.cse.access=unrestricted",
						"management.endpoints.web.exposure.include=health,cse", "cse.traffic.thaw-on-request=false")
				.properties(properties)
				.run();
		}

		@Override
		public String toString() {
			return this.name;
		}

	}

	/**
	 * The snapshot probe, and on each web stack a filter that holds a dump's request on
	 * once it has its answer, inside the starter's traffic-gate filter: a snapshot that
	 * waits for the request to end starts only after.
	 */
	@Configuration(proxyBeanMethods = false)
	@Import(SnapshotProbe.ProbeConfiguration.class)
	static class AnswerFirstConfiguration {

		@Bean
		Filter holdingFilter(SnapshotProbe probe) {
			return new Filter() {

				@Override
				public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
						throws IOException, ServletException {
					chain.doFilter(request, response);
					if (DUMP.equals(((HttpServletRequest) request).getRequestURI())) {
						probe.holdTheRequest(HOLD);
					}
				}

			};
		}

		@Bean
		WebFilter holdingWebFilter(SnapshotProbe probe) {
			return new WebFilter() {

				@Override
				public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
					if (!DUMP.equals(exchange.getRequest().getPath().value())) {
						return chain.filter(exchange);
					}
					return chain.filter(exchange)
						.then(Mono.fromRunnable(() -> probe.holdTheRequest(HOLD)).subscribeOn(Schedulers.boundedElastic()))
						.then();
				}

			};
		}

	}

}
