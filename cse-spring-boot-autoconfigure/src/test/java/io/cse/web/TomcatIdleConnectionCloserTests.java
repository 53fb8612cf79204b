package io.cse.web;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import jakarta.servlet.ServletException;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.startup.Tomcat;
import org.apache.catalina.valves.ValveBase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

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

import static io.cse.web.AbstractIdleConnectionCloserTests.readResponse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link TomcatIdleConnectionCloser} against a real embedded Tomcat, seen from
 * the client's socket.
 */
class TomcatIdleConnectionCloserTests {

	private static final String GREETING = "Hello World!";

	private static ConfigurableApplicationContext applicationContext;

	private static final HoldingValve valve = new HoldingValve();

	private static int port;

	@BeforeAll
	static void startTomcat() throws ReflectiveOperationException {
		FilteredClassLoader classLoader = new FilteredClassLoader("org.eclipse.jetty", "io.undertow");
		applicationContext = new SpringApplicationBuilder(GreetingApplication.class)
			.resourceLoader(new DefaultResourceLoader(classLoader))
			.web(WebApplicationType.SERVLET)
			.properties("server.port=0", "cse.enabled=false")
			.run();
		Object webServer = applicationContext.getClass().getMethod("getWebServer").invoke(applicationContext);
		Tomcat tomcat = (Tomcat) webServer.getClass().getMethod("getTomcat").invoke(webServer);
		// A valve runs before every filter: a request held in it is one Tomcat is working on
		// that no filter (and no traffic gate) has seen yet
		tomcat.getEngine().getPipeline().addValve(valve);
		port = (int) webServer.getClass().getMethod("getPort").invoke(webServer);
	}

	@AfterAll
	static void stopTomcat() {
		applicationContext.close();
	}

	private static final Duration QUIET = Duration.ofSeconds(1);

	@Test
	void idleKeepAliveConnectionIsClosed() throws IOException {
		TomcatIdleConnectionCloser closer = new TomcatIdleConnectionCloser(applicationContext);
		try (Socket socket = new Socket("127.0.0.1", port)) {
			socket.setSoTimeout(10_000);
			send(socket, "/hello", false);
			assertThat(readResponse(socket.getInputStream())).contains(GREETING);
			// Tomcat waits for the next request once the poller has the connection back
			await().atMost(Duration.ofSeconds(10)).until(() -> closer.closeIdleConnections((busy) -> false, QUIET) > 0);
			assertThat(socket.getInputStream().read()).as("the client sees the connection end").isEqualTo(-1);
		}
	}

	@Test
	void connectionInSteadyUseStaysOpenForItsNextRequest() throws IOException {
		// A client that keeps using its connection may be sending its next request right now:
		// closed, that request would be lost
		TomcatIdleConnectionCloser closer = new TomcatIdleConnectionCloser(applicationContext);
		try (Socket socket = new Socket("127.0.0.1", port)) {
			socket.setSoTimeout(10_000);
			send(socket, "/hello", false);
			assertThat(readResponse(socket.getInputStream())).contains(GREETING);
			assertThat(closer.closeIdleConnections((busy) -> false, QUIET)).as("connections closed").isZero();
			send(socket, "/hello", false);
			assertThat(readResponse(socket.getInputStream())).startsWith("HTTP/1.1 200").contains(GREETING);
		}
	}

	@Test
	void connectionWhoseRequestTomcatIsWorkingOnIsNotClosedAndItsAnswerArrives() throws Exception {
		TomcatIdleConnectionCloser closer = new TomcatIdleConnectionCloser(applicationContext);
		try (Socket socket = new Socket("127.0.0.1", port)) {
			socket.setSoTimeout(10_000);
			send(socket, "/hello", true);
			assertThat(valve.entered.await(10, TimeUnit.SECONDS)).isTrue();
			// The traffic gate does not know this request yet: only Tomcat can tell it is busy
			closer.closeIdleConnections((busy) -> false, QUIET);
			valve.release.countDown();
			String response = readResponse(socket.getInputStream());
			assertThat(response).startsWith("HTTP/1.1 200").contains(GREETING);
		}
	}

	private static void send(Socket socket, String path, boolean hold) throws IOException {
		String request = "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n" + (hold ? "X-Hold: true\r\n" : "") + "\r\n";
		socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
		socket.getOutputStream().flush();
	}

	static class HoldingValve extends ValveBase {

		final CountDownLatch entered = new CountDownLatch(1);

		final CountDownLatch release = new CountDownLatch(1);

		HoldingValve() {
			super(true);
		}

		@Override
		public void invoke(Request request, Response response) throws IOException, ServletException {
			if (request.getHeader("X-Hold") != null) {
				this.entered.countDown();
				try {
					this.release.await(30, TimeUnit.SECONDS);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			}
			getNext().invoke(request, response);
		}

	}

	@SpringBootConfiguration(proxyBeanMethods = false)
	@EnableAutoConfiguration(excludeName = {
			// No database here: Spring Boot 3 and Spring Boot 4 names.
			"org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration",
			"org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration" })
	@Import(GreetingController.class)
	static class GreetingApplication {

	}

	@RestController
	static class GreetingController {

		@GetMapping("/hello")
		String hello() {
			return GREETING;
		}

	}

}
