package io.cse.autoconfigure;

import com.netflix.discovery.DiscoveryClient;
import io.cse.registry.CloneAddressResolver;
import io.cse.registry.EurekaRegistrationParticipant;
import io.cse.registry.EurekaRegistrationRenewer;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.cloud.commons.util.InetUtils;
import org.springframework.cloud.netflix.eureka.serviceregistry.EurekaAutoServiceRegistration;
import org.springframework.cloud.netflix.eureka.serviceregistry.EurekaRegistration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;

/**
 * Spring Cloud Netflix Eureka: the registration goes {@code DOWN} in the Eureka server
 * while the instance is quiesced and {@code UP} when it resumes, at once rather than when
 * the client next replicates; a clone's under its own id and address.
 * <p>
 * After Eureka's own auto-configuration, whose auto-registration it drives: without one
 * (no Eureka client, or {@code eureka.client.enabled=false}) there is nothing to do.
 */
@AutoConfiguration(after = CseAutoConfiguration.class,
		afterName = "org.springframework.cloud.netflix.eureka.EurekaClientAutoConfiguration")
@Conditional(SupportedPlatformCondition.class)
@ConditionalOnClass({ EurekaAutoServiceRegistration.class, DiscoveryClient.class })
@ConditionalOnBean(EurekaAutoServiceRegistration.class)
// One annotation, not two: Spring Boot 2.7's is not repeatable, and would not see them
@ConditionalOnProperty(name = { "cse.enabled", "cse.eureka.enabled" }, matchIfMissing = true)
@EnableConfigurationProperties(CseProperties.class)
final class CseEurekaAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	EurekaRegistrationRenewer cseEurekaRegistrationRenewer() {
		return new EurekaRegistrationRenewer();
	}

	@Bean
	@ConditionalOnMissingBean
	EurekaRegistrationParticipant cseEurekaRegistrationParticipant(
			ObjectProvider<EurekaAutoServiceRegistration> autoRegistration,
			ObjectProvider<EurekaRegistration> registration, EurekaRegistrationRenewer renewer,
			ObjectProvider<CloneAddressResolver> addressResolver, ObjectProvider<InetUtils> inetUtils) {
		return new EurekaRegistrationParticipant(autoRegistration::getIfAvailable, registration::getIfAvailable,
				renewer, CseRegistryAutoConfiguration.SpringCloudRegistryConfiguration
					.cloneAddressResolver(addressResolver, inetUtils));
	}

}
