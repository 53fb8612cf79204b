package io.cse.autoconfigure;

import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.cse.autoconfigure.CseProperties.ServerlessReady.HazardCheck.FailOn;
import io.cse.ready.ServerlessReady;
import io.cse.ready.ServerlessReadyBeans;
import io.cse.ready.ServerlessReadyParticipant;
import io.cse.ready.UniquenessHazard.Severity;
import io.cse.ready.UniquenessHazardInspector;
import io.cse.registry.ProviderPublisher;
import io.cse.registry.ProviderPublisherParticipant;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;

/**
 * The {@link ServerlessReady @ServerlessReady} programming model: one participant that
 * runs the hooks of every such bean, the start-up hazard check of those beans, and, with a
 * {@link ProviderPublisher} bean, the participant that takes the providers it publishes
 * offline.
 */
@AutoConfiguration(after = CseAutoConfiguration.class)
@Conditional(SupportedPlatformCondition.class)
// One annotation, not two: Spring Boot 2.7's is not repeatable, and would not see them
@ConditionalOnProperty(name = { "cse.enabled", "cse.serverless-ready.enabled" }, matchIfMissing = true)
@EnableConfigurationProperties(CseProperties.class)
final class CseServerlessReadyAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	ServerlessReadyBeans cseServerlessReadyBeans(ConfigurableListableBeanFactory beanFactory,
			CseProperties properties, ObjectProvider<ProviderPublisher> publishers) {
		return new ServerlessReadyBeans(beanFactory,
				new UniquenessHazardInspector(properties.getClone().getReseed().isEnabled()),
				severity(properties.getServerlessReady().getHazardCheck().getFailOn()), publishedBy(publishers));
	}

	@Bean
	@ConditionalOnMissingBean
	ServerlessReadyParticipant cseServerlessReadyParticipant(ServerlessReadyBeans beans) {
		return new ServerlessReadyParticipant(beans);
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBean(ProviderPublisher.class)
	ProviderPublisherParticipant cseProviderPublisherParticipant(ServerlessReadyBeans beans,
			ObjectProvider<ProviderPublisher> publishers) {
		return new ProviderPublisherParticipant(beans, () -> publishers.orderedStream().collect(Collectors.toList()));
	}

	private static Function<Object, List<String>> publishedBy(ObjectProvider<ProviderPublisher> publishers) {
		return (bean) -> publishers.orderedStream()
			.filter((publisher) -> publisher.publishes(bean))
			.map(ProviderPublisher::getName)
			.collect(Collectors.toList());
	}

	private static Severity severity(FailOn failOn) {
		switch (failOn) {
			case WARN:
				return Severity.WARN;
			case ERROR:
				return Severity.ERROR;
			default:
				return null;
		}
	}

}
