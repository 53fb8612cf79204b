package io.cse.samples.secured;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import com.jayway.jsonpath.JsonPath;
import io.cse.CheckpointCoordinator;
import io.cse.InstanceState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Calls the CSE endpoint of the running sample from the caller's side, over HTTP: only the
 * platform's account reaches it, and while it keeps the instance frozen the application's
 * requests wait for its thaw.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = "cse.traffic.thaw-on-request=false")
class PlatformEndpointSecurityTests {

	@LocalServerPort
	private int port;

	@Autowired
	private CheckpointCoordinator coordinator;

	private Client platform;

	@BeforeEach
	void platform() {
		this.platform = Client.basic(this.port, DemoAccounts.PLATFORM, DemoAccounts.PLATFORM_PASSWORD);
	}

	@AfterEach
	void backToRunning() {
		if (this.coordinator.getState() == InstanceState.FROZEN) {
			this.coordinator.thaw(Map.of());
		}
	}

	@Test
	void freezeWithoutCredentialsIsRefusedWith401() {
		HttpResponse<String> freeze = Client.anonymous(this.port).post("/actuator/cse/freeze");
		assertThat(freeze.statusCode()).isEqualTo(401);
		assertThat(freeze.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
				(challenge) -> assertThat(challenge).startsWith("Basic"));
		assertRunning();
	}

	@Test
	void statusWithoutCredentialsIsRefusedWith401() {
		HttpResponse<String> status = Client.anonymous(this.port).get("/actuator/cse");
		assertThat(status.statusCode()).isEqualTo(401);
		assertThat(status.body()).doesNotContain("RUNNING");
	}

	@Test
	void freezeWithAWrongPasswordIsRefusedWith401() {
		HttpResponse<String> freeze = Client.basic(this.port, DemoAccounts.PLATFORM, "guessed")
			.post("/actuator/cse/freeze");
		assertThat(freeze.statusCode()).isEqualTo(401);
		assertRunning();
	}

	@Test
	void freezeByUsersWithoutThePlatformRoleIsRefusedWith403() {
		Client user = Client.basic(this.port, DemoAccounts.USER, DemoAccounts.USER_PASSWORD);
		Client admin = Client.basic(this.port, DemoAccounts.ADMIN, DemoAccounts.ADMIN_PASSWORD);
		assertThat(user.post("/actuator/cse/freeze").statusCode()).isEqualTo(403);
		// The application's administrators are not the platform either.
		assertThat(admin.post("/actuator/cse/freeze").statusCode()).isEqualTo(403);
		assertRunning();
	}

	@Test
	void freezeThroughAnEncodedPathWithoutCredentialsIsRefused() {
		assertThat(Client.anonymous(this.port).post("/actuator/%63se/freeze").statusCode()).isEqualTo(401);
		assertThat(Client.basic(this.port, DemoAccounts.USER, DemoAccounts.USER_PASSWORD)
			.post("/actuator/%63se/freeze")
			.statusCode()).isEqualTo(403);
		assertRunning();
	}

	@Test
	void thawWithoutCredentialsLeavesTheInstanceFrozen() {
		assertThat(this.platform.post("/actuator/cse/freeze").statusCode()).isEqualTo(200);
		assertThat(Client.anonymous(this.port).post("/actuator/cse/thaw").statusCode()).isEqualTo(401);
		assertThat(Client.basic(this.port, DemoAccounts.ADMIN, DemoAccounts.ADMIN_PASSWORD)
			.post("/actuator/cse/thaw")
			.statusCode()).isEqualTo(403);
		assertThat(this.coordinator.getState()).isEqualTo(InstanceState.FROZEN);
	}

	@Test
	void platformFreezesAndApplicationRequestsWaitForItsThaw() {
		HttpResponse<String> freeze = this.platform.post("/actuator/cse/freeze");
		assertThat(freeze.statusCode()).isEqualTo(200);
		assertThat(JsonPath.<String>read(freeze.body(), "$.state")).isEqualTo("FROZEN");
		// No session: nothing a browser could keep and send again on the platform's behalf.
		assertThat(freeze.headers().firstValue("Set-Cookie")).isEmpty();
		assertThat(JsonPath.<String>read(this.platform.get("/actuator/cse").body(), "$.state")).isEqualTo("FROZEN");
		Client anonymous = Client.anonymous(this.port);
		CompletableFuture<HttpResponse<String>> hello = CompletableFuture.supplyAsync(() -> anonymous.get("/hello"));
		// The gate holds requests before Spring Security sees them: even one it will refuse.
		CompletableFuture<HttpResponse<String>> admin = CompletableFuture.supplyAsync(() -> anonymous.get("/admin"));
		await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(3))
			.until(() -> !hello.isDone() && !admin.isDone());
		assertThat(this.coordinator.getState()).isEqualTo(InstanceState.FROZEN);
		HttpResponse<String> thaw = this.platform.post("/actuator/cse/thaw");
		assertThat(thaw.statusCode()).isEqualTo(200);
		assertThat(JsonPath.<String>read(thaw.body(), "$.state")).isEqualTo("RUNNING");
		assertThat(hello).succeedsWithin(Duration.ofSeconds(10));
		assertThat(hello.join().statusCode()).isEqualTo(200);
		assertThat(hello.join().body()).isEqualTo("Hello!");
		assertThat(admin).succeedsWithin(Duration.ofSeconds(10));
		// Then Spring Security: the anonymous page request is sent to the login form.
		assertThat(admin.join().statusCode()).isEqualTo(302);
		assertThat(admin.join().headers().firstValue("Location")).hasValueSatisfying(
				(location) -> assertThat(location).endsWith("/login"));
	}

	@Test
	void healthIsOpenToAnyone() {
		HttpResponse<String> health = Client.anonymous(this.port).get("/actuator/health");
		assertThat(health.statusCode()).isEqualTo(200);
		assertThat(JsonPath.<String>read(health.body(), "$.status")).isEqualTo("UP");
	}

	@Test
	void otherActuatorEndpointsAreRefusedEvenToThePlatform() {
		assertThat(this.platform.get("/actuator").statusCode()).isEqualTo(403);
	}

	private void assertRunning() {
		assertThat(this.coordinator.getState()).isEqualTo(InstanceState.RUNNING);
		HttpResponse<String> status = this.platform.get("/actuator/cse");
		assertThat(status.statusCode()).isEqualTo(200);
		assertThat(JsonPath.<String>read(status.body(), "$.state")).isEqualTo("RUNNING");
	}

}
