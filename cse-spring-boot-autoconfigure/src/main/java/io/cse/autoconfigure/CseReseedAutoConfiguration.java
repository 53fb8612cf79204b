package io.cse.autoconfigure;

import java.util.stream.Collectors;

import io.cse.entropy.Reseeder;
import io.cse.entropy.SecureRandomReseeder;
import io.cse.entropy.ThreadLocalRandomReseeder;
import io.cse.reseed.ReseedParticipant;
import io.cse.reseed.SingletonSecureRandoms;
import io.cse.web.JettySessionIdReseeder;
import io.cse.web.LegacyJettySessionIdReseeder;
import io.cse.web.TomcatSessionIdReseeder;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

/**
 * Renews, on every restore of an image, the random generators seeded before the snapshot:
 * a participant that runs every {@link Reseeder} bean before traffic comes back, with
 * reseeders for {@code ThreadLocalRandom}, the {@code SecureRandom} fields of singleton
 * beans, and the session ids of an embedded Tomcat or Jetty, 9.4 and later (Undertow's
 * read the operating system on every call: nothing to reseed).
 */
@AutoConfiguration(after = CseAutoConfiguration.class)
@Conditional(SupportedPlatformCondition.class)
// One annotation, not two: Spring Boot 2.7's is not repeatable, and would not see them
@ConditionalOnProperty(name = { "cse.enabled", "cse.clone.reseed.enabled" }, matchIfMissing = true)
final class CseReseedAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	ReseedParticipant cseReseedParticipant(ObjectProvider<Reseeder> reseeders) {
		return new ReseedParticipant(reseeders.orderedStream().collect(Collectors.toList()));
	}

	@Bean
	@ConditionalOnMissingBean
	ThreadLocalRandomReseeder cseThreadLocalRandomReseeder() {
		return new ThreadLocalRandomReseeder();
	}

	@Bean
	@ConditionalOnMissingBean
	SecureRandomReseeder cseSecureRandomReseeder(ConfigurableListableBeanFactory beanFactory) {
		return new SecureRandomReseeder(new SingletonSecureRandoms(beanFactory));
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication
	@ConditionalOnClass(name = "org.eclipse.jetty.session.DefaultSessionIdManager")
	static class JettyConfiguration {

		@Bean
		@ConditionalOnMissingBean
		JettySessionIdReseeder cseJettySessionIdReseeder(ApplicationContext applicationContext) {
			return new JettySessionIdReseeder(applicationContext);
		}

	}

	/** Jetty 9.4 to 11: Spring Boot 2.7 to 3.1. */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication
	@ConditionalOnClass(name = LegacyJettySessionIdReseeder.SESSION_ID_MANAGER)
	static class LegacyJettyConfiguration {

		@Bean
		@ConditionalOnMissingBean
		LegacyJettySessionIdReseeder cseLegacyJettySessionIdReseeder(ApplicationContext applicationContext) {
			return new LegacyJettySessionIdReseeder(applicationContext);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
	@ConditionalOnClass(name = "org.apache.catalina.startup.Tomcat")
	static class TomcatConfiguration {

		@Bean
		@ConditionalOnMissingBean
		TomcatSessionIdReseeder cseTomcatSessionIdReseeder(ApplicationContext applicationContext) {
			return new TomcatSessionIdReseeder(applicationContext);
		}

	}

}
