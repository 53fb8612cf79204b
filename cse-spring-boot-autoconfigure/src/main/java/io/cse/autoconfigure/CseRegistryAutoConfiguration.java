package io.cse.autoconfigure;

import java.util.List;
import java.util.stream.Collectors;

import io.cse.registry.CloneAddressResolver;
import io.cse.registry.InetUtilsCloneAddressResolver;
import io.cse.registry.RegistrationRenewer;
import io.cse.registry.ServiceRegistryParticipant;
import io.cse.registry.ZookeeperRegistrationRenewer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.x.discovery.ServiceInstanceBuilder;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.cloud.client.serviceregistry.ServiceRegistry;
import org.springframework.cloud.commons.util.InetUtils;
import org.springframework.cloud.commons.util.InetUtilsProperties;
import org.springframework.cloud.zookeeper.discovery.ZookeeperDiscoveryProperties;
import org.springframework.cloud.zookeeper.serviceregistry.ServiceInstanceRegistration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

/**
 * Spring Cloud service registries: registrations leave their registry while the instance
 * is quiesced and come back when it resumes, a clone's under its own id and address.
 */
@AutoConfiguration(after = CseAutoConfiguration.class)
@Conditional(SupportedPlatformCondition.class)
// One annotation, not two: Spring Boot 2.7's is not repeatable, and would not see them
@ConditionalOnProperty(name = { "cse.enabled", "cse.registry.enabled" }, matchIfMissing = true)
@EnableConfigurationProperties(CseProperties.class)
final class CseRegistryAutoConfiguration {

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(ServiceRegistry.class)
	static class SpringCloudRegistryConfiguration {

		@Bean
		@ConditionalOnMissingBean
		ServiceRegistryParticipant cseServiceRegistryParticipant(ListableBeanFactory beanFactory,
				ObjectProvider<RegistrationRenewer> renewers, ObjectProvider<CloneAddressResolver> addressResolver,
				ObjectProvider<InetUtils> inetUtils) {
			List<RegistrationRenewer> ordered = renewers.orderedStream().collect(Collectors.toList());
			return new ServiceRegistryParticipant(beanFactory, ordered, cloneAddressResolver(addressResolver, inetUtils));
		}

		/**
		 * Return the application's resolver, or one that asks Spring Cloud's network
		 * utilities (the application's, or a default) when a clone needs its address.
		 */
		static CloneAddressResolver cloneAddressResolver(ObjectProvider<CloneAddressResolver> addressResolver,
				ObjectProvider<InetUtils> inetUtils) {
			return addressResolver.getIfAvailable(() -> () -> {
				InetUtils available = inetUtils.getIfAvailable();
				if (available != null) {
					return new InetUtilsCloneAddressResolver(available).resolve();
				}
				try (InetUtils own = new InetUtils(new InetUtilsProperties())) {
					return new InetUtilsCloneAddressResolver(own).resolve();
				}
			});
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass({ ServiceInstanceRegistration.class, ServiceInstanceBuilder.class })
	static class ZookeeperRegistryConfiguration {

		@Bean
		@ConditionalOnMissingBean
		ZookeeperRegistrationRenewer cseZookeeperRegistrationRenewer(
				ObjectProvider<ZookeeperDiscoveryProperties> properties, ObjectProvider<CuratorFramework> clients) {
			return new ZookeeperRegistrationRenewer(properties::getIfAvailable, () -> clients.orderedStream().collect(Collectors.toList()));
		}

	}

}
