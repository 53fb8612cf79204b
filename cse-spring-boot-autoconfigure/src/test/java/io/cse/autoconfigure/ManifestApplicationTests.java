package io.cse.autoconfigure;

import io.cse.snapshot.ImageManifest.Application;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What an image's manifest says of the application, which the node agent reads to probe
 * and call a restored instance: {@link CseAutoConfiguration#application}.
 */
class ManifestApplicationTests {

	private final CseProperties properties = new CseProperties();

	private final MockEnvironment environment = new MockEnvironment().withProperty("spring.application.name", "orders")
		.withProperty("local.server.port", "8080");

	private final DefaultListableBeanFactory beanFactory = new DefaultListableBeanFactory();

	@Test
	void onOnePortTheHealthCheckAndTheEndpointAreOnTheApplicationsPort() {
		this.beanFactory.registerSingleton("healthEndpoint", new Object());
		assertThat(application())
			.isEqualTo(new Application("orders", 8080, "/actuator/health", 8080, 8080, "/actuator/cse"));
	}

	@Test
	void withSpringBootsProbesTheLivenessGroupIsPolledNotTheWholeHealth() {
		// What the starter's HealthProbesEnvironmentPostProcessor sets unless the application
		// says otherwise: a restore while the database is down is not a failed restore
		this.beanFactory.registerSingleton("healthEndpoint", new Object());
		this.environment.withProperty("management.endpoint.health.probes.enabled", "true");
		assertThat(application())
			.isEqualTo(new Application("orders", 8080, "/actuator/health/liveness", 8080, 8080, "/actuator/cse"));
	}

	@Test
	void aManagementPortOfItsOwnServesTheHealthCheckAndTheEndpointUnderItsBasePath() {
		this.beanFactory.registerSingleton("healthEndpoint", new Object());
		this.environment.withProperty("local.management.port", "9090")
			.withProperty("management.server.base-path", "/manage/")
			.withProperty("management.endpoints.web.base-path", "/ops")
			.withProperty("management.endpoints.web.path-mapping.cse", "snapshots");
		assertThat(application())
			.isEqualTo(new Application("orders", 8080, "/manage/ops/health", 9090, 9090, "/manage/ops/snapshots"));
	}

	@Test
	void aHealthPathOfTheUsersOwnIsTheApplicationsEvenWithAManagementPort() {
		this.properties.getSnapshot().setHealthPath("/ready");
		this.environment.withProperty("local.management.port", "9090");
		assertThat(application()).isEqualTo(new Application("orders", 8080, "/ready", 8080, 9090, "/actuator/cse"));
	}

	@Test
	void withoutTheActuatorsHealthTheRootOfTheApplicationIsPolled() {
		assertThat(application()).isEqualTo(new Application("orders", 8080, "/", 8080, 8080, "/actuator/cse"));
	}

	private Application application() {
		return CseAutoConfiguration.application(this.properties, this.environment, this.beanFactory);
	}

}
