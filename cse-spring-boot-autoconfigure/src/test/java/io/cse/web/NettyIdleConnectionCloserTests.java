package io.cse.web;

import org.junit.jupiter.api.BeforeAll;

import org.springframework.boot.WebApplicationType;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Tests for {@link NettyIdleConnectionCloser} against a real Reactor Netty server of a
 * WebFlux application, seen from the client's socket.
 */
class NettyIdleConnectionCloserTests extends AbstractIdleConnectionCloserTests {

	@BeforeAll
	void startNetty() {
		start(WebApplicationType.REACTIVE,
				new String[] { "org.apache.catalina", "org.eclipse.jetty", "io.undertow" },
				CloserConfiguration.class);
	}

	@Override
	IdleConnectionCloser closer(ConfigurableApplicationContext application) {
		return application.getBean(NettyIdleConnectionCloser.class);
	}

	@Configuration(proxyBeanMethods = false)
	static class CloserConfiguration {

		@Bean
		static NettyIdleConnectionCloser nettyIdleConnectionCloser() {
			return new NettyIdleConnectionCloser();
		}

	}

}
