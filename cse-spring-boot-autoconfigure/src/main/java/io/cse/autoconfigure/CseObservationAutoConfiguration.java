package io.cse.autoconfigure;

import io.cse.CheckpointCoordinator;
import io.cse.metrics.OperationObservations;
import io.micrometer.observation.ObservationRegistry;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;

/**
 * Freeze, thaw, dump, clone and restore as Micrometer Observations, where the
 * application has an {@link ObservationRegistry} (Spring Boot 3 and 4 with the actuator):
 * a tracing back end then shows each operation as a span.
 */
@AutoConfiguration(after = CseAutoConfiguration.class,
		afterName = { "org.springframework.boot.actuate.autoconfigure.observation.ObservationAutoConfiguration",
				"org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration" })
@Conditional(SupportedPlatformCondition.class)
@ConditionalOnClass(name = "io.micrometer.observation.ObservationRegistry")
@ConditionalOnProperty(prefix = "cse", name = "enabled", matchIfMissing = true)
@ConditionalOnBean({ CheckpointCoordinator.class, ObservationRegistry.class })
final class CseObservationAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	OperationObservations cseOperationObservations(ObservationRegistry registry, CheckpointCoordinator coordinator) {
		OperationObservations observations = new OperationObservations(registry);
		coordinator.addListener(observations);
		return observations;
	}

}
