package io.cse.endpoint;

import java.io.IOException;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

import com.jayway.jsonpath.JsonPath;
import io.cse.CheckpointContext;
import io.cse.CheckpointParticipant;
import io.cse.InstanceState;
import io.cse.event.InstanceStateChangedEvent;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link CseEndpoint} and the traffic gate in a running web application: what a
 * platform and a user see over HTTP, on a real embedded server.
 */
class CseEndpointWebTests {

	private static final String ACCESS = "management.endpoint.cse.access=unrestricted";

	private static final String EXPOSURE = "management.endpoints.web.exposure.include=cse";

	static final String GREETING = "Hello World!";

	@Nested
	@SpringBootTest(classes = TestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT)
	class WithoutOptingIn extends RunningApplication {

		@Test
		void statusIsNotFound() {
			assertThat(this.http.get("/actuator/cse").statusCode()).isEqualTo(404);
		}

		@Test
		void freezeIsNotFoundAndFreezesNothing() {
			assertThat(this.http.post("/actuator/cse/freeze").statusCode()).isEqualTo(404);
			assertThat(this.coordinator.getState()).isEqualTo(InstanceState.RUNNING);
			assertThat(this.coordinator.getLastReport()).isNull();
			assertThat(this.http.get("/hello").body()).isEqualTo(GREETING);
		}

	}

	@Nested
	@SpringBootTest(classes = TestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
			// The idle connection of the test was used a moment before its freeze
			properties = { ACCESS, EXPOSURE, "cse.traffic.idle-connection-quiet-time=0ms" })
	class OptedIn extends RunningApplication {

		@Test
		void statusShowsTheRunningInstance() {
			HttpResponse<String> status = this.http.get("/actuator/cse");
			assertThat(status.statusCode()).isEqualTo(200);
			assertThat(JsonPath.<String>read(status.body(), "$.state")).isEqualTo("RUNNING");
			assertThat(JsonPath.<String>read(status.body(), "$.instance.instanceId")).isNotBlank()
				.isEqualTo(this.coordinator.getIdentity().getInstanceId());
			// cse.engine=auto: the JDK's own checkpoint on a CRaC JDK, CRIU elsewhere.
			assertThat(JsonPath.<String>read(status.body(), "$.engine.name"))
				.isEqualTo(this.cracJdkAdapter.isCracJdk() ? "crac" : "criu");
			assertThat(JsonPath.<String>read(status.body(), "$.engine.capabilities.freeze")).isEqualTo("available");
			assertThat(JsonPath.<List<String>>read(status.body(), "$.participants[*].name")).contains("traffic");
		}

		@Test
		void freezePostedWithoutBodyOrContentTypeFreezesTheInstance() {
			// What "curl -X POST http://host/actuator/cse/freeze" sends.
			HttpResponse<String> freeze = this.http.post("/actuator/cse/freeze");
			assertThat(freeze.statusCode()).isEqualTo(200);
			assertThat(JsonPath.<String>read(freeze.body(), "$.state")).isEqualTo("FROZEN");
			assertThat(JsonPath.<String>read(freeze.body(), "$.outcome")).isEqualTo("SUCCESS");
			assertThat(this.coordinator.getState()).isEqualTo(InstanceState.FROZEN);
			// Requests to the endpoint itself go through without thawing the instance.
			assertThat(JsonPath.<String>read(this.http.get("/actuator/cse").body(), "$.state")).isEqualTo("FROZEN");
		}

		@Test
		void parameterAnOperationDoesNotTakeIsRefusedAndNothingRuns() {
			// The actuator drops what it does not map: this froze the instance as if nothing was sent
			HttpResponse<String> body = this.http.postJson("/actuator/cse/freeze", "{\"squeeze\": true}");
			assertThat(body.statusCode()).isEqualTo(400);
			assertThat(JsonPath.<String>read(body.body(), "$.error"))
				.startsWith("Unknown parameter 'squeeze', nothing was done: the endpoint's operations take image, "
						+ "properties, thawOnRequest");
			HttpResponse<String> query = this.http.post("/actuator/cse/freeze?squeeze=true&floor=4");
			assertThat(query.statusCode()).isEqualTo(400);
			assertThat(JsonPath.<String>read(query.body(), "$.error")).startsWith("Unknown parameters 'floor', 'squeeze'");
			assertThat(this.coordinator.getState()).isEqualTo(InstanceState.RUNNING);
		}

		@Test
		void requestToTheFrozenInstanceThawsItAndIsServed() {
			assertThat(this.http.post("/actuator/cse/freeze").statusCode()).isEqualTo(200);
			HttpResponse<String> hello = this.http.get("/hello");
			assertThat(hello.statusCode()).isEqualTo(200);
			assertThat(hello.body()).isEqualTo(GREETING);
			assertThat(this.coordinator.getState()).isEqualTo(InstanceState.RUNNING);
			HttpResponse<String> status = this.http.get("/actuator/cse");
			assertThat(JsonPath.<String>read(status.body(), "$.state")).isEqualTo("RUNNING");
			assertThat(JsonPath.<String>read(status.body(), "$.lastOperation.operation")).isEqualTo("thaw");
		}

		@Test
		void freezeClosesIdleKeepAliveConnectionsButKeepsListening() throws IOException {
			try (Socket idle = connect()) {
				RawResponse first = exchange(idle, "/hello");
				assertThat(first.status()).isEqualTo(200);
				assertThat(first.body()).isEqualTo(GREETING);
				assertThat(readWithin(idle, Duration.ofMillis(200))).as("keep-alive connection still open")
					.isEqualTo(NOTHING_READ);
				assertThat(this.http.post("/actuator/cse/freeze").statusCode()).isEqualTo(200);
				await().atMost(Duration.ofSeconds(10))
					.untilAsserted(() -> assertThat(readWithin(idle, Duration.ofMillis(100))).as("read")
						.isEqualTo(END_OF_STREAM));
			}
			assertThat(this.coordinator.getState()).isEqualTo(InstanceState.FROZEN);
			try (Socket fresh = connect()) {
				RawResponse second = exchange(fresh, "/hello");
				assertThat(second.status()).isEqualTo(200);
				assertThat(second.body()).isEqualTo(GREETING);
			}
			assertThat(this.coordinator.getState()).isEqualTo(InstanceState.RUNNING);
		}

	}

	@Nested
	@SpringBootTest(classes = TestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
			properties = { ACCESS, EXPOSURE, "cse.engine=none" })
	class WithoutSnapshotEngine extends RunningApplication {

		@Test
		void statusNamesNoEngineWhenSnapshotsAreSwitchedOff() {
			HttpResponse<String> status = this.http.get("/actuator/cse");
			assertThat(status.statusCode()).isEqualTo(200);
			assertThat(JsonPath.<String>read(status.body(), "$.state")).isEqualTo("RUNNING");
			assertThat(JsonPath.<String>read(status.body(), "$.engine.name")).isEqualTo("none");
			assertThat(JsonPath.<String>read(status.body(), "$.engine.capabilities.freeze")).isEqualTo("available");
			assertThat(JsonPath.<String>read(status.body(), "$.engine.capabilities.dump")).startsWith("unavailable")
				.contains("cse.engine");
		}

	}

	@Nested
	@SpringBootTest(classes = TestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
			properties = { ACCESS, EXPOSURE, "cse.traffic.thaw-on-request=false", "cse.traffic.hold-timeout=300ms",
					"cse.traffic.retry-after=2s" })
	class WithoutThawOnRequest extends RunningApplication {

		@Test
		void requestToTheFrozenInstanceIsRefusedUntilThePlatformThawsIt() {
			assertThat(this.http.post("/actuator/cse/freeze").statusCode()).isEqualTo(200);
			HttpResponse<String> refused = this.http.get("/hello");
			assertThat(refused.statusCode()).isEqualTo(503);
			assertThat(refused.headers().firstValue("Retry-After")).hasValue("2");
			assertThat(this.coordinator.getState()).isEqualTo(InstanceState.FROZEN);
			assertThat(JsonPath.<String>read(this.http.get("/actuator/cse").body(), "$.state")).isEqualTo("FROZEN");
			assertThat(this.http.post("/actuator/cse/thaw").statusCode()).isEqualTo(200);
			HttpResponse<String> served = this.http.get("/hello");
			assertThat(served.statusCode()).isEqualTo(200);
			assertThat(served.body()).isEqualTo(GREETING);
		}

		@Test
		void pathThatReachesTheEndpointGoesThroughWhileFrozen() throws IOException {
			assertThat(this.http.post("/actuator/cse/freeze").statusCode()).isEqualTo(200);
			// Spring's request mapping decodes each segment and drops matrix parameters
			for (String path : List.of("/actuator/%63se", "/actuator/cse;v=1")) {
				assertThat(rawGet(path)).as(path).startsWith("HTTP/1.1 200").contains("\"state\":\"FROZEN\"");
			}
		}

		@Test
		void pathThroughTheEndpointsPathThatCouldLeadElsewhereIsHeldAsTraffic() throws IOException {
			assertThat(this.http.post("/actuator/cse/freeze").statusCode()).isEqualTo(200);
			// A container or a path matcher that resolves dot segments or merges slashes
			// would map these to the application, which the gate must not let in
			for (String path : List.of("/actuator/cse/../../hello", "/actuator/cse/%2e%2e/%2E%2E/hello",
					"/actuator/cse/..;/..;/hello", "/actuator/cse/./../../hello", "//actuator//cse")) {
				assertThat(rawGet(path)).as(path).startsWith("HTTP/1.1 503").contains("Retry-After: 2");
			}
			assertThat(this.coordinator.getState()).isEqualTo(InstanceState.FROZEN);
		}

		/** Sends the path as it is: an HTTP client library would normalise it first. */
		private String rawGet(String path) throws IOException {
			try (Socket socket = new Socket("127.0.0.1", port())) {
				socket.setSoTimeout(10_000);
				socket.getOutputStream()
					.write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
						.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
				return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
			}
		}

	}

	@Nested
	@SpringBootTest(classes = { TestApplication.class, SlowFreeze.class },
			webEnvironment = WebEnvironment.RANDOM_PORT, properties = { ACCESS, EXPOSURE })
	class DuringASlowFreeze extends RunningApplication {

		@Autowired
		SlowFreeze slowFreeze;

		@Test
		void requestArrivingDuringTheFreezeIsServedAsSoonAsTheFreezeEnds() {
			CompletableFuture<HttpResponse<String>> freeze = CompletableFuture
				.supplyAsync(() -> this.http.post("/actuator/cse/freeze"));
			this.slowFreeze.awaitFrozen();
			CompletableFuture<HttpResponse<String>> hello = CompletableFuture.supplyAsync(() -> this.http.get("/hello"));
			await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !hello.isDone());
			this.slowFreeze.finish();
			assertThat(freeze.join().statusCode()).isEqualTo(200);
			// Held at the gate, the request thaws the instance the moment the freeze has
			// ended, long before the hold timeout (30 s by default).
			HttpResponse<String> served = await().atMost(Duration.ofSeconds(5))
				.until(() -> hello.getNow(null), (response) -> response != null);
			assertThat(served.statusCode()).isEqualTo(200);
			assertThat(served.body()).isEqualTo(GREETING);
			assertThat(this.coordinator.getState()).isEqualTo(InstanceState.RUNNING);
		}

	}

	@Nested
	@SpringBootTest(classes = { TestApplication.class, SlowFreeze.class },
			webEnvironment = WebEnvironment.RANDOM_PORT,
			properties = { ACCESS, EXPOSURE, "cse.traffic.thaw-on-request=false" })
	class DuringASlowFreezeWithoutThawOnRequest extends RunningApplication {

		@Autowired
		SlowFreeze slowFreeze;

		@Test
		void requestArrivingDuringTheFreezeIsServedAsSoonAsThePlatformThaws() {
			CompletableFuture<HttpResponse<String>> freeze = CompletableFuture
				.supplyAsync(() -> this.http.post("/actuator/cse/freeze"));
			this.slowFreeze.awaitFrozen();
			CompletableFuture<HttpResponse<String>> hello = CompletableFuture.supplyAsync(() -> this.http.get("/hello"));
			this.slowFreeze.finish();
			assertThat(freeze.join().statusCode()).isEqualTo(200);
			await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !hello.isDone());
			assertThat(this.http.post("/actuator/cse/thaw").statusCode()).isEqualTo(200);
			HttpResponse<String> served = await().atMost(Duration.ofSeconds(5))
				.until(() -> hello.getNow(null), (response) -> response != null);
			assertThat(served.statusCode()).isEqualTo(200);
			assertThat(served.body()).isEqualTo(GREETING);
		}

	}

	@Nested
	@SpringBootTest(classes = { TestApplication.class, FragileParticipant.class },
			webEnvironment = WebEnvironment.RANDOM_PORT, properties = { ACCESS, EXPOSURE })
	class WithAParticipantThatFailsToResume extends RunningApplication {

		@Test
		void thawFinishesAndSaysWhatFailed() {
			assertThat(this.http.post("/actuator/cse/freeze").statusCode()).isEqualTo(200);
			HttpResponse<String> thaw = this.http.post("/actuator/cse/thaw");
			// Not a bare error: the report, with the instance running again.
			assertThat(thaw.statusCode()).isEqualTo(500);
			assertThat(JsonPath.<String>read(thaw.body(), "$.outcome")).isEqualTo("FAILED");
			assertThat(JsonPath.<String>read(thaw.body(), "$.state")).isEqualTo("RUNNING");
			assertThat(JsonPath.<String>read(thaw.body(), "$.error")).contains("'fragile' failed to resume")
				.contains("the pool's server is gone");
			assertThat(JsonPath.<List<String>>read(thaw.body(), "$.steps[*].participant")).contains("fragile",
					"traffic");
			// Every other participant resumed: traffic flows.
			HttpResponse<String> hello = this.http.get("/hello");
			assertThat(hello.statusCode()).isEqualTo(200);
			assertThat(hello.body()).isEqualTo(GREETING);
			HttpResponse<String> status = this.http.get("/actuator/cse");
			assertThat(JsonPath.<List<String>>read(status.body(), "$.participants[?(@.name == 'fragile')].lastError"))
				.containsExactly("the pool's server is gone");
		}

	}

	/**
	 * A participant that cannot resume.
	 */
	static class FragileParticipant implements CheckpointParticipant {

		@Override
		public String getName() {
			return "fragile";
		}

		@Override
		public int getOrder() {
			return POOL_ORDER;
		}

		@Override
		public void quiesce(CheckpointContext context) {
		}

		@Override
		public void resume(CheckpointContext context) {
			throw new IllegalStateException("the pool's server is gone");
		}

	}

	/**
	 * Holds a freeze at its very end, once the instance is {@code FROZEN} but before the
	 * operation has returned, until the test lets it finish: the window in which a
	 * request that arrives finds the instance frozen and the freeze not yet over.
	 */
	static class SlowFreeze implements ApplicationListener<InstanceStateChangedEvent> {

		private final CountDownLatch frozen = new CountDownLatch(1);

		private final CountDownLatch finish = new CountDownLatch(1);

		@Override
		public void onApplicationEvent(InstanceStateChangedEvent event) {
			if (event.getState() == InstanceState.FROZEN && this.frozen.getCount() > 0) {
				this.frozen.countDown();
				try {
					this.finish.await();
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			}
		}

		void awaitFrozen() {
			await().atMost(Duration.ofSeconds(10)).until(() -> this.frozen.getCount() == 0);
		}

		void finish() {
			this.finish.countDown();
		}

	}

	@SpringBootConfiguration(proxyBeanMethods = false)
	@EnableAutoConfiguration(excludeName = {
			// No database here: Spring Boot 3 and Spring Boot 4 names.
			"org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration",
			"org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration" })
	@Import(GreetingController.class)
	static class TestApplication {

	}

	@RestController
	static class GreetingController {

		@GetMapping("/hello")
		String hello() {
			return GREETING;
		}

	}

}
