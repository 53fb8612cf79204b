package io.cse.autoconfigure;

import java.nio.file.Path;

import io.cse.CheckpointCoordinator;
import io.cse.endpoint.CseEndpoint;
import io.cse.endpoint.CseEndpointWebExtension;
import io.cse.endpoint.EndpointToken;
import io.cse.endpoint.OverridableProperties;
import io.cse.endpoint.ReactiveCseEndpointWebExtension;
import io.cse.endpoint.UnknownParameterRefusal;
import io.cse.ready.ServerlessReadyBeans;
import io.cse.snapshot.ImageAttachment;
import io.cse.snapshot.SnapshotService;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

/**
 * The {@code /actuator/cse} endpoint, once the application makes it available, with the
 * web extension of the application's web stack: over HTTP, a dump or a clone answers
 * before it starts. Unreachable until the user opts in: with
 * {@code management.endpoint.cse.access} from Spring Boot 3.4 on, with
 * {@code management.endpoint.cse.enabled=true} before, Spring Boot 2.7 included (see
 * {@link EndpointOptInCondition}).
 */
@AutoConfiguration(after = CseAutoConfiguration.class)
@Conditional({ SupportedPlatformCondition.class, EndpointOptInCondition.class })
@ConditionalOnClass(ConditionalOnAvailableEndpoint.class)
@ConditionalOnProperty(prefix = "cse", name = "enabled", matchIfMissing = true)
@ConditionalOnBean(CheckpointCoordinator.class)
@ConditionalOnAvailableEndpoint(endpoint = CseEndpoint.class)
public final class CseEndpointAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	CseEndpoint cseEndpoint(CheckpointCoordinator coordinator, ObjectProvider<SnapshotService> snapshots,
			ObjectProvider<ServerlessReadyBeans> serverlessReady, CseProperties properties) {
		// Refuses a list that covers a property no thaw may set: the start fails, naming it
		OverridableProperties overridableProperties = OverridableProperties
			.of(properties.getClone().getOverridableProperties());
		return new CseEndpoint(coordinator, snapshots.getIfAvailable(), serverlessReady.getIfAvailable(),
				overridableProperties);
	}

	/**
	 * The token requests must carry, read from {@code cse.endpoint.token-file} at start: a
	 * file that is missing or that others can read stops the application here.
	 */
	@Bean
	@ConditionalOnMissingBean
	EndpointToken cseEndpointToken(CseProperties properties) {
		Path file = properties.getEndpoint().getTokenFile();
		return (file != null) ? EndpointToken.readFrom(file) : EndpointToken.none();
	}

	/**
	 * Every image carries the token, so that the node agent can call the instances it
	 * restores from it: they hold the same token in memory.
	 */
	@Bean
	@ConditionalOnProperty(prefix = "cse.endpoint", name = "token-file")
	ImageAttachment cseEndpointTokenImageAttachment(EndpointToken token) {
		return token.imageAttachment();
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
	static class ServletWebExtensionConfiguration {

		@Bean
		@ConditionalOnMissingBean
		CseEndpointWebExtension cseEndpointWebExtension(CseEndpoint endpoint, EndpointToken token) {
			return new CseEndpointWebExtension(endpoint, token);
		}

		/**
		 * A write operation with a parameter it does not take is refused, not run as if the
		 * parameter had not been sent: the actuator would drop it silently.
		 */
		@Bean
		UnknownParameterRefusal cseUnknownParameterRefusal() {
			return new UnknownParameterRefusal();
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
	static class ReactiveWebExtensionConfiguration {

		@Bean
		@ConditionalOnMissingBean
		ReactiveCseEndpointWebExtension reactiveCseEndpointWebExtension(CseEndpoint endpoint, EndpointToken token) {
			return new ReactiveCseEndpointWebExtension(endpoint, token);
		}

		/**
		 * As on servlet stacks, in the publisher a reactive operation returns.
		 */
		@Bean
		UnknownParameterRefusal cseUnknownParameterRefusal() {
			return UnknownParameterRefusal.reactive();
		}

	}

}
