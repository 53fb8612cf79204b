package io.cse.autoconfigure;

import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link HealthProbesEnvironmentPostProcessor}: Spring Boot's probes are on
 * unless the application switched them off.
 */
class HealthProbesEnvironmentPostProcessorTests {

	private final MockEnvironment environment = new MockEnvironment();

	private final HealthProbesEnvironmentPostProcessor postProcessor = new HealthProbesEnvironmentPostProcessor();

	@Test
	void probesAreOnByDefault() {
		this.postProcessor.postProcessEnvironment(this.environment, new SpringApplication());
		assertThat(this.environment.getProperty("management.endpoint.health.probes.enabled", Boolean.class)).isTrue();
	}

	@Test
	void theApplicationsOwnSettingWins() {
		this.environment.setProperty("management.endpoint.health.probes.enabled", "false");
		this.postProcessor.postProcessEnvironment(this.environment, new SpringApplication());
		assertThat(this.environment.getProperty("management.endpoint.health.probes.enabled", Boolean.class)).isFalse();
	}

}
