package io.cse.autoconfigure;

import java.util.stream.Collectors;

import io.cse.http.ApacheHttpClient4PoolCloser;
import io.cse.http.ApacheHttpClient5PoolCloser;
import io.cse.http.HttpClientPoolCloser;
import io.cse.http.HttpClientPoolParticipant;
import io.cse.http.OkHttpPoolCloser;
import okhttp3.OkHttpClient;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

/**
 * Outbound HTTP clients: the idle connections of their pools close while the instance is
 * quiesced, with one closer for each client library on the class path.
 */
@AutoConfiguration(after = CseAutoConfiguration.class)
@Conditional(SupportedPlatformCondition.class)
// One annotation, not two: Spring Boot 2.7's is not repeatable, and would not see them
@ConditionalOnProperty(name = { "cse.enabled", "cse.http-clients.enabled" }, matchIfMissing = true)
final class CseHttpClientsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	HttpClientPoolParticipant cseHttpClientPoolParticipant(ConfigurableListableBeanFactory beanFactory,
			ObjectProvider<HttpClientPoolCloser> closers) {
		return new HttpClientPoolParticipant(beanFactory, closers.orderedStream().collect(Collectors.toList()));
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = "org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager")
	static class ApacheHttpClient5Configuration {

		@Bean
		@ConditionalOnMissingBean
		ApacheHttpClient5PoolCloser cseApacheHttpClient5PoolCloser() {
			return new ApacheHttpClient5PoolCloser();
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = "org.apache.http.impl.conn.PoolingHttpClientConnectionManager")
	static class ApacheHttpClient4Configuration {

		@Bean
		@ConditionalOnMissingBean
		ApacheHttpClient4PoolCloser cseApacheHttpClient4PoolCloser() {
			return new ApacheHttpClient4PoolCloser();
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(OkHttpClient.class)
	static class OkHttpConfiguration {

		@Bean
		@ConditionalOnMissingBean
		OkHttpPoolCloser cseOkHttpPoolCloser() {
			return new OkHttpPoolCloser();
		}

	}

}
