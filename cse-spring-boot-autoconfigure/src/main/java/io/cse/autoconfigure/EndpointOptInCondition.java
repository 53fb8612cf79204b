package io.cse.autoconfigure;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.util.ClassUtils;

/**
 * Keeps {@code /actuator/cse} unreachable until the user opts in, on Spring Boot lines
 * that have no {@code Access} API (before 3.4).
 * <p>
 * From 3.4 on, the endpoint declares {@code defaultAccess = Access.NONE} and
 * {@code management.endpoint.cse.access} opens it. Before 3.4 the JVM drops that annotation
 * member (the runtime's {@code @Endpoint} has none), so the endpoint would be on by default
 * like any other: there, this condition asks for {@code management.endpoint.cse.enabled=true},
 * the switch those lines (Spring Boot 2.7 too) document for every endpoint.
 */
final class EndpointOptInCondition extends SpringBootCondition {

	static final String ACCESS_CLASS = "org.springframework.boot.actuate.endpoint.Access";

	static final String ENABLED_PROPERTY = "management.endpoint.cse.enabled";

	@Override
	public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
		if (ClassUtils.isPresent(ACCESS_CLASS, context.getClassLoader())) {
			return ConditionOutcome.match("Spring Boot's endpoint access (management.endpoint.cse.access) decides");
		}
		if ("true".equalsIgnoreCase(context.getEnvironment().getProperty(ENABLED_PROPERTY, "").trim())) {
			return ConditionOutcome.match(ENABLED_PROPERTY + " is true");
		}
		return ConditionOutcome.noMatch("The cse endpoint is off until " + ENABLED_PROPERTY
				+ "=true (this Spring Boot line has no management.endpoint.cse.access)");
	}

}
