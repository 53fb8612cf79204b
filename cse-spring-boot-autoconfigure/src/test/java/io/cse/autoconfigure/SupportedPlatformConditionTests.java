package io.cse.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.convert.ApplicationConversionService;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableWebApplicationContext;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.annotation.AnnotatedElementUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link SupportedPlatformCondition}. An unsupported Java is simulated through
 * the system property the condition reads ({@code java.specification.version}, "1.8" on
 * Java 8); another Spring Boot cannot be simulated here (its version is a constant of its
 * jar): the compatibility suite (compat/) starts a real service of every line for that.
 */
@ExtendWith(OutputCaptureExtension.class)
class SupportedPlatformConditionTests {

	private static final String IMPORTS = "META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports";

	private static final String INACTIVE = "CSE is inactive";

	// Dubbo hidden: its support runs on Spring Boot 3.5 only, these tests on both lines.
	private final WebApplicationContextRunner contextRunner = new WebApplicationContextRunner()
		.withClassLoader(new FilteredClassLoader("org.apache.dubbo"))
		.withInitializer((context) -> context.getEnvironment().setConversionService(new ApplicationConversionService()))
		.withConfiguration(AutoConfigurations.of(starterAutoConfigurations()))
		.withPropertyValues("management.endpoint.cse.access=unrestricted", "management.endpoints.web.exposure.include=cse");

	@BeforeEach
	@AfterEach
	void forgetReported() {
		SupportedPlatformCondition.forgetReported();
	}

	@Test
	void everyClassOfTheStarterLoadsOnJava8AndSpringBoot27() throws Exception {
		// Spring Boot 2.7 services run on Java 8: the build must compile the starter for it.
		Path classes = Paths.get(SupportedPlatformCondition.class.getProtectionDomain().getCodeSource().getLocation().toURI());
		List<Path> classFiles;
		try (Stream<Path> files = Files.walk(classes.resolve("io/cse"))) {
			classFiles = files.filter((file) -> file.toString().endsWith(".class")).toList();
		}
		assertThat(classFiles).hasSizeGreaterThan(50);
		for (Path classFile : classFiles) {
			byte[] bytes = Files.readAllBytes(classFile);
			// What `javap -v` shows as "major version": bytes 6 and 7 of the class file.
			int major = ((bytes[6] & 0xff) << 8) | (bytes[7] & 0xff);
			assertThat(major).as("class file major version of %s (52 = Java 8)", classFile).isEqualTo(52);
			// A repeated @ConditionalOnProperty is stored in its container annotation, which
			// Spring Boot 2.7 lacks: it would drop the conditions without a word.
			assertThat(new String(bytes, StandardCharsets.ISO_8859_1)).as("%s", classFile)
				.doesNotContain("org/springframework/boot/autoconfigure/condition/ConditionalOnProperties");
		}
	}

	@Test
	void everyAutoConfigurationOfTheStarterCarriesTheCondition() {
		for (Class<?> autoConfiguration : starterAutoConfigurations()) {
			assertThat(AnnotatedElementUtils.findAllMergedAnnotations(autoConfiguration, Conditional.class))
				.as(autoConfiguration.getName())
				.anyMatch((conditional) -> Arrays.asList(conditional.value()).contains(SupportedPlatformCondition.class));
		}
	}

	@Test
	void onThisJavaAndSpringBootTheStarterIsActiveAndSilent(CapturedOutput output) {
		this.contextRunner.run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(starterBeans(context)).contains("cseCheckpointCoordinator", "cseEndpoint");
		});
		assertThat(output).doesNotContain(INACTIVE);
	}

	@Test
	void onJava8NoBeanIsCreatedAndOneLineSaysWhy(CapturedOutput output) {
		simulateJava("1.8", () -> {
			this.contextRunner.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(starterBeans(context)).isEmpty();
			});
			// A second application in the same JVM: still one line in all.
			this.contextRunner.run((context) -> assertThat(starterBeans(context)).isEmpty());
		});
		List<String> lines = output.getOut().lines().filter((line) -> line.contains(INACTIVE)).toList();
		assertThat(lines).hasSize(1);
		assertThat(lines.get(0)).contains("WARN")
			.contains("on Java 1.8")
			.contains("it supports Spring Boot 2.7 on Java 8 or later, 3.0 to 4.0 on Java 17 or later")
			.contains("move the service to one of those lines");
	}

	@Test
	void switchedOffTheStarterSaysNothingEvenWhereItIsUnsupported(CapturedOutput output) {
		simulateJava("1.8", () -> this.contextRunner.withPropertyValues("cse.enabled=false")
			.run((context) -> assertThat(starterBeans(context)).isEmpty()));
		assertThat(output).doesNotContain(INACTIVE);
	}

	@Test
	void supportsSpringBoot27OnJava8AndLater() {
		assertThat(SupportedPlatformCondition.unsupported("1.8", "2.7.18", () -> false)).isNull();
		assertThat(SupportedPlatformCondition.unsupported("11", "2.7.0", () -> false)).isNull();
		assertThat(SupportedPlatformCondition.unsupported("17", "2.7.18", () -> false)).isNull();
		assertThat(SupportedPlatformCondition.unsupported("25", "2.7.18", () -> false)).isNull();
	}

	@Test
	void supportsEverySpringBoot3LineAnd40OnJava17AndLater() {
		for (String version : new String[] { "3.0.13", "3.1.12", "3.2.12", "3.3.13", "3.4.12" }) {
			assertThat(SupportedPlatformCondition.unsupported("17", version, () -> true)).as(version).isNull();
		}
		assertThat(SupportedPlatformCondition.unsupported("17", "3.5.7", () -> false)).isNull();
		assertThat(SupportedPlatformCondition.unsupported("21", "3.5.0", () -> false)).isNull();
		assertThat(SupportedPlatformCondition.unsupported("25", "4.0.7", () -> false)).isNull();
		assertThat(SupportedPlatformCondition.unsupported("17", "4.0.0-SNAPSHOT", () -> false)).isNull();
	}

	@Test
	void stepsAsideFromOtherSpringBootLinesAndOlderJava() {
		assertThat(SupportedPlatformCondition.unsupported("1.8", "2.6.15", () -> false))
			.startsWith(INACTIVE)
			.contains("this service runs Spring Boot 2.6.15 on Java 1.8");
		assertThat(SupportedPlatformCondition.unsupported("17", "2.6.15", () -> false)).contains("Spring Boot 2.6.15");
		assertThat(SupportedPlatformCondition.unsupported("11", "3.0.13", () -> true)).contains("on Java 11");
		assertThat(SupportedPlatformCondition.unsupported("21", "4.1.0", () -> true)).contains("Spring Boot 4.1.0");
		assertThat(SupportedPlatformCondition.unsupported("11", "3.5.7", () -> true)).contains("on Java 11");
		assertThat(SupportedPlatformCondition.unsupported("1.8", "4.0.7", () -> true)).contains("on Java 1.8");
		assertThat(SupportedPlatformCondition.unsupported(null, "3.5.7", () -> true)).isNotNull();
		assertThat(SupportedPlatformCondition.unsupported(null, "2.7.18", () -> false)).isNotNull();
	}

	@Test
	void withoutAVersionTheSpringBootLineIsToldByItsClasses() {
		assertThat(SupportedPlatformCondition.unsupported("17", null, () -> true)).isNull();
		assertThat(SupportedPlatformCondition.unsupported("17", "custom-build", () -> true)).isNull();
		assertThat(SupportedPlatformCondition.unsupported("17", null, () -> false))
			.contains("Spring Boot of unknown version (its jar names none) older than 3.0");
		assertThat(SupportedPlatformCondition.unsupported("1.8", null, () -> true)).contains("on Java 1.8");
	}

	@Test
	void theClassThatTellsSpringBoot3IsThereOnThisLine() throws ClassNotFoundException {
		assertThat(Class.forName(SupportedPlatformCondition.BOOT_3_CLASS)).isNotNull();
	}

	@Test
	void readsJavaVersions() {
		assertThat(SupportedPlatformCondition.javaFeature("1.8")).isEqualTo(8);
		assertThat(SupportedPlatformCondition.javaFeature("17")).isEqualTo(17);
		assertThat(SupportedPlatformCondition.javaFeature("25")).isEqualTo(25);
		assertThat(SupportedPlatformCondition.javaFeature("")).isZero();
		assertThat(SupportedPlatformCondition.javaFeature(null)).isZero();
	}

	private static List<String> starterBeans(AssertableWebApplicationContext context) {
		return Arrays.stream(context.getBeanDefinitionNames())
			.filter((name) -> context.getType(name) != null && context.getType(name).getName().startsWith("io.cse."))
			.toList();
	}

	/** Runs the action with {@code java.specification.version} as on another Java. */
	private void simulateJava(String version, Runnable action) {
		String real = System.getProperty("java.specification.version");
		System.setProperty("java.specification.version", version);
		try {
			action.run();
		}
		finally {
			System.setProperty("java.specification.version", real);
		}
	}

	/** The starter's auto-configurations, as Spring Boot reads them from its imports file. */
	private static Class<?>[] starterAutoConfigurations() {
		try {
			List<String> names = new ArrayList<>();
			for (URL file : Collections.list(SupportedPlatformConditionTests.class.getClassLoader().getResources(IMPORTS))) {
				try (InputStream in = file.openStream()) {
					Arrays.stream(new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\\s+"))
						.filter((name) -> name.startsWith("io.cse."))
						.forEach(names::add);
				}
			}
			assertThat(names).as("auto-configurations in " + IMPORTS).isNotEmpty();
			List<Class<?>> classes = new ArrayList<>();
			for (String name : names) {
				classes.add(Class.forName(name));
			}
			return classes.toArray(Class<?>[]::new);
		}
		catch (IOException | ClassNotFoundException ex) {
			throw new IllegalStateException("Cannot read the auto-configurations in " + IMPORTS, ex);
		}
	}

}
