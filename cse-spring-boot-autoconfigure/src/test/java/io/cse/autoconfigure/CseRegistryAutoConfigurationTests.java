package io.cse.autoconfigure;

import java.util.List;

import io.cse.CheckpointCoordinator;
import io.cse.ParticipantStatus;
import io.cse.CheckpointParticipant;
import io.cse.registry.CloneAddressResolver;
import io.cse.registry.RegistrationRenewer;
import io.cse.registry.ServiceRegistryParticipant;
import io.cse.registry.ZookeeperRegistrationRenewer;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cloud.client.serviceregistry.Registration;
import org.springframework.cloud.client.serviceregistry.ServiceRegistry;
import org.springframework.cloud.zookeeper.serviceregistry.ServiceInstanceRegistration;
import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link CseRegistryAutoConfiguration}.
 */
class CseRegistryAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(CseAutoConfiguration.class, CseRegistryAutoConfiguration.class));

	@Test
	void createsTheParticipantAndTheZookeeperRenewerByDefault() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).hasSingleBean(ServiceRegistryParticipant.class);
			assertThat(context).hasSingleBean(ZookeeperRegistrationRenewer.class);
			assertThat(participant(context, "registry").order()).isEqualTo(CheckpointParticipant.REGISTRY_ORDER);
		});
	}

	@Test
	void switchOffRemovesTheParticipantAndTheRenewer() {
		this.contextRunner.withPropertyValues("cse.registry.enabled=false").run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).doesNotHaveBean(ServiceRegistryParticipant.class);
			assertThat(context).doesNotHaveBean(RegistrationRenewer.class);
			assertThat(context).hasSingleBean(CheckpointCoordinator.class);
			assertThat(participantNames(context)).doesNotContain("registry");
		});
	}

	@Test
	void masterSwitchOffRemovesTheParticipant() {
		this.contextRunner.withPropertyValues("cse.enabled=false").run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).doesNotHaveBean(ServiceRegistryParticipant.class);
			assertThat(context).doesNotHaveBean(RegistrationRenewer.class);
		});
	}

	@Test
	void withoutSpringCloudCommonsThereIsNoParticipant() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(ServiceRegistry.class, ServiceInstanceRegistration.class))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context).doesNotHaveBean(ServiceRegistryParticipant.class);
				assertThat(context).doesNotHaveBean(RegistrationRenewer.class);
				assertThat(participantNames(context)).doesNotContain("registry");
			});
	}

	@Test
	void withoutSpringCloudZookeeperThereIsNoZookeeperRenewer() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(ServiceInstanceRegistration.class))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context).hasSingleBean(ServiceRegistryParticipant.class);
				assertThat(context).doesNotHaveBean(ZookeeperRegistrationRenewer.class);
			});
	}

	@Test
	void userParticipantWins() {
		ServiceRegistryParticipant own = new ServiceRegistryParticipant(List::of, List.of(), () -> "10.0.0.1");
		this.contextRunner.withBean("ownRegistryParticipant", ServiceRegistryParticipant.class, () -> own)
			.run((context) -> {
				assertThat(context).hasSingleBean(ServiceRegistryParticipant.class);
				assertThat(context.getBean(ServiceRegistryParticipant.class)).isSameAs(own);
			});
	}

	@Test
	void userZookeeperRenewerWinsAndOtherRenewersAreAdded() {
		ZookeeperRegistrationRenewer own = new ZookeeperRegistrationRenewer(() -> null, List::of);
		this.contextRunner.withBean("ownZookeeperRenewer", ZookeeperRegistrationRenewer.class, () -> own)
			.withBean("consulRenewer", RegistrationRenewer.class, OtherRenewer::new)
			.withBean("cloneAddressResolver", CloneAddressResolver.class, () -> () -> "10.0.0.1")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(ZookeeperRegistrationRenewer.class)).isSameAs(own);
				assertThat(context.getBeansOfType(RegistrationRenewer.class)).hasSize(2);
				assertThat(context).hasSingleBean(ServiceRegistryParticipant.class);
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
		return context.getBean(CheckpointCoordinator.class).getParticipants().stream().map(ParticipantStatus::name)
			.toList();
	}

	static class OtherRenewer implements RegistrationRenewer {

		@Override
		public boolean supports(Registration registration) {
			return false;
		}

		@Override
		public void renew(Registration registration, RenewedInstance instance) {
		}

	}

}
