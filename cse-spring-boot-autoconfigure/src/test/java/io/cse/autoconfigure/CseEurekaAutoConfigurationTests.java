package io.cse.autoconfigure;

import java.util.List;
import java.util.Map;

import io.cse.CheckpointCoordinator;
import io.cse.CheckpointParticipant;
import io.cse.ParticipantStatus;
import io.cse.registry.EurekaRegistrationParticipant;
import io.cse.registry.EurekaRegistrationRenewer;
import io.cse.registry.RegistrationRenewer;
import io.cse.registry.ServiceRegistryParticipant;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cloud.client.serviceregistry.AutoServiceRegistrationAutoConfiguration;
import org.springframework.cloud.client.serviceregistry.ServiceRegistryAutoConfiguration;
import org.springframework.cloud.commons.util.UtilAutoConfiguration;
import org.springframework.cloud.netflix.eureka.EurekaClientAutoConfiguration;
import org.springframework.cloud.netflix.eureka.config.DiscoveryClientOptionalArgsConfiguration;
import org.springframework.cloud.netflix.eureka.serviceregistry.EurekaAutoServiceRegistration;
import org.springframework.cloud.netflix.eureka.serviceregistry.EurekaRegistration;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link CseEurekaAutoConfiguration}, with Spring Cloud's own Eureka client
 * configuration (a client that neither registers nor fetches, so that no server is needed).
 */
class CseEurekaAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(UtilAutoConfiguration.class, ServiceRegistryAutoConfiguration.class,
				AutoServiceRegistrationAutoConfiguration.class, DiscoveryClientOptionalArgsConfiguration.class,
				EurekaClientAutoConfiguration.class,
				CseAutoConfiguration.class, CseRegistryAutoConfiguration.class, CseEurekaAutoConfiguration.class))
		.withPropertyValues("eureka.client.register-with-eureka=false", "eureka.client.fetch-registry=false");

	@Test
	void createsTheParticipantAndTheRenewerForEurekasAutoRegistration() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).hasSingleBean(EurekaAutoServiceRegistration.class);
			assertThat(context).hasSingleBean(EurekaRegistrationParticipant.class);
			assertThat(context).hasSingleBean(EurekaRegistrationRenewer.class);
			// Before the lifecycle participant, which would stop the auto-registration itself
			assertThat(participant(context, "eureka").order()).isLessThan(CheckpointParticipant.LIFECYCLE_ORDER);
			// The registry participant knows that a clone's Eureka registration is renewed
			assertThat(context.getBean(ServiceRegistryParticipant.class)).isNotNull();
			assertThat(context.getBean(EurekaRegistrationRenewer.class)
				.supports(context.getBean(EurekaRegistration.class))).isTrue();
		});
	}

	@Test
	void aClientThatDoesNotRegisterIsNotTakenOutOrPutBack() {
		// With a port, the auto-registration runs: it sets the client's status, and no more
		this.contextRunner.withPropertyValues("server.port=8080").run((context) -> {
			EurekaRegistration registration = context.getBean(EurekaRegistration.class);
			assertThat(context.getBean(EurekaAutoServiceRegistration.class).isRunning()).isTrue();
			assertThat(context.getBean(EurekaRegistrationRenewer.class).isRegistered(registration)).isFalse();
			CheckpointCoordinator coordinator = context.getBean(CheckpointCoordinator.class);
			assertThat(coordinator.freeze().outcome()).hasToString("SUCCESS");
			assertThat(context.getBean(EurekaRegistrationParticipant.class).isDeregistered()).isFalse();
			assertThat(coordinator.thaw(Map.of()).outcome()).hasToString("SUCCESS");
			assertThat(context.getBean(EurekaAutoServiceRegistration.class).isRunning()).isTrue();
		});
	}

	@Test
	void switchOffRemovesTheParticipantAndTheRenewer() {
		this.contextRunner.withPropertyValues("cse.eureka.enabled=false").run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).doesNotHaveBean(EurekaRegistrationParticipant.class);
			assertThat(context).doesNotHaveBean(EurekaRegistrationRenewer.class);
			assertThat(participantNames(context)).doesNotContain("eureka").contains("registry", "lifecycle");
		});
	}

	@Test
	void masterSwitchOffRemovesTheParticipant() {
		this.contextRunner.withPropertyValues("cse.enabled=false").run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).doesNotHaveBean(EurekaRegistrationParticipant.class);
			assertThat(context).doesNotHaveBean(RegistrationRenewer.class);
		});
	}

	@Test
	void withTheEurekaClientSwitchedOffThereIsNoParticipant() {
		this.contextRunner.withPropertyValues("eureka.client.enabled=false").run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).doesNotHaveBean(EurekaAutoServiceRegistration.class);
			assertThat(context).doesNotHaveBean(EurekaRegistrationParticipant.class);
			assertThat(participantNames(context)).doesNotContain("eureka");
		});
	}

	@Test
	void withoutTheEurekaClientThereIsNoParticipant() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(EurekaAutoServiceRegistration.class))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context).doesNotHaveBean(EurekaRegistrationParticipant.class);
				assertThat(context).doesNotHaveBean(EurekaRegistrationRenewer.class);
			});
	}

	@Test
	void userBeansWin() {
		this.contextRunner.withUserConfiguration(UserBeans.class).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).getBean(EurekaRegistrationParticipant.class).isSameAs(UserBeans.PARTICIPANT);
			assertThat(context).getBean(EurekaRegistrationRenewer.class).isSameAs(UserBeans.RENEWER);
		});
	}

	private static ParticipantStatus participant(ApplicationContext context, String name) {
		return context.getBean(CheckpointCoordinator.class)
			.getParticipants()
			.stream()
			.filter((participant) -> participant.name().equals(name))
			.findFirst()
			.orElseThrow();
	}

	private static List<String> participantNames(ApplicationContext context) {
		return context.getBean(CheckpointCoordinator.class).getParticipants().stream().map(ParticipantStatus::name).toList();
	}

	@Configuration(proxyBeanMethods = false)
	static class UserBeans {

		static final EurekaRegistrationRenewer RENEWER = new EurekaRegistrationRenewer();

		static final EurekaRegistrationParticipant PARTICIPANT = new EurekaRegistrationParticipant(() -> null,
				() -> null, RENEWER, () -> "192.0.2.9");

		@Bean
		EurekaRegistrationRenewer userRenewer() {
			return RENEWER;
		}

		@Bean
		EurekaRegistrationParticipant userParticipant() {
			return PARTICIPANT;
		}

	}

}
