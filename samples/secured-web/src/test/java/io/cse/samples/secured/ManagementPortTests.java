package io.cse.samples.secured;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import com.jayway.jsonpath.JsonPath;
import io.cse.CheckpointCoordinator;
import io.cse.InstanceState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The same security configuration with the actuator on a management port of its own: the
 * endpoint's rules follow it there, and the application's port does not serve it at all.
 * The traffic gate holds the management port's other requests (health) while the instance
 * is frozen, as it holds the application's.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.server.port=0", "cse.traffic.thaw-on-request=false" })
class ManagementPortTests {

	@LocalServerPort
	private int port;

	@LocalManagementPort
	private int managementPort;

	@Autowired
	private CheckpointCoordinator coordinator;

	@AfterEach
	void backToRunning() {
		if (this.coordinator.getState() == InstanceState.FROZEN) {
			this.coordinator.thaw(Map.of());
		}
	}

	@Test
	void endpointOnTheManagementPortWantsThePlatformsRole() {
		assertThat(Client.anonymous(this.managementPort).post("/actuator/cse/freeze").statusCode()).isEqualTo(401);
		assertThat(Client.basic(this.managementPort, DemoAccounts.ADMIN, DemoAccounts.ADMIN_PASSWORD)
			.post("/actuator/cse/freeze")
			.statusCode()).isEqualTo(403);
		assertThat(Client.anonymous(this.managementPort).post("/actuator/%63se/freeze").statusCode())
			.isEqualTo(401);
		assertThat(this.coordinator.getState()).isEqualTo(InstanceState.RUNNING);
		Client platform = Client.basic(this.managementPort, DemoAccounts.PLATFORM, DemoAccounts.PLATFORM_PASSWORD);
		HttpResponse<String> freeze = platform.post("/actuator/cse/freeze");
		assertThat(freeze.statusCode()).isEqualTo(200);
		assertThat(JsonPath.<String>read(freeze.body(), "$.state")).isEqualTo("FROZEN");
		assertThat(platform.post("/actuator/cse/thaw").statusCode()).isEqualTo(200);
		assertThat(this.coordinator.getState()).isEqualTo(InstanceState.RUNNING);
	}

	@Test
	void healthOnTheManagementPortIsOpen() {
		assertThat(Client.anonymous(this.managementPort).get("/actuator/health").statusCode()).isEqualTo(200);
	}

	@Test
	void healthOnTheManagementPortWaitsForThePlatformsThaw() {
		Client platform = Client.basic(this.managementPort, DemoAccounts.PLATFORM, DemoAccounts.PLATFORM_PASSWORD);
		assertThat(platform.post("/actuator/cse/freeze").statusCode()).isEqualTo(200);
		Client anonymous = Client.anonymous(this.managementPort);
		CompletableFuture<HttpResponse<String>> health = CompletableFuture
			.supplyAsync(() -> anonymous.get("/actuator/health"));
		await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(3)).until(() -> !health.isDone());
		assertThat(platform.post("/actuator/cse/thaw").statusCode()).isEqualTo(200);
		assertThat(health).succeedsWithin(Duration.ofSeconds(10));
		assertThat(health.join().statusCode()).isEqualTo(200);
	}

	@Test
	void applicationPortDoesNotServeTheEndpoint() {
		// Not an endpoint there: an application request, whose POST wants a CSRF token.
		HttpResponse<String> freeze = Client.basic(this.port, DemoAccounts.PLATFORM, DemoAccounts.PLATFORM_PASSWORD)
			.post("/actuator/cse/freeze");
		assertThat(freeze.statusCode()).isEqualTo(403);
		assertThat(freeze.body()).doesNotContain("FROZEN");
		assertThat(this.coordinator.getState()).isEqualTo(InstanceState.RUNNING);
	}

}
