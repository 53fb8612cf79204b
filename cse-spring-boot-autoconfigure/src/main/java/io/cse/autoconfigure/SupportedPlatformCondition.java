package io.cse.autoconfigure;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.SpringBootVersion;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.util.ClassUtils;

/**
 * Keeps the starter out of the way where it cannot serve: on a Java or Spring Boot version
 * it does not support, none of its auto-configurations matches, so the service starts as
 * if the starter were absent, and one log line per JVM says why and what to use instead.
 * <p>
 * Every auto-configuration of the starter carries it. The starter is compiled for Java 8,
 * so that one jar serves Spring Boot 2.7 (Java 8 and later) as well as Spring Boot 3.0 to
 * 4.0 (Java 17 and later), each line tested by the compatibility suite (compat/). Lines
 * before 2.7 and after 4.0 are not supported until tested.
 */
@Order(SupportedPlatformCondition.ORDER)
final class SupportedPlatformCondition extends SpringBootCondition {

	/**
	 * After the conditions on classes, the web application type and properties (which read
	 * only names and the environment), so that {@code cse.enabled=false} keeps the line
	 * quiet; before any condition that could load one of the starter's classes.
	 */
	static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 50;

	/** What the starter supports, as the line logged where it is inactive says it. */
	static final String SUPPORTED = "Spring Boot 2.7 on Java 8 or later, 3.0 to 4.0 on Java 17 or later";

	/** A Spring Boot class that appeared in 3.0: tells the line when the version is unknown. */
	static final String BOOT_3_CLASS = "org.springframework.boot.SpringApplicationAotProcessor";

	/** Each supported Spring Boot line, with the oldest Java it is supported on. */
	private static final Map<String, Integer> SUPPORTED_LINES;

	static {
		Map<String, Integer> lines = new LinkedHashMap<>();
		lines.put("2.7", 8);
		for (String line : new String[] { "3.0", "3.1", "3.2", "3.3", "3.4", "3.5", "4.0" }) {
			lines.put(line, 17);
		}
		SUPPORTED_LINES = Collections.unmodifiableMap(lines);
	}

	private static final Log logger = LogFactory.getLog(SupportedPlatformCondition.class);

	/** Once per JVM, not once per auto-configuration or nested configuration. */
	private static final AtomicBoolean reported = new AtomicBoolean();

	@Override
	public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
		String javaVersion = System.getProperty("java.specification.version");
		String bootVersion = SpringBootVersion.getVersion();
		String unsupported = unsupported(javaVersion, bootVersion,
				() -> ClassUtils.isPresent(BOOT_3_CLASS, context.getClassLoader()));
		if (unsupported == null) {
			return ConditionOutcome.match("CSE supports Spring Boot " + bootVersion + " on Java " + javaVersion);
		}
		if (reported.compareAndSet(false, true)) {
			logger.warn(unsupported);
		}
		return ConditionOutcome.noMatch(unsupported);
	}

	/**
	 * Why the starter cannot serve on this Java ({@code java.specification.version}: "1.8",
	 * "17", ...) and Spring Boot version (null when unknown), as the line to log; null when
	 * it can.
	 */
	static String unsupported(String javaVersion, String bootVersion, BooleanSupplier boot3OrLater) {
		String bootLine = (bootVersion != null) ? line(bootVersion) : null;
		Integer minimumJava = (bootLine != null) ? SUPPORTED_LINES.get(bootLine)
				: (boot3OrLater.getAsBoolean() ? Integer.valueOf(17) : null);
		if (minimumJava != null && javaFeature(javaVersion) >= minimumJava) {
			return null;
		}
		String boot = (bootVersion != null) ? "Spring Boot " + bootVersion
				: "a Spring Boot of unknown version (its jar names none)"
						+ ((minimumJava != null) ? "" : " older than 3.0");
		return "CSE is inactive: it supports " + SUPPORTED + "; this service runs " + boot + " on Java " + javaVersion
				+ ". No CSE bean or endpoint is created; the service runs as if it were absent. To use CSE, move the"
				+ " service to one of those lines, or remove the io.cse:cse-spring-boot-starter dependency.";
	}

	/** 8 for "1.8", 17 for "17"; 0 when it cannot be read (then the starter steps aside). */
	static int javaFeature(String javaVersion) {
		if (javaVersion == null) {
			return 0;
		}
		String version = javaVersion.startsWith("1.") ? javaVersion.substring(2) : javaVersion;
		int end = 0;
		while (end < version.length() && Character.isDigit(version.charAt(end))) {
			end++;
		}
		return (end > 0 && end < 10) ? Integer.parseInt(version.substring(0, end)) : 0;
	}

	/** "3.5" for "3.5.7" or "3.5.0-SNAPSHOT"; null when the version has no such form. */
	static String line(String bootVersion) {
		String[] parts = bootVersion.split("[.-]");
		if (parts.length < 2 || !isNumber(parts[0]) || !isNumber(parts[1])) {
			return null;
		}
		return parts[0] + "." + parts[1];
	}

	private static boolean isNumber(String text) {
		return !text.isEmpty() && text.chars().allMatch(Character::isDigit);
	}

	/** Lets the next unsupported evaluation log its line again (for tests). */
	static void forgetReported() {
		reported.set(false);
	}

}
