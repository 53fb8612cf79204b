package io.cse.samples.secured;

import java.net.http.HttpResponse;
import java.util.Map;

import io.cse.CheckpointCoordinator;
import io.cse.InstanceState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With thaw on request on (the default), the traffic gate thaws a frozen instance for the
 * first application request it holds, and it holds requests before Spring Security sees
 * them: a request Spring Security then refuses has thawed the instance all the same. Only
 * the platform may freeze it; anyone who reaches the application may wake it.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ThawOnRequestTests {

	@LocalServerPort
	private int port;

	@Autowired
	private CheckpointCoordinator coordinator;

	@AfterEach
	void backToRunning() {
		if (this.coordinator.getState() == InstanceState.FROZEN) {
			this.coordinator.thaw(Map.of());
		}
	}

	@Test
	void anonymousRequestThatSpringSecurityRefusesThawsTheInstance() {
		Client platform = Client.basic(this.port, DemoAccounts.PLATFORM, DemoAccounts.PLATFORM_PASSWORD);
		assertThat(platform.post("/actuator/cse/freeze").statusCode()).isEqualTo(200);
		assertThat(this.coordinator.getState()).isEqualTo(InstanceState.FROZEN);
		HttpResponse<String> admin = Client.anonymous(this.port).get("/admin");
		assertThat(admin.statusCode()).isEqualTo(302);
		assertThat(this.coordinator.getState()).isEqualTo(InstanceState.RUNNING);
	}

	@Test
	void healthCheckThawsTheInstance() {
		Client platform = Client.basic(this.port, DemoAccounts.PLATFORM, DemoAccounts.PLATFORM_PASSWORD);
		assertThat(platform.post("/actuator/cse/freeze").statusCode()).isEqualTo(200);
		// Open to anyone, and not the CSE endpoint: held, so it wakes the instance.
		assertThat(Client.anonymous(this.port).get("/actuator/health").statusCode()).isEqualTo(200);
		assertThat(this.coordinator.getState()).isEqualTo(InstanceState.RUNNING);
	}

	@Test
	void anonymousRequestToTheEndpointDoesNotThawTheInstance() {
		Client platform = Client.basic(this.port, DemoAccounts.PLATFORM, DemoAccounts.PLATFORM_PASSWORD);
		assertThat(platform.post("/actuator/cse/freeze").statusCode()).isEqualTo(200);
		// The endpoint's requests go through the gate, not into it: Spring Security decides.
		assertThat(Client.anonymous(this.port).post("/actuator/cse/thaw").statusCode()).isEqualTo(401);
		assertThat(Client.anonymous(this.port).get("/actuator/cse").statusCode()).isEqualTo(401);
		assertThat(this.coordinator.getState()).isEqualTo(InstanceState.FROZEN);
	}

}
