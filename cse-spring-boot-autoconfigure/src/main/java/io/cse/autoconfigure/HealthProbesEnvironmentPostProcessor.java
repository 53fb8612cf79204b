package io.cse.autoconfigure;

import java.util.Collections;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Turns on Spring Boot's liveness and readiness health groups
 * ({@code management.endpoint.health.probes.enabled}, on by itself only on Kubernetes)
 * unless the application says otherwise. An image's manifest then names the liveness
 * group as the path the node agent polls after a restore or a thaw: it says whether the
 * process serves, where the whole health also asks the database, the brokers and the
 * registries, and a restore while one of them is down would be taken for a failed one (and
 * rolled back) although the instance serves and reconnects once it is back.
 * <p>
 * The default has the lowest precedence: any setting of the key, in any property source,
 * wins.
 */
class HealthProbesEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

	static final String PROPERTY_SOURCE_NAME = "cseHealthProbes";

	static final String PROBES_ENABLED = "management.endpoint.health.probes.enabled";

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		if (!environment.getPropertySources().contains(PROPERTY_SOURCE_NAME)) {
			environment.getPropertySources()
				.addLast(new MapPropertySource(PROPERTY_SOURCE_NAME, Collections.singletonMap(PROBES_ENABLED, "true")));
		}
	}

	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE;
	}

}
