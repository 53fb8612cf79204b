package io.cse.samples.hello;

import java.net.http.HttpResponse;

import com.jayway.jsonpath.JsonPath;
import io.cse.CheckpointCoordinator;
import io.cse.InstanceState;
import io.cse.samples.postgres.PostgresProcess;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Freezes the hello-web sample whose HikariCP pool started without pool suspension: the
 * freeze fails, says which property to set, and leaves the application running with its
 * database connections.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "cse.jdbc.enable-pool-suspension=false",
				// Tell this application's connections apart from those of the other tests'.
				"spring.datasource.hikari.pool-name=" + HikariSuspensionTests.APPLICATION,
				"spring.datasource.hikari.data-source-properties.ApplicationName=" + HikariSuspensionTests.APPLICATION })
class HikariSuspensionTests {

	static final String APPLICATION = "hello-web-without-suspension";

	@Autowired
	private Environment environment;

	@Autowired
	private CheckpointCoordinator coordinator;

	private Http http;

	private final PostgresProcess postgres = SharedPostgres.get();

	@DynamicPropertySource
	static void database(DynamicPropertyRegistry registry) {
		registry.add("spring.datasource.url", () -> SharedPostgres.get().getJdbcUrl());
	}

	@BeforeEach
	void client() {
		this.http = new Http(this.environment.getProperty("local.server.port", Integer.class));
	}

	@Test
	void freezeOfAPoolWithoutSuspensionRollsBackAndNamesThePropertyToSet() throws Exception {
		assertThat(this.postgres.countConnections(APPLICATION)).isPositive();
		HttpResponse<String> freeze = this.http.post("/actuator/cse/freeze");
		assertThat(freeze.statusCode()).isEqualTo(500);
		assertThat(JsonPath.<String>read(freeze.body(), "$.outcome")).isEqualTo("ROLLED_BACK");
		assertThat(JsonPath.<String>read(freeze.body(), "$.state")).isEqualTo("RUNNING");
		assertThat(JsonPath.<String>read(freeze.body(), "$.error")).contains("'jdbc'")
			.contains("spring.datasource.hikari.allow-pool-suspension=true");
		assertThat(this.coordinator.getState()).isEqualTo(InstanceState.RUNNING);
		assertThat(JsonPath.<String>read(this.http.get("/actuator/cse").body(), "$.state")).isEqualTo("RUNNING");
		HttpResponse<String> visits = this.http.post("/visits");
		assertThat(visits.statusCode()).isEqualTo(200);
		assertThat(JsonPath.<Integer>read(visits.body(), "$.visits")).isPositive();
		// The server's own view: the pool kept its connections.
		assertThat(this.postgres.countConnections(APPLICATION)).isPositive();
	}

}
