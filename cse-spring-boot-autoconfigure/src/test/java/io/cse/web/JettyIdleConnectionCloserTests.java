package io.cse.web;

import org.junit.jupiter.api.BeforeAll;

import org.springframework.boot.WebApplicationType;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Tests for {@link JettyIdleConnectionCloser} against a real embedded Jetty (12.0 on Spring
 * Boot 3, 12.1 on Spring Boot 4), seen from the client's socket.
 */
class JettyIdleConnectionCloserTests extends AbstractIdleConnectionCloserTests {

	@BeforeAll
	void startJetty() {
		start(WebApplicationType.SERVLET, new String[] { "org.apache.catalina", "io.undertow" });
	}

	@Override
	IdleConnectionCloser closer(ConfigurableApplicationContext application) {
		return new JettyIdleConnectionCloser(application);
	}

}
