package io.cse.autoconfigure;

import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.commons.logging.Log;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.boot.logging.DeferredLogFactory;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Keeps the keys renamed in 0.1.0 working for one release: each one that is set becomes
 * its replacement, in a property source of the lowest precedence, so that the
 * replacement wins wherever it is set and every reader of the environment (properties
 * binding, {@code @ConditionalOnProperty}) sees the value under its new name. The old keys
 * are deprecated in the configuration metadata, each with its replacement
 * ({@code additional-spring-configuration-metadata.json}), and a warning names each one in
 * use.
 * <p>
 * Spring Boot loads it on every start, whatever the Java and the Spring Boot line of the
 * service, even where {@link SupportedPlatformCondition} keeps the rest of the starter out.
 */
class RenamedPropertiesEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

	static final String PROPERTY_SOURCE_NAME = "cseRenamedProperties";

	private static final Map<String, String> RENAMED;

	static {
		Map<String, String> renamed = new LinkedHashMap<>();
		renamed.put("cse.freeze.trim-heap", "cse.memory.trim-heap");
		renamed.put("cse.freeze.max-heap-free-ratio", "cse.memory.max-heap-free-ratio");
		renamed.put("cse.snapshot.jit-settle-time", "cse.memory.jit-settle-time");
		renamed.put("cse.freeze.thaw-on-request", "cse.traffic.thaw-on-request");
		renamed.put("cse.freeze.hold-timeout", "cse.traffic.hold-timeout");
		renamed.put("cse.freeze.retry-after", "cse.traffic.retry-after");
		renamed.put("cse.readiness.fail-on", "cse.serverless-ready.hazard-check.fail-on");
		// Spring Boot's own switch, which its meter filter reads for every meter under cse.
		renamed.put("cse.metrics.enabled", "management.metrics.enable.cse");
		RENAMED = renamed;
	}

	private final Log logger;

	RenamedPropertiesEnvironmentPostProcessor(DeferredLogFactory logFactory) {
		this.logger = logFactory.getLog(RenamedPropertiesEnvironmentPostProcessor.class);
	}

	/**
	 * Return each renamed key with the key that replaces it.
	 * @return the keys, old to new
	 */
	static Map<String, String> renamed() {
		return RENAMED;
	}

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		// The binder reads every form of a key: cse.freeze.retry-after, CSE_FREEZE_RETRYAFTER...
		Binder binder = Binder.get(environment);
		Map<String, Object> replacements = new LinkedHashMap<>();
		RENAMED.forEach((deprecated, replacement) -> binder.bind(deprecated, String.class).ifBound((value) -> {
			this.logger.warn(deprecated + " is deprecated and will be removed in the next release: use "
					+ replacement + " instead");
			replacements.put(replacement, value);
		}));
		if (!replacements.isEmpty()) {
			environment.getPropertySources().addLast(new MapPropertySource(PROPERTY_SOURCE_NAME, replacements));
		}
	}

	@Override
	public int getOrder() {
		// After the application's configuration files are in the environment
		return Ordered.LOWEST_PRECEDENCE;
	}

}
