package io.cse.autoconfigure;

import java.util.List;
import java.util.UUID;

import io.cse.CheckpointCoordinator;
import io.cse.ParticipantStatus;
import io.cse.autoconfigure.CseProperties.ServerlessReady.HazardCheck.FailOn;
import io.cse.endpoint.CseEndpoint;
import io.cse.endpoint.HazardCheckDescriptor;
import io.cse.ready.BeforeCheckpoint;
import io.cse.ready.ServerlessReady;
import io.cse.ready.ServerlessReadyBeans;
import io.cse.ready.ServerlessReadyMisuseException;
import io.cse.ready.ServerlessReadyParticipant;
import io.cse.ready.UniquenessHazard.Severity;
import io.cse.ready.UniquenessHazardException;
import io.cse.ready.UniquenessHazardInspector;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.convert.ApplicationConversionService;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link CseServerlessReadyAutoConfiguration}.
 */
class CseServerlessReadyAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withInitializer((context) -> context.getEnvironment().setConversionService(new ApplicationConversionService()))
		.withConfiguration(AutoConfigurations.of(CseAutoConfiguration.class, CseServerlessReadyAutoConfiguration.class,
				CseEndpointAutoConfiguration.class));

	@Test
	void createsTheParticipantAndTheCheckByDefault() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).hasSingleBean(ServerlessReadyBeans.class);
			assertThat(context).hasSingleBean(ServerlessReadyParticipant.class);
			assertThat(participantNames(context)).contains("serverless-ready");
		});
	}

	@Test
	void switchOffRemovesTheParticipantAndTheCheck() {
		this.contextRunner.withPropertyValues("cse.serverless-ready.enabled=false")
			.withBean("hazardous", Hazardous.class)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context).doesNotHaveBean(ServerlessReadyBeans.class);
				assertThat(context).doesNotHaveBean(ServerlessReadyParticipant.class);
				assertThat(context).hasSingleBean(CheckpointCoordinator.class);
				assertThat(participantNames(context)).doesNotContain("serverless-ready");
			});
	}

	@Test
	void switchOffAlsoLeavesMisusedBeansAlone() {
		this.contextRunner.withPropertyValues("cse.serverless-ready.enabled=false")
			.withBean("misused", Misused.class)
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void masterSwitchOffRemovesTheParticipantAndTheCheck() {
		this.contextRunner.withPropertyValues("cse.enabled=false").withBean("misused", Misused.class).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).doesNotHaveBean(ServerlessReadyBeans.class);
			assertThat(context).doesNotHaveBean(ServerlessReadyParticipant.class);
		});
	}

	@Test
	void userBeansWin() {
		this.contextRunner.withUserConfiguration(UserConfiguration.class).run((context) -> {
			assertThat(context).hasSingleBean(ServerlessReadyBeans.class);
			assertThat(context).hasSingleBean(ServerlessReadyParticipant.class);
			assertThat(context).hasBean("userServerlessReadyBeans");
			assertThat(context).hasBean("userServerlessReadyParticipant");
			assertThat(participantNames(context)).containsOnlyOnce("serverless-ready");
		});
	}

	@Test
	void misuseStopsTheStartUp() {
		this.contextRunner.withBean("misused", Misused.class).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).isInstanceOf(ServerlessReadyMisuseException.class)
				.hasMessageContaining("bean 'misused'")
				.hasMessageContaining("remove 'static' from close()");
		});
	}

	@Test
	void hazardsAreReportedWithoutStoppingTheStartUpByDefault() {
		this.contextRunner.withBean("hazardous", Hazardous.class).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context.getBean(ServerlessReadyBeans.class).getReport().hazards()).hasSize(1);
		});
	}

	@Test
	void failOnErrorStopsTheStartUpOnAnErrorFinding() {
		this.contextRunner.withPropertyValues("cse.serverless-ready.hazard-check.fail-on=error")
			.withBean("hazardous", Hazardous.class)
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).isInstanceOf(UniquenessHazardException.class)
					.hasMessageStartingWith("1 uniqueness hazard(s) stop the start-up "
							+ "(cse.serverless-ready.hazard-check.fail-on=error):")
					.hasMessageContaining("ERROR bean 'hazardous': static field " + Hazardous.class.getName()
							+ ".INSTANCE (java.util.UUID)");
				UniquenessHazardException failure = (UniquenessHazardException) context.getStartupFailure();
				assertThat(failure.getFailOn()).isEqualTo(Severity.ERROR);
				assertThat(failure.getHazards()).singleElement()
					.satisfies((hazard) -> assertThat(hazard.field()).isEqualTo("INSTANCE"));
			});
	}

	@Test
	void theDeprecatedFailOnKeyStillStopsTheStartUp() {
		// A service renames the key on start (RenamedPropertiesEnvironmentPostProcessor)
		this.contextRunner.withInitializer(CsePropertiesTests::renameProperties)
			.withPropertyValues("cse.readiness.fail-on=error")
			.withBean("hazardous", Hazardous.class)
			.run((context) -> assertThat(context.getStartupFailure()).isInstanceOf(UniquenessHazardException.class)
				.hasMessageStartingWith(
						"1 uniqueness hazard(s) stop the start-up (cse.serverless-ready.hazard-check.fail-on=error):"));
	}

	@Test
	void failOnErrorLetsWarningsThrough() {
		this.contextRunner.withPropertyValues("cse.serverless-ready.hazard-check.fail-on=error")
			.withBean("suspicious", Suspicious.class)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(ServerlessReadyBeans.class).getReport().highestSeverity())
					.isEqualTo(Severity.WARN);
			});
	}

	@Test
	void failOnWarnStopsTheStartUpOnAWarning() {
		this.contextRunner.withPropertyValues("cse.serverless-ready.hazard-check.fail-on=warn")
			.withBean("suspicious", Suspicious.class)
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).isInstanceOf(UniquenessHazardException.class)
					.hasMessageContaining("WARN bean 'suspicious': field " + Suspicious.class.getName() + ".workerId");
			});
	}

	@Test
	void failOnIsBound() {
		this.contextRunner
			.withPropertyValues("cse.serverless-ready.hazard-check.fail-on=warn", "cse.serverless-ready.enabled=true")
			.run((context) -> {
				CseProperties properties = context.getBean(CseProperties.class);
				assertThat(properties.getServerlessReady().getHazardCheck().getFailOn()).isEqualTo(FailOn.WARN);
				assertThat(properties.getServerlessReady().isEnabled()).isTrue();
			});
	}

	@Test
	void endpointReportsTheCheck() {
		this.contextRunner
			.withPropertyValues("management.endpoint.cse.access=unrestricted",
					"management.endpoints.web.exposure.include=cse")
			.withBean("hazardous", Hazardous.class)
			.run((context) -> {
				Object hazardCheck = context.getBean(CseEndpoint.class).section("hazardCheck").getBody();
				assertThat(hazardCheck).isInstanceOfSatisfying(HazardCheckDescriptor.class, (descriptor) -> {
					assertThat(descriptor.getStatus()).isEqualTo("ERROR");
					assertThat(descriptor.getHazards()).singleElement()
						.satisfies((hazard) -> assertThat(hazard.getField()).isEqualTo("INSTANCE"));
				});
			});
	}

	private static List<String> participantNames(ApplicationContext context) {
		return context.getBean(CheckpointCoordinator.class)
			.getParticipants()
			.stream()
			.map(ParticipantStatus::name)
			.toList();
	}

	@ServerlessReady
	static class Hazardous {

		private static final UUID INSTANCE = UUID.randomUUID();

	}

	@ServerlessReady
	static class Suspicious {

		private final int workerId = 7;

	}

	@ServerlessReady
	static class Misused {

		@BeforeCheckpoint
		static void close() {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UserConfiguration {

		@Bean
		ServerlessReadyBeans userServerlessReadyBeans(ConfigurableListableBeanFactory beanFactory) {
			return new ServerlessReadyBeans(beanFactory, new UniquenessHazardInspector(), null);
		}

		@Bean
		ServerlessReadyParticipant userServerlessReadyParticipant(ServerlessReadyBeans beans) {
			return new ServerlessReadyParticipant(beans);
		}

	}

}
