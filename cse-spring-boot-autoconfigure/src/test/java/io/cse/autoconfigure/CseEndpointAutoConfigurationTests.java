package io.cse.autoconfigure;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import io.cse.CheckpointCoordinator;
import io.cse.endpoint.CseEndpoint;
import io.cse.endpoint.CseEndpointWebExtension;
import io.cse.endpoint.ReactiveCseEndpointWebExtension;
import io.cse.snapshot.ImageAttachment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.convert.ApplicationConversionService;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link CseEndpointAutoConfiguration}.
 */
class CseEndpointAutoConfigurationTests {

	private static final String ACCESS = "management.endpoint.cse.access=unrestricted";

	private static final String EXPOSURE = "management.endpoints.web.exposure.include=cse";

	// SpringApplication converts enum values leniently ("unrestricted"); a bare context
	// does not, so give it the same conversion service to test what users write.
	private static final ApplicationContextInitializer<ConfigurableApplicationContext> CONVERSION_SERVICE = (
			context) -> context.getEnvironment().setConversionService(new ApplicationConversionService());

	private static final AutoConfigurations AUTO_CONFIGURATIONS = AutoConfigurations.of(CseAutoConfiguration.class,
			CseEndpointAutoConfiguration.class);

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withInitializer(CONVERSION_SERVICE)
		.withConfiguration(AUTO_CONFIGURATIONS);

	@Test
	void endpointIsAbsentByDefault() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(CheckpointCoordinator.class);
			assertThat(context).doesNotHaveBean(CseEndpoint.class);
		});
	}

	@Test
	void endpointIsAbsentWhenExposedWithoutAccess() {
		this.contextRunner.withPropertyValues(EXPOSURE)
			.run((context) -> assertThat(context).doesNotHaveBean(CseEndpoint.class));
	}

	@Test
	void endpointIsAbsentWhenAccessibleButNotExposed() {
		this.contextRunner.withPropertyValues(ACCESS)
			.run((context) -> assertThat(context).doesNotHaveBean(CseEndpoint.class));
	}

	@Test
	void endpointIsAbsentWhenAccessIsCappedBelowItsOwn() {
		this.contextRunner.withPropertyValues(ACCESS, EXPOSURE, "management.endpoints.access.max-permitted=none")
			.run((context) -> assertThat(context).doesNotHaveBean(CseEndpoint.class));
	}

	@Test
	void endpointIsPresentWhenOptedIn() {
		this.contextRunner.withPropertyValues(ACCESS, EXPOSURE).run((context) -> {
			assertThat(context).hasSingleBean(CseEndpoint.class);
			assertThat(context.getBean(CseEndpoint.class).status().getState()).isEqualTo("RUNNING");
		});
	}

	// Spring Boot before 3.4 has no Access API: a class loader without it stands for those
	// lines in the condition (the real lines run in the compatibility suite, compat/).

	@Test
	void withoutTheAccessApiTheEndpointIsAbsentUntilEnabled() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(EndpointOptInCondition.ACCESS_CLASS))
			.withPropertyValues(ACCESS, EXPOSURE)
			.run((context) -> assertThat(context).doesNotHaveBean(CseEndpoint.class));
	}

	@Test
	void withoutTheAccessApiTheOptInIsTheEnabledSwitch() {
		ApplicationContextRunner runner = new ApplicationContextRunner()
			.withClassLoader(new FilteredClassLoader(EndpointOptInCondition.ACCESS_CLASS))
			.withUserConfiguration(OptedInConfiguration.class);
		runner.run((context) -> assertThat(context).doesNotHaveBean("optedIn"));
		runner.withPropertyValues("management.endpoint.cse.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean("optedIn"));
		runner.withPropertyValues("management.endpoint.cse.enabled=true")
			.run((context) -> assertThat(context).hasBean("optedIn"));
	}

	@Test
	void withTheAccessApiTheEnabledSwitchIsNotNeeded() {
		this.contextRunner.withPropertyValues(ACCESS, EXPOSURE)
			.run((context) -> assertThat(context).hasSingleBean(CseEndpoint.class));
		new ApplicationContextRunner().withUserConfiguration(OptedInConfiguration.class)
			.run((context) -> assertThat(context).hasBean("optedIn"));
	}

	@Test
	void endpointHasNoWebExtensionOutsideAWebApplication() {
		this.contextRunner.withPropertyValues(ACCESS, EXPOSURE).run((context) -> {
			assertThat(context).hasSingleBean(CseEndpoint.class);
			assertThat(context).doesNotHaveBean(CseEndpointWebExtension.class);
			assertThat(context).doesNotHaveBean(ReactiveCseEndpointWebExtension.class);
		});
	}

	@Test
	void servletWebApplicationHasTheServletWebExtension() {
		new WebApplicationContextRunner().withInitializer(CONVERSION_SERVICE)
			.withConfiguration(AUTO_CONFIGURATIONS)
			.withPropertyValues(ACCESS, EXPOSURE)
			.run((context) -> {
				assertThat(context).hasSingleBean(CseEndpointWebExtension.class);
				assertThat(context).doesNotHaveBean(ReactiveCseEndpointWebExtension.class);
			});
	}

	@Test
	void reactiveWebApplicationHasTheReactiveWebExtension() {
		new ReactiveWebApplicationContextRunner().withInitializer(CONVERSION_SERVICE)
			.withConfiguration(AUTO_CONFIGURATIONS)
			.withPropertyValues(ACCESS, EXPOSURE)
			.run((context) -> {
				assertThat(context).hasSingleBean(ReactiveCseEndpointWebExtension.class);
				assertThat(context).doesNotHaveBean(CseEndpointWebExtension.class);
			});
	}

	@Test
	void userWebExtensionWins() {
		new WebApplicationContextRunner().withInitializer(CONVERSION_SERVICE)
			.withConfiguration(AUTO_CONFIGURATIONS)
			.withPropertyValues(ACCESS, EXPOSURE)
			.withBean("userWebExtension", CseEndpointWebExtension.class)
			.run((context) -> {
				assertThat(context).hasSingleBean(CseEndpointWebExtension.class);
				assertThat(context).hasBean("userWebExtension");
			});
	}

	@Test
	void webExtensionIsAbsentWithTheEndpoint() {
		new WebApplicationContextRunner().withInitializer(CONVERSION_SERVICE)
			.withConfiguration(AUTO_CONFIGURATIONS)
			.withPropertyValues(EXPOSURE)
			.run((context) -> assertThat(context).doesNotHaveBean(CseEndpointWebExtension.class));
	}

	@Test
	void endpointIsPresentWhenReadOnlyAccessIsGranted() {
		this.contextRunner.withPropertyValues("management.endpoint.cse.access=read-only", EXPOSURE)
			.run((context) -> assertThat(context).hasSingleBean(CseEndpoint.class));
	}

	@Test
	void endpointIsAbsentWhenTheStarterIsDisabled() {
		this.contextRunner.withPropertyValues(ACCESS, EXPOSURE, "cse.enabled=false").run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).doesNotHaveBean(CheckpointCoordinator.class);
			assertThat(context).doesNotHaveBean(CseEndpoint.class);
		});
	}

	@Test
	void endpointIsAbsentWithoutActuator() {
		this.contextRunner.withPropertyValues(ACCESS, EXPOSURE)
			.withClassLoader(new FilteredClassLoader(ConditionalOnAvailableEndpoint.class))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context).hasSingleBean(CheckpointCoordinator.class);
				assertThat(context).doesNotHaveBean(CseEndpoint.class);
			});
	}

	@Test
	void privateTokenFileIsAccepted(@TempDir Path folder) throws IOException {
		Path token = tokenFile(folder, "rw-------", "a-token-of-enough-length");
		servletRunnerWithToken(token).run((context) -> {
			assertThat(context).hasNotFailed().hasSingleBean(CseEndpointWebExtension.class);
			// Every image carries the token for the agent that restores it
			ImageAttachment attachment = context.getBean(ImageAttachment.class);
			assertThat(attachment.fileName()).isEqualTo("endpoint-token");
			assertThat(new String(attachment.content(), StandardCharsets.US_ASCII))
				.isEqualTo("a-token-of-enough-length\n");
		});
	}

	@Test
	void withoutATokenFileImagesCarryNoToken() {
		new WebApplicationContextRunner().withInitializer(CONVERSION_SERVICE)
			.withConfiguration(AUTO_CONFIGURATIONS)
			.withPropertyValues(ACCESS, EXPOSURE)
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(ImageAttachment.class));
	}

	@Test
	void tokenFileThatOthersCanReadStopsTheApplication(@TempDir Path folder) throws IOException {
		Path token = tokenFile(folder, "rw-r--r--", "a-token-of-enough-length");
		servletRunnerWithToken(token).run((context) -> assertThat(context).hasFailed()
			.getFailure()
			.rootCause()
			.hasMessageContaining("cse.endpoint.token-file")
			.hasMessageContaining("chmod 600 " + token));
	}

	@Test
	void tokenFileThatIsALinkStopsTheApplication(@TempDir Path folder) throws IOException {
		Path token = tokenFile(folder, "rw-------", "a-token-of-enough-length");
		Path link = Files.createSymbolicLink(folder.resolve("link"), token);
		servletRunnerWithToken(link).run((context) -> assertThat(context).hasFailed()
			.getFailure()
			.rootCause()
			.hasMessageContaining(link + " (cse.endpoint.token-file) is not a regular file"));
	}

	@Test
	void missingTokenFileStopsTheApplication(@TempDir Path folder) {
		Path token = folder.resolve("absent");
		servletRunnerWithToken(token).run((context) -> assertThat(context).hasFailed()
			.getFailure()
			.rootCause()
			.hasMessageContaining(token + " (cse.endpoint.token-file) cannot be read"));
	}

	@Test
	void shortTokenStopsTheApplication(@TempDir Path folder) throws IOException {
		Path token = tokenFile(folder, "rw-------", "short\n");
		servletRunnerWithToken(token).run((context) -> assertThat(context).hasFailed()
			.getFailure()
			.rootCause()
			.hasMessageContaining("holds 5 characters: write a token of at least 16"));
	}

	@Test
	void tokenFileIsReadByTheReactiveExtensionToo(@TempDir Path folder) {
		Path token = folder.resolve("absent");
		new ReactiveWebApplicationContextRunner().withInitializer(CONVERSION_SERVICE)
			.withConfiguration(AUTO_CONFIGURATIONS)
			.withPropertyValues(ACCESS, EXPOSURE, "cse.endpoint.token-file=" + token)
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("cse.endpoint.token-file"));
	}

	private static WebApplicationContextRunner servletRunnerWithToken(Path token) {
		return new WebApplicationContextRunner().withInitializer(CONVERSION_SERVICE)
			.withConfiguration(AUTO_CONFIGURATIONS)
			.withPropertyValues(ACCESS, EXPOSURE, "cse.endpoint.token-file=" + token);
	}

	private static Path tokenFile(Path folder, String mode, String token) throws IOException {
		Path file = folder.resolve("endpoint-token");
		Files.writeString(file, token);
		Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
		return file;
	}

	@Test
	void overridablePropertiesThatCoverTheServerFailTheStartWithTheEntryAndWhy() {
		this.contextRunner.withPropertyValues(ACCESS, EXPOSURE, "cse.clone.overridable-properties=app.region,server.*")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessage("cse.clone.overridable-properties cannot list 'server.*': a thaw can never set "
						+ "server.port (the port and address of the server and of the management server, the "
						+ "actuator's base path, path mappings and health endpoint, and cse.* are fixed at "
						+ "start-up). Remove it, or list only the properties a thaw may set"));
	}

	@Test
	void overridablePropertiesThatNameACsePropertyFailTheStart() {
		this.contextRunner.withPropertyValues(ACCESS, EXPOSURE, "cse.clone.overridable-properties=cse.enabled")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageStartingWith("cse.clone.overridable-properties cannot list 'cse.enabled': a thaw can never "
						+ "set cse.*"));
	}

	@Test
	void overridablePropertiesThatCoverTheManagementEndpointsFailTheStart() {
		this.contextRunner.withPropertyValues(ACCESS, EXPOSURE, "cse.clone.overridable-properties=management.*")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageStartingWith("cse.clone.overridable-properties cannot list 'management.*': a thaw can "
						+ "never set management.server.port"));
	}

	@Test
	void overridablePropertiesWithAWildcardFailTheStart() {
		this.contextRunner.withPropertyValues(ACCESS, EXPOSURE, "cse.clone.overridable-properties=*")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessage("cse.clone.overridable-properties lists '*', which is neither a property name (for "
						+ "example app.region) nor a prefix that ends in .* (for example feature.*)"));
	}

	@Test
	void overridablePropertiesAreNoneByDefault() {
		this.contextRunner.withPropertyValues(ACCESS, EXPOSURE).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context.getBean(CseProperties.class).getClone().getOverridableProperties()).isEmpty();
		});
	}

	@Test
	void userEndpointWins() {
		this.contextRunner.withPropertyValues(ACCESS, EXPOSURE)
			.withUserConfiguration(UserEndpointConfiguration.class)
			.run((context) -> {
				assertThat(context).hasSingleBean(CseEndpoint.class);
				assertThat(context).hasBean("userEndpoint");
			});
	}

	@Configuration(proxyBeanMethods = false)
	static class UserEndpointConfiguration {

		@Bean
		CseEndpoint userEndpoint(CheckpointCoordinator coordinator) {
			return new CseEndpoint(coordinator, null);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@Conditional(EndpointOptInCondition.class)
	static class OptedInConfiguration {

		@Bean
		String optedIn() {
			return "opted in";
		}

	}

}
