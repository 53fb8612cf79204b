package io.cse.endpoint;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import com.jayway.jsonpath.JsonPath;
import io.cse.CheckpointCoordinator;
import io.cse.InstanceState;
import io.cse.endpoint.CseEndpointWebTests.GreetingController;
import io.cse.endpoint.CseEndpointWebTests.Http;
import io.cse.endpoint.CseEndpointWebTests.TestApplication;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.io.DefaultResourceLoader;
import org.springframework.util.ClassUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The starter on every web stack Spring Boot runs on: a freeze never stops the web server,
 * every action accepts a POST with no body and no content type (as the node agent and
 * {@code curl -X POST} send it), and a request that arrives while the instance is frozen
 * is held and served once the platform thaws it.
 */
class CseEndpointWebStacksTests {

	private static final String TOMCAT = "org.apache.catalina";

	private static final String JETTY = "org.eclipse.jetty";

	private static final String UNDERTOW = "io.undertow";

	static Stream<Stack> stacks() {
		List<Stack> stacks = new ArrayList<>();
		stacks.add(new Stack("Tomcat", "TomcatWebServer", WebApplicationType.SERVLET, JETTY, UNDERTOW));
		stacks.add(new Stack("Jetty", "JettyWebServer", WebApplicationType.SERVLET, TOMCAT, UNDERTOW));
		// Spring Boot 4 dropped Undertow: the stack is tried where the build has it.
		if (ClassUtils.isPresent("io.undertow.Undertow", null)) {
			stacks.add(new Stack("Undertow", "Undertow", WebApplicationType.SERVLET, TOMCAT, JETTY));
		}
		stacks.add(new Stack("Reactor Netty", "NettyWebServer", WebApplicationType.REACTIVE, TOMCAT, JETTY, UNDERTOW));
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

	/**
	 * Return the simple class name of the application's web server (Spring Boot 3 and 4
	 * keep {@code WebServerApplicationContext} in different packages).
	 */
	private static String webServerOf(ConfigurableApplicationContext application) {
		try {
			return application.getClass().getMethod("getWebServer").invoke(application).getClass().getSimpleName();
		}
		catch (ReflectiveOperationException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static RawAnswer postWithoutAnyBody(int port, String path) {
		try (Socket socket = new Socket("127.0.0.1", port)) {
			socket.setSoTimeout(30_000);
			OutputStream out = socket.getOutputStream();
			out.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nAccept: */*\r\n"
					+ "Connection: close\r\n\r\n")
				.getBytes(StandardCharsets.US_ASCII));
			out.flush();
			InputStream in = socket.getInputStream();
			String answer = new String(in.readAllBytes(), StandardCharsets.UTF_8);
			assertThat(answer).as("answer to POST " + path + " (the server closed the connection without one)")
				.startsWith("HTTP/1.1 ");
			int status = Integer.parseInt(answer.substring(answer.indexOf(' ') + 1, answer.indexOf(' ') + 4));
			int bodyStart = answer.indexOf("\r\n\r\n") + 4;
			String headers = answer.substring(0, bodyStart).toLowerCase(Locale.ROOT);
			String body = answer.substring(bodyStart);
			return new RawAnswer(status, headers.contains("transfer-encoding: chunked") ? dechunk(body) : body);
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
			// Every other server is hidden, as if only this one were on the class path.
			FilteredClassLoader classLoader = new FilteredClassLoader(this.hiddenServers);
			return new SpringApplicationBuilder(TestApplication.class, GreetingController.class)
				.resourceLoader(new DefaultResourceLoader(classLoader))
				.web(this.type)
				.properties("server.port=0", "management.endpoint.cse.access=unrestricted",
						"management.endpoints.web.exposure.include=health,cse", "cse.freeze.thaw-on-request=false")
				.run();
		}

		@Override
		public String toString() {
			return this.name;
		}

	}

}
