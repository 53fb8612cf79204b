package io.cse.autoconfigure;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link EndpointOptInCondition}. A line without the {@code Access} API (Spring
 * Boot 2.7) is simulated by hiding it; compat/boot27 checks the endpoint on a real one.
 */
class EndpointOptInConditionTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withUserConfiguration(OptInConfiguration.class);

	@Test
	void whereTheAccessApiIsItsDefaultAccessDecides() {
		this.contextRunner.run((context) -> assertThat(context).hasBean("endpoint"));
	}

	@Test
	void withoutTheAccessApiTheEndpointIsAbsentUntilEnabled() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(EndpointOptInCondition.ACCESS_API))
			.run((context) -> assertThat(context).doesNotHaveBean("endpoint"));
	}

	@Test
	void withoutTheAccessApiTheEndpointIsThereOnceEnabled() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(EndpointOptInCondition.ACCESS_API))
			.withPropertyValues("management.endpoint.cse.enabled=true")
			.run((context) -> assertThat(context).hasBean("endpoint"));
	}

	@Test
	void withoutTheAccessApiDisabledStaysAbsent() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(EndpointOptInCondition.ACCESS_API))
			.withPropertyValues("management.endpoint.cse.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean("endpoint"));
	}

	@Configuration(proxyBeanMethods = false)
	@Conditional(EndpointOptInCondition.class)
	static class OptInConfiguration {

		@Bean
		String endpoint() {
			return "cse";
		}

	}

}
