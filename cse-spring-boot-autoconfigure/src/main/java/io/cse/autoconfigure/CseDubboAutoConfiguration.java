package io.cse.autoconfigure;

import java.util.HashMap;
import java.util.Map;

import io.cse.InstanceIdentity;
import io.cse.dubbo.DubboProviderParticipant;
import io.cse.dubbo.DubboProviderPublisher;
import io.cse.registry.CloneAddressResolver;
import org.apache.dubbo.config.ServiceConfigBase;
import org.apache.dubbo.config.spring.ServiceBean;
import org.apache.dubbo.rpc.model.FrameworkModel;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;

/**
 * Apache Dubbo (3.3 on Spring Boot 3.5, 3.2 on Spring Boot 2.7): every exported service
 * leaves its registries while the instance is quiesced and comes back when it resumes, a
 * clone's at its own address, under its own instance id, with ZooKeeper sessions of its
 * own.
 * <p>
 * Before {@link CseServerlessReadyAutoConfiguration}, so that its publisher is there when
 * that one decides whether a {@code ProviderPublisher} exists.
 */
@AutoConfiguration(after = CseAutoConfiguration.class, before = CseServerlessReadyAutoConfiguration.class)
@Conditional(SupportedPlatformCondition.class)
@ConditionalOnClass({ FrameworkModel.class, ServiceBean.class })
// One annotation, not two: Spring Boot 2.7's is not repeatable, and would not see them
@ConditionalOnProperty(name = { "cse.enabled", "cse.dubbo.enabled" }, matchIfMissing = true)
@EnableConfigurationProperties(CseProperties.class)
final class CseDubboAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	DubboProviderParticipant cseDubboProviderParticipant(ObjectProvider<CloneAddressResolver> addressResolver) {
		return new DubboProviderParticipant(addressResolver.getIfAvailable());
	}

	@Bean
	@ConditionalOnMissingBean
	DubboProviderPublisher cseDubboProviderPublisher(ListableBeanFactory beanFactory,
			DubboProviderParticipant participant) {
		return new DubboProviderPublisher(beanFactory, participant);
	}

	@Bean
	static BeanPostProcessor cseDubboInstanceParameter(ObjectProvider<InstanceIdentity> identity) {
		return new InstanceParameter(identity);
	}

	/**
	 * Puts this instance's id into the URL of every Dubbo service before Dubbo exports it,
	 * so that the registry tells instances apart the way {@code GET /actuator/cse} does; a
	 * clone's URL gets the clone's id when it registers again.
	 */
	static final class InstanceParameter implements BeanPostProcessor {

		private final ObjectProvider<InstanceIdentity> identity;

		InstanceParameter(ObjectProvider<InstanceIdentity> identity) {
			this.identity = identity;
		}

		@Override
		public Object postProcessBeforeInitialization(Object bean, String beanName) {
			if (bean instanceof ServiceConfigBase<?>) {
				ServiceConfigBase<?> service = (ServiceConfigBase<?>) bean;
				InstanceIdentity instance = this.identity.getIfAvailable();
				if (instance != null) {
					Map<String, String> parameters = (service.getParameters() != null)
							? new HashMap<>(service.getParameters()) : new HashMap<>();
					parameters.put(DubboProviderParticipant.INSTANCE_PARAMETER, instance.getInstanceId());
					service.setParameters(parameters);
				}
			}
			return bean;
		}

	}

}
