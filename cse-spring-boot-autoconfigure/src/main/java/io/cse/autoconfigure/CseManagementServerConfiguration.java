package io.cse.autoconfigure;

import io.cse.web.HeldRequests;
import io.cse.web.JavaxTrafficGateFilter;
import io.cse.web.TrafficGateFilter;

import org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextType;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The traffic gate on a servlet management server of its own
 * ({@code management.server.port}): Spring Boot gives that server none of the
 * application's filters, so it gets a gate filter of its own, on the application's gate.
 * Its requests are then treated as on the application's port: the endpoint's go through
 * (the untyped {@code POST} that the node agent and {@code curl -X POST} send is read as
 * JSON; a dump answers before it starts), and the others (health, metrics) are held while
 * the instance is quiesced, so that a health check that answers 200 means the instance
 * serves again. A reactive management server already runs the application's web filters.
 */
@ManagementContextConfiguration(value = ManagementContextType.CHILD, proxyBeanMethods = false)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnBean(HeldRequests.class)
class CseManagementServerConfiguration {

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = "jakarta.servlet.Filter")
	static class JakartaConfiguration {

		@Bean
		TrafficGateFilter cseManagementServerGateFilter(HeldRequests heldRequests) {
			return new TrafficGateFilter(heldRequests);
		}

	}

	/**
	 * Spring Boot 2.7: its servlet API is {@code javax.servlet}.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = "javax.servlet.Filter")
	@ConditionalOnMissingClass("jakarta.servlet.Filter")
	static class JavaxConfiguration {

		@Bean
		JavaxTrafficGateFilter cseManagementServerGateFilter(HeldRequests heldRequests) {
			return new JavaxTrafficGateFilter(heldRequests);
		}

	}

}
