package io.cse.autoconfigure;

import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;

/**
 * Keeps {@code /actuator/cse} unreachable until the application opts in, on Spring Boot
 * lines without the {@code Access} API of 3.4 (Spring Boot 2.7 here).
 * <p>
 * From 3.4 on, the endpoint's {@code defaultAccess = Access.NONE} does that, and the
 * application opts in with {@code management.endpoint.cse.access=unrestricted}. An older
 * line has no such annotation member: the JVM skips it when it reads the annotation, and
 * such a line would enable the endpoint by default. There the application opts in with
 * {@code management.endpoint.cse.enabled=true} (and, on every line, exposes the endpoint,
 * for example with {@code management.endpoints.web.exposure.include=cse}).
 */
final class EndpointOptInCondition extends AnyNestedCondition {

	/** The API that {@code defaultAccess} belongs to. */
	static final String ACCESS_API = "org.springframework.boot.actuate.endpoint.Access";

	EndpointOptInCondition() {
		super(ConfigurationPhase.REGISTER_BEAN);
	}

	@ConditionalOnClass(name = ACCESS_API)
	static class DefaultAccessApplies {

	}

	@ConditionalOnProperty(prefix = "management.endpoint.cse", name = "enabled", havingValue = "true")
	static class EnabledExplicitly {

	}

}
