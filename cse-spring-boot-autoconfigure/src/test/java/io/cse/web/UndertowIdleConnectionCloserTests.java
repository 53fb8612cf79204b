package io.cse.web;

import org.junit.jupiter.api.BeforeAll;

import org.springframework.boot.WebApplicationType;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Tests for {@link UndertowIdleConnectionCloser} against a real embedded Undertow (Spring
 * Boot 3 only), seen from the client's socket.
 */
class UndertowIdleConnectionCloserTests extends AbstractIdleConnectionCloserTests {

	@BeforeAll
	void startUndertow() {
		start(WebApplicationType.SERVLET, new String[] { "org.apache.catalina", "org.eclipse.jetty" },
				CloserConfiguration.class);
	}

	@Override
	IdleConnectionCloser closer(ConfigurableApplicationContext application) {
		return application.getBean(UndertowIdleConnectionCloser.class);
	}

	@Configuration(proxyBeanMethods = false)
	static class CloserConfiguration {

		@Bean
		static UndertowIdleConnectionCloser undertowIdleConnectionCloser() {
			return new UndertowIdleConnectionCloser();
		}

	}

}
