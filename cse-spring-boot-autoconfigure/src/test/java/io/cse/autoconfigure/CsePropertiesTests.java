package io.cse.autoconfigure;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Stream;

import io.cse.autoconfigure.CseProperties.ServerlessReady.HazardCheck.FailOn;
import io.cse.memory.HeapTrimmer;
import io.cse.web.HeldRequests;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.configurationmetadata.ConfigurationMetadataProperty;
import org.springframework.boot.configurationmetadata.ConfigurationMetadataRepositoryJsonBuilder;
import org.springframework.boot.configurationmetadata.Deprecation;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link CseProperties}: every key renamed in 0.1.0 still binds, is deprecated in
 * the configuration metadata in favour of the key that replaces it, and loses to that key
 * when both are set.
 */
class CsePropertiesTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withInitializer(CsePropertiesTests::renameProperties)
		.withUserConfiguration(PropertiesConfiguration.class);

	static Stream<Arguments> renamedKeys() {
		return Stream.of(
				renamed("cse.freeze.trim-heap", "cse.memory.trim-heap",
						(properties) -> properties.getMemory().isTrimHeap(), false, true),
				renamed("cse.freeze.max-heap-free-ratio", "cse.memory.max-heap-free-ratio",
						(properties) -> properties.getMemory().getMaxHeapFreeRatio(), 20, 30),
				renamed("cse.snapshot.jit-settle-time", "cse.memory.jit-settle-time",
						(properties) -> properties.getMemory().getJitSettleTime(), Duration.ofSeconds(1),
						Duration.ofSeconds(2)),
				renamed("cse.freeze.thaw-on-request", "cse.traffic.thaw-on-request",
						(properties) -> properties.getTraffic().isThawOnRequest(), false, true),
				renamed("cse.freeze.hold-timeout", "cse.traffic.hold-timeout",
						(properties) -> properties.getTraffic().getHoldTimeout(), Duration.ofMillis(300),
						Duration.ofMillis(400)),
				renamed("cse.freeze.retry-after", "cse.traffic.retry-after",
						(properties) -> properties.getTraffic().getRetryAfter(), Duration.ofSeconds(2),
						Duration.ofSeconds(3)),
				renamed("cse.readiness.fail-on", "cse.serverless-ready.hazard-check.fail-on",
						(properties) -> properties.getServerlessReady().getHazardCheck().getFailOn(), FailOn.WARN,
						FailOn.ERROR));
	}

	/**
	 * A renamed key.
	 * @param deprecatedKey the key before 0.1.0
	 * @param key the key that replaces it
	 * @param getter what the auto-configurations read
	 * @param deprecatedValue a value for the deprecated key, not the default
	 * @param value another value for the key that replaces it (the default for booleans,
	 * to show that an explicit default wins too)
	 */
	private static Arguments renamed(String deprecatedKey, String key, Function<CseProperties, Object> getter,
			Object deprecatedValue, Object value) {
		return Arguments.of(deprecatedKey, key, getter, deprecatedValue, value);
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("renamedKeys")
	void aDeprecatedKeyStillBinds(String deprecatedKey, String key, Function<CseProperties, Object> getter,
			Object deprecatedValue, Object value) {
		this.contextRunner.withPropertyValues(deprecatedKey + "=" + text(deprecatedValue))
			.run((context) -> assertThat(getter.apply(context.getBean(CseProperties.class)))
				.isEqualTo(deprecatedValue));
	}

	@ParameterizedTest(name = "{1}")
	@MethodSource("renamedKeys")
	void theKeyThatReplacesADeprecatedKeyWins(String deprecatedKey, String key, Function<CseProperties, Object> getter,
			Object deprecatedValue, Object value) {
		// The binder sets the properties of a group in an order of its own, not the order of
		// the keys: for some pairs it sets the replacement first, for others last
		this.contextRunner.withPropertyValues(deprecatedKey + "=" + text(deprecatedValue), key + "=" + text(value))
			.run((context) -> assertThat(getter.apply(context.getBean(CseProperties.class))).isEqualTo(value));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("renamedKeys")
	void aDeprecatedKeyIsDeprecatedInTheMetadataInFavourOfItsReplacement(String deprecatedKey, String key)
			throws Exception {
		Map<String, ConfigurationMetadataProperty> metadata = metadata();
		assertThat(metadata).containsKey(deprecatedKey);
		Deprecation deprecation = metadata.get(deprecatedKey).getDeprecation();
		assertThat(deprecation).isNotNull();
		assertThat(deprecation.getLevel()).isEqualTo(Deprecation.Level.WARNING);
		assertThat(deprecation.getReplacement()).isEqualTo(key);
		assertThat(metadata.get(key).isDeprecated()).isFalse();
		assertThat(metadata.get(key).getDescription()).isNotBlank();
	}

	@Test
	void theDeprecatedHeapTrimSwitchStillSwitchesTheTrimOff() {
		ApplicationContextRunner runner = new ApplicationContextRunner().withInitializer(CsePropertiesTests::renameProperties)
			.withConfiguration(AutoConfigurations.of(CseAutoConfiguration.class));
		runner.run((context) -> assertThat(context).hasSingleBean(HeapTrimmer.class));
		runner.withPropertyValues("cse.memory.trim-heap=false")
			.run((context) -> assertThat(context).doesNotHaveBean(HeapTrimmer.class));
		runner.withPropertyValues("cse.freeze.trim-heap=false")
			.run((context) -> assertThat(context).doesNotHaveBean(HeapTrimmer.class));
		runner.withPropertyValues("cse.memory.trim-heap=true", "cse.freeze.trim-heap=false")
			.run((context) -> assertThat(context).hasSingleBean(HeapTrimmer.class));
	}

	@Test
	void deprecatedKeysOfTheHeldRequestsReachTheTrafficGate() {
		new WebApplicationContextRunner().withInitializer(CsePropertiesTests::renameProperties)
			.withConfiguration(AutoConfigurations.of(CseAutoConfiguration.class))
			.withPropertyValues("cse.memory.trim-heap=false", "cse.freeze.retry-after=7s")
			.run((context) -> assertThat(context.getBean(HeldRequests.class).retryAfterSeconds()).isEqualTo("7"));
	}

	@Test
	@ExtendWith(OutputCaptureExtension.class)
	void anApplicationStartedWithADeprecatedKeyGetsItsValueUnderTheNewKey(CapturedOutput output) {
		// Spring Boot finds the post-processor through spring.factories, as in any service
		try (ConfigurableApplicationContext context = new SpringApplicationBuilder(PropertiesConfiguration.class)
			.web(WebApplicationType.NONE)
			.properties("cse.freeze.retry-after=7s", "spring.main.banner-mode=off")
			.run()) {
			assertThat(context.getBean(CseProperties.class).getTraffic().getRetryAfter())
				.isEqualTo(Duration.ofSeconds(7));
			assertThat(context.getEnvironment().getProperty("cse.traffic.retry-after")).isEqualTo("7s");
		}
		assertThat(output).contains("cse.freeze.retry-after is deprecated and will be removed in the next release: "
				+ "use cse.traffic.retry-after instead");
	}

	@Test
	void renamedKeysAreTheDeprecatedKeysOfTheMetadata() throws Exception {
		Map<String, String> deprecated = new TreeMap<>();
		metadata().values()
			.stream()
			.filter((property) -> property.isDeprecated() && property.getId().startsWith("cse."))
			.forEach((property) -> deprecated.put(property.getId(), property.getDeprecation().getReplacement()));
		assertThat(deprecated).isEqualTo(new TreeMap<>(RenamedPropertiesEnvironmentPostProcessor.renamed()));
	}

	static void renameProperties(ConfigurableApplicationContext context) {
		new RenamedPropertiesEnvironmentPostProcessor((destination) -> destination.get())
			.postProcessEnvironment(context.getEnvironment(), new SpringApplication());
	}

	private static String text(Object value) {
		if (value instanceof Duration duration) {
			return duration.toMillis() + "ms";
		}
		return (value instanceof Enum<?> constant) ? constant.name().toLowerCase(Locale.ROOT) : String.valueOf(value);
	}

	/**
	 * The metadata the configuration processor wrote next to {@link CseProperties}, not
	 * the first of the class path's.
	 */
	private static Map<String, ConfigurationMetadataProperty> metadata() throws Exception {
		Path classes = Path.of(CseProperties.class.getProtectionDomain().getCodeSource().getLocation().toURI());
		try (InputStream json = Files.newInputStream(classes.resolve("META-INF/spring-configuration-metadata.json"))) {
			return ConfigurationMetadataRepositoryJsonBuilder.create(json).build().getAllProperties();
		}
	}

	@Configuration(proxyBeanMethods = false)
	@EnableConfigurationProperties(CseProperties.class)
	static class PropertiesConfiguration {

	}

}
