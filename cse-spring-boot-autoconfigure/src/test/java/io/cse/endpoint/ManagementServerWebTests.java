package io.cse.endpoint;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import com.jayway.jsonpath.JsonPath;
import io.cse.endpoint.CseEndpointWebStacksTests.Stack;
import io.cse.endpoint.CseEndpointWebTests.GreetingController;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.util.ClassUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The endpoint on a management server of its own ({@code management.server.port}), on
 * every web stack: the platform's untyped {@code POST} freezes and thaws the instance
 * there as on the application's port, and the management server's other requests (the
 * readiness check a platform polls) are held while the instance is frozen and answered
 * "ready" once it is thawed.
 */
class ManagementServerWebTests {

	/**
	 * Every web stack but, on Spring Boot 4, Jetty: there a management server's own context
	 * configures itself with every server on the class path (the stack hides the others
	 * from the application only), and Tomcat's and Jetty's configurations of that context
	 * collide. An application has one server, and does not meet this.
	 */
	static Stream<Stack> stacks() {
		boolean boot4 = ClassUtils.isPresent(
				"org.springframework.boot.tomcat.autoconfigure.actuate.web.server.TomcatServletManagementContextAutoConfiguration",
				null);
		return CseEndpointWebStacksTests.stacks().filter((stack) -> !(boot4 && stack.name().equals("Jetty")));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("stacks")
	void freezeAndThawOnTheManagementPortAndHealthWaitsForTheThaw(Stack stack) {
		try (ConfigurableApplicationContext application = stack.start(GreetingController.class,
				"management.server.port=0", "management.server.address=127.0.0.1",
				"management.endpoint.health.probes.enabled=true")) {
			Http management = new Http(
					application.getEnvironment().getRequiredProperty("local.management.port", Integer.class));
			Http app = new Http(application.getEnvironment().getRequiredProperty("local.server.port", Integer.class));
			HttpResponse<String> before = management.get("/actuator/health/readiness");
			assertThat(before.statusCode()).as(before.body()).isEqualTo(200);
			assertThat(app.get("/actuator/cse").statusCode()).as("the endpoint is not on the application's port")
				.isEqualTo(404);
			HttpResponse<String> unreadable = management.postJson("/actuator/cse/freeze", "{\"thawOnRequest\": fals");
			assertThat(unreadable.statusCode()).as(unreadable.body()).isEqualTo(400);
			assertThat(JsonPath.<String>read(unreadable.body(), "$.error"))
				.startsWith("POST /actuator/cse/freeze could not be read, nothing was done");

			HttpResponse<String> freeze = management.post("/actuator/cse/freeze");
			assertThat(freeze.statusCode()).as(freeze.body()).isEqualTo(200);
			assertThat(JsonPath.<String>read(freeze.body(), "$.state")).isEqualTo("FROZEN");

			CompletableFuture<HttpResponse<String>> health = CompletableFuture
				.supplyAsync(() -> management.get("/actuator/health/readiness"));
			await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !health.isDone());
			assertThat(JsonPath.<String>read(management.get("/actuator/cse").body(), "$.state")).isEqualTo("FROZEN");

			HttpResponse<String> thaw = management.post("/actuator/cse/thaw");
			assertThat(thaw.statusCode()).as(thaw.body()).isEqualTo(200);
			HttpResponse<String> served = await().atMost(Duration.ofSeconds(5))
				.until(() -> health.getNow(null), (response) -> response != null);
			assertThat(served.statusCode()).as(served.body()).isEqualTo(200);
			assertThat(app.get("/hello").body()).isEqualTo(CseEndpointWebTests.GREETING);
		}
	}

}
