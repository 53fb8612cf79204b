package io.cse.registry;

import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.cse.CheckpointContext;
import io.cse.CheckpointContext.Operation;
import io.cse.CheckpointContext.Resumption;
import io.cse.InstanceIdentity;
import io.cse.registry.ServiceRegistryParticipant.RegisteredService;
import org.junit.jupiter.api.Test;

import org.springframework.cloud.client.serviceregistry.Registration;
import org.springframework.cloud.client.serviceregistry.ServiceRegistry;
import org.springframework.cloud.commons.util.InetUtils;
import org.springframework.cloud.commons.util.InetUtilsProperties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Tests for {@link ServiceRegistryParticipant}.
 */
class ServiceRegistryParticipantTests {

	private final InstanceIdentity identity = new InstanceIdentity(Clock.systemUTC());

	private final RecordingRegistry registry = new RecordingRegistry();

	private final TestRegistration orders = new TestRegistration("orders", "template-1", "192.0.2.2");

	private final TestRegistration billing = new TestRegistration("billing", "template-2", "192.0.2.2");

	@Test
	void deregistersOnQuiesceAndRegistersAgainOnThaw() {
		this.registry.register(this.orders);
		ServiceRegistryParticipant participant = participant(List.of(service(this.orders)), List.of());
		participant.quiesce(quiescing(Operation.FREEZE));
		assertThat(this.registry.registered).isEmpty();
		assertThat(participant.getDeregistered()).extracting(RegisteredService::registration)
			.containsExactly(this.orders);
		participant.resume(resuming(Operation.FREEZE, Resumption.THAW));
		assertThat(this.registry.registered).containsExactly(this.orders);
		assertThat(this.orders.instanceId).isEqualTo("template-1");
		assertThat(participant.getDeregistered()).isEmpty();
	}

	@Test
	void cloneIsRenewedWithItsIdentityAndAddressBeforeItRegisters() {
		this.registry.register(this.orders);
		ServiceRegistryParticipant participant = participant(List.of(service(this.orders)),
				List.of(new TestRenewer()));
		participant.quiesce(quiescing(Operation.CLONE));
		this.identity.regenerate("image");
		participant.resume(resuming(Operation.CLONE, Resumption.CLONE));
		assertThat(this.registry.registered).containsExactly(this.orders);
		assertThat(this.orders.instanceId).isEqualTo(this.identity.getInstanceId());
		assertThat(this.orders.host).isEqualTo("10.199.0.7");
	}

	@Test
	void cloneIsRefusedWhileARegistrationItDoesNotHandleHasNoRenewer() {
		// As Eureka's: registered by a lifecycle bean of its own, which every clone starts again.
		this.registry.register(this.orders);
		this.registry.register(this.billing);
		ServiceRegistryParticipant participant = new ServiceRegistryParticipant(() -> List.of(service(this.orders)),
				() -> List.of(this.orders, this.billing), List.of(), () -> "10.199.0.7");
		assertThatIllegalStateException().isThrownBy(() -> participant.quiesce(quiescing(Operation.CLONE)))
			.withMessageContaining("Cannot clone: service 'billing'")
			.withMessageContaining("instance 'template-2'")
			.withMessageContaining("spring.cloud.service-registry.auto-registration.enabled=false");
		// Refused before anything was taken out of its registry
		assertThat(this.registry.registered).containsExactly(this.orders, this.billing);
		assertThat(participant.getDeregistered()).isEmpty();
		// A freeze or a dump is the same instance afterwards: no reason to refuse it
		participant.quiesce(quiescing(Operation.DUMP));
		participant.resume(resuming(Operation.DUMP, Resumption.RESTORE));
		assertThat(this.registry.registered).contains(this.orders, this.billing);
	}

	@Test
	void cloneGoesOnWhenEveryRegistrationCanBeRenewed() {
		this.registry.register(this.orders);
		ServiceRegistryParticipant participant = new ServiceRegistryParticipant(() -> List.of(service(this.orders)),
				() -> List.of(this.orders, this.billing), List.of(new TestRenewer()), () -> "10.199.0.7");
		participant.quiesce(quiescing(Operation.CLONE));
		assertThat(this.registry.registered).isEmpty();
	}

	@Test
	void cloneThatNoRenewerSupportsStaysDeregistered() {
		this.registry.register(this.orders);
		ServiceRegistryParticipant participant = participant(List.of(service(this.orders)), List.of());
		participant.quiesce(quiescing(Operation.CLONE));
		this.identity.regenerate("image");
		assertThatIllegalStateException()
			.isThrownBy(() -> participant.resume(resuming(Operation.CLONE, Resumption.CLONE)))
			.withMessageContaining("service 'orders'")
			.withMessageContaining("no RegistrationRenewer supports " + TestRegistration.class.getName())
			.withMessageContaining("declare a RegistrationRenewer bean");
		assertThat(this.registry.registered).isEmpty();
		assertThat(participant.getDeregistered()).isEmpty();
		assertThat(participant.getWithheld()).extracting(RegisteredService::registration).containsExactly(this.orders);
		// It still has the template's id: a later freeze and thaw of the clone leave it out too
		participant.quiesce(quiescing(Operation.FREEZE));
		participant.resume(resuming(Operation.FREEZE, Resumption.THAW));
		assertThat(this.registry.registered).isEmpty();
		assertThat(this.registry.calls).containsExactly("register orders", "deregister orders");
	}

	@Test
	void registrationThatFailedToComeBackIsTriedAgainOnTheNextResume() {
		this.registry.register(this.orders);
		ServiceRegistryParticipant participant = participant(List.of(service(this.orders)), List.of());
		participant.quiesce(quiescing(Operation.FREEZE));
		this.registry.registerFails = true;
		assertThatIllegalStateException()
			.isThrownBy(() -> participant.resume(resuming(Operation.FREEZE, Resumption.THAW)))
			.withMessageContaining("registry unreachable");
		this.registry.registerFails = false;
		participant.quiesce(quiescing(Operation.FREEZE));
		participant.resume(resuming(Operation.FREEZE, Resumption.THAW));
		assertThat(this.registry.registered).containsExactly(this.orders);
		assertThat(this.registry.calls).containsExactly("register orders", "deregister orders", "register orders",
				"register orders");
	}

	@Test
	void cloneAddressIsTheFirstNonLoopbackAddressSpringCloudFinds() {
		try (InetUtils inetUtils = new InetUtils(new InetUtilsProperties())) {
			assertThat(new InetUtilsCloneAddressResolver(inetUtils).resolve()).isNotBlank()
				.isEqualTo(inetUtils.findFirstNonLoopbackHostInfo().getIpAddress());
		}
	}

	@Test
	void registrationThatWasNeverRegisteredIsLeftAlone() {
		TestRenewer renewer = new TestRenewer();
		renewer.registered = false;
		ServiceRegistryParticipant participant = participant(List.of(service(this.orders)), List.of(renewer));
		participant.quiesce(quiescing(Operation.FREEZE));
		participant.resume(resuming(Operation.FREEZE, Resumption.THAW));
		assertThat(this.registry.calls).isEmpty();
		assertThat(participant.getDeregistered()).isEmpty();
	}

	@Test
	void rollbackRegistersOnlyWhatWasDeregistered() {
		this.registry.register(this.orders);
		this.registry.register(this.billing);
		this.registry.failOn = this.billing;
		ServiceRegistryParticipant participant = participant(
				List.of(service(this.orders), service(this.billing)), List.of());
		assertThatIllegalStateException().isThrownBy(() -> participant.quiesce(quiescing(Operation.FREEZE)))
			.withMessage("registry unreachable");
		assertThat(this.registry.registered).containsExactly(this.billing);
		participant.resume(resuming(Operation.FREEZE, Resumption.ROLLBACK));
		assertThat(this.registry.registered).containsExactlyInAnyOrder(this.orders, this.billing);
		assertThat(this.registry.calls).containsExactly("register orders", "register billing", "deregister orders",
				"deregister billing", "register orders");
	}

	private ServiceRegistryParticipant participant(List<RegisteredService> services,
			List<RegistrationRenewer> renewers) {
		return new ServiceRegistryParticipant(() -> services, renewers, () -> "10.199.0.7");
	}

	@SuppressWarnings({ "unchecked", "rawtypes" })
	private RegisteredService service(Registration registration) {
		return new RegisteredService("test", (ServiceRegistry) this.registry, registration);
	}

	private CheckpointContext quiescing(Operation operation) {
		return new CheckpointContext(operation, null, this.identity);
	}

	private CheckpointContext resuming(Operation operation, Resumption resumption) {
		return new CheckpointContext(operation, resumption, this.identity);
	}

	static final class TestRegistration implements Registration {

		private final String serviceId;

		private String instanceId;

		private String host;

		TestRegistration(String serviceId, String instanceId, String host) {
			this.serviceId = serviceId;
			this.instanceId = instanceId;
			this.host = host;
		}

		@Override
		public String getServiceId() {
			return this.serviceId;
		}

		@Override
		public String getInstanceId() {
			return this.instanceId;
		}

		@Override
		public String getHost() {
			return this.host;
		}

		@Override
		public int getPort() {
			return 8080;
		}

		@Override
		public boolean isSecure() {
			return false;
		}

		@Override
		public URI getUri() {
			return URI.create("http://" + this.host + ":8080");
		}

		@Override
		public Map<String, String> getMetadata() {
			return Map.of();
		}

	}

	static final class TestRenewer implements RegistrationRenewer {

		private boolean registered = true;

		@Override
		public boolean isRegistered(Registration registration) {
			return this.registered;
		}

		@Override
		public boolean supports(Registration registration) {
			return registration instanceof TestRegistration;
		}

		@Override
		public void renew(Registration registration, RenewedInstance instance) {
			TestRegistration test = (TestRegistration) registration;
			test.instanceId = instance.instanceId();
			test.host = instance.address();
		}

	}

	static final class RecordingRegistry implements ServiceRegistry<TestRegistration> {

		private final List<TestRegistration> registered = new ArrayList<>();

		private final List<String> calls = new ArrayList<>();

		private TestRegistration failOn;

		private boolean registerFails;

		@Override
		public void register(TestRegistration registration) {
			this.calls.add("register " + registration.getServiceId());
			if (this.registerFails) {
				throw new IllegalStateException("registry unreachable");
			}
			this.registered.add(registration);
		}

		@Override
		public void deregister(TestRegistration registration) {
			this.calls.add("deregister " + registration.getServiceId());
			if (registration == this.failOn) {
				throw new IllegalStateException("registry unreachable");
			}
			this.registered.remove(registration);
		}

		@Override
		public void close() {
			this.calls.add("close");
		}

		@Override
		public void setStatus(TestRegistration registration, String status) {
		}

		@Override
		public <T> T getStatus(TestRegistration registration) {
			return null;
		}

	}

}
