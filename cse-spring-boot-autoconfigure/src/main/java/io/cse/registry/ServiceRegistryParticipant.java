package io.cse.registry;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import io.cse.CheckpointContext;
import io.cse.CheckpointContext.Operation;
import io.cse.CheckpointParticipant;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.cloud.client.serviceregistry.AbstractAutoServiceRegistration;
import org.springframework.cloud.client.serviceregistry.Registration;
import org.springframework.cloud.client.serviceregistry.ServiceRegistry;
import org.springframework.util.ReflectionUtils;

/**
 * Takes the application out of its Spring Cloud service registries while it is quiesced,
 * and puts it back when it resumes; a clone comes back under its own instance id and
 * address.
 * <p>
 * The registrations it handles are those that Spring Cloud's auto-registration
 * ({@link AbstractAutoServiceRegistration}, as Zookeeper, Consul and Nacos use) has
 * registered: on quiesce each is removed with {@link ServiceRegistry#deregister}, and on
 * resume added again with {@link ServiceRegistry#register}, through the registry itself
 * rather than the auto-registration's {@code stop()}, which would also close the registry
 * client. Registrations the application manages itself are left to it (a
 * {@link io.cse.ready.ServerlessReady @ServerlessReady} bean can deregister them), and
 * Eureka's, whose auto-registration is a {@code Lifecycle} bean, has a participant of its
 * own ({@code EurekaRegistrationParticipant}).
 * <p>
 * After a clone restore ({@link CheckpointContext#isClone()}) each registration is first
 * given the clone's {@link io.cse.InstanceIdentity#getInstanceId() instance id} and the
 * address that the {@link CloneAddressResolver} finds, by the first
 * {@link RegistrationRenewer} that supports it. A registration that none supports stays
 * deregistered rather than taking the template's entry, and the resume fails with a
 * message that says so.
 */
public class ServiceRegistryParticipant implements CheckpointParticipant {

	private static final Log logger = LogFactory.getLog(ServiceRegistryParticipant.class);

	private final Supplier<List<RegisteredService>> registered;

	private final Supplier<List<Registration>> registrations;

	private final List<RegistrationRenewer> renewers;

	private final CloneAddressResolver addressResolver;

	private final List<RegisteredService> deregistered = Collections.synchronizedList(new ArrayList<>());

	private final List<RegisteredService> withheld = Collections.synchronizedList(new ArrayList<>());

	/**
	 * Create a participant for the registrations of the auto-registrations in a bean
	 * factory.
	 * @param beanFactory the bean factory of the application
	 * @param renewers the renewers that give clones their own registration, tried in order
	 * @param addressResolver finds a clone's address after its restore
	 */
	public ServiceRegistryParticipant(ListableBeanFactory beanFactory, List<RegistrationRenewer> renewers,
			CloneAddressResolver addressResolver) {
		this(() -> autoRegistered(beanFactory), () -> new ArrayList<>(
				beanFactory.getBeansOfType(Registration.class, false, false).values()), renewers,
				addressResolver);
	}

	/**
	 * Create a participant.
	 * @param registered returns what is registered now, when the participant quiesces
	 * @param renewers the renewers that give clones their own registration, tried in order
	 * @param addressResolver finds a clone's address after its restore
	 */
	public ServiceRegistryParticipant(Supplier<List<RegisteredService>> registered,
			List<RegistrationRenewer> renewers, CloneAddressResolver addressResolver) {
		this(registered, Collections::emptyList, renewers, addressResolver);
	}

	/**
	 * Create a participant.
	 * @param registered returns what is registered now, when the participant quiesces
	 * @param registrations returns every registration of the application, whoever
	 * registers it: a clone is refused while one that this participant does not handle has
	 * no renewer
	 * @param renewers the renewers that give clones their own registration, tried in order
	 * @param addressResolver finds a clone's address after its restore
	 */
	public ServiceRegistryParticipant(Supplier<List<RegisteredService>> registered,
			Supplier<List<Registration>> registrations, List<RegistrationRenewer> renewers,
			CloneAddressResolver addressResolver) {
		this.registered = registered;
		this.registrations = registrations;
		this.renewers = Collections.unmodifiableList(new ArrayList<>(renewers));
		this.addressResolver = addressResolver;
	}

	@Override
	public String getName() {
		return "registry";
	}

	@Override
	public int getOrder() {
		return REGISTRY_ORDER;
	}

	/**
	 * Return the registrations taken out of their registry by the last quiesce and not
	 * yet registered again.
	 * @return the deregistered services
	 */
	public List<RegisteredService> getDeregistered() {
		synchronized (this.deregistered) {
			return new ArrayList<>(this.deregistered);
		}
	}

	/**
	 * Return the registrations of a clone that could not be renewed: they keep the
	 * template's id, so they are never registered again by this process.
	 * @return the withheld services
	 */
	public List<RegisteredService> getWithheld() {
		synchronized (this.withheld) {
			return new ArrayList<>(this.withheld);
		}
	}

	@Override
	public void quiesce(CheckpointContext context) {
		List<RegisteredService> services = this.registered.get();
		if (context.operation() == Operation.CLONE) {
			refuseRegistrationsNoCloneCanRenew(services);
		}
		for (RegisteredService service : services) {
			RegistrationRenewer renewer = renewerFor(service.registration());
			if (renewer != null && !renewer.isRegistered(service.registration())) {
				continue;
			}
			// Still out after a failed resume (it is tried again), or withheld for good
			if (this.deregistered.contains(service) || this.withheld.contains(service)) {
				continue;
			}
			service.deregister();
			// Recorded once it is out, so that a rollback puts back only what was taken out
			this.deregistered.add(service);
			logger.info("Deregistered " + service + " for the " + context.operation().name().toLowerCase(Locale.ROOT));
		}
	}

	@Override
	public void resume(CheckpointContext context) {
		List<RegisteredService> services = getDeregistered();
		String address = null;
		List<String> errors = new ArrayList<>();
		for (RegisteredService service : services) {
			try {
				if (context.isClone()) {
					try {
						if (address == null) {
							address = this.addressResolver.resolve();
						}
						renew(service, new RegistrationRenewer.RenewedInstance(context.identity().getInstanceId(),
								address));
					}
					catch (Exception ex) {
						this.deregistered.remove(service);
						this.withheld.add(service);
						throw ex;
					}
				}
				service.register();
				this.deregistered.remove(service);
				logger.info("Registered " + service + " again after the " + context.resumption().name().toLowerCase(Locale.ROOT)
						+ (context.isClone() ? ", as instance " + context.identity().getInstanceId() : ""));
			}
			catch (Exception ex) {
				errors.add(service + ": " + ex.getMessage());
			}
		}
		if (!errors.isEmpty()) {
			throw new IllegalStateException("Could not register again " + String.join("; ", errors));
		}
	}

	/**
	 * A registration that something else than Spring Cloud's auto-registration registers
	 * (a lifecycle bean, started again in every clone) would come back in every
	 * clone under the template's instance id and address: the registry would hold one entry
	 * for all of them, and take it down with the first that stops. Refused before anything
	 * is snapshotted, so that the template keeps running as it was.
	 */
	private void refuseRegistrationsNoCloneCanRenew(List<RegisteredService> handled) {
		Set<Registration> handledRegistrations = Collections.newSetFromMap(new IdentityHashMap<>());
		handled.forEach((service) -> handledRegistrations.add(service.registration()));
		for (Registration registration : this.registrations.get()) {
			if (!handledRegistrations.contains(registration) && renewerFor(registration) == null) {
				throw new IllegalStateException("Cannot clone: service '" + registration.getServiceId()
						+ "' is registered through " + registration.getClass().getName()
						+ ", which CSE cannot give a clone's own instance id and address yet, so every clone would"
						+ " register as instance '" + registration.getInstanceId() + "' of the template. Take a dump"
						+ " instead (every restore is the same instance), or switch the template's registration off"
						+ " (spring.cloud.service-registry.auto-registration.enabled=false) and register clones"
						+ " yourself");
			}
		}
	}

	private RegistrationRenewer renewerFor(Registration registration) {
		for (RegistrationRenewer renewer : this.renewers) {
			if (renewer.supports(registration)) {
				return renewer;
			}
		}
		return null;
	}

	private void renew(RegisteredService service, RegistrationRenewer.RenewedInstance instance) throws Exception {
		RegistrationRenewer renewer = renewerFor(service.registration());
		if (renewer != null) {
			renewer.renew(service.registration(), instance);
			return;
		}
		throw new IllegalStateException("no RegistrationRenewer supports "
				+ service.registration().getClass().getName() + ", so this clone would take the template's entry"
				+ " (it stays deregistered): declare a RegistrationRenewer bean for it");
	}

	@SuppressWarnings({ "rawtypes", "unchecked" })
	private static List<RegisteredService> autoRegistered(ListableBeanFactory beanFactory) {
		Map<String, AbstractAutoServiceRegistration> autoRegistrations = beanFactory
			.getBeansOfType(AbstractAutoServiceRegistration.class, false, false);
		Set<Registration> seen = Collections.newSetFromMap(new IdentityHashMap<>());
		List<RegisteredService> services = new ArrayList<>();
		autoRegistrations.forEach((name, autoRegistration) -> {
			if (!autoRegistration.isRunning()) {
				return;
			}
			ServiceRegistry registry = (ServiceRegistry) invoke(autoRegistration, "getServiceRegistry");
			Registration registration = (Registration) invoke(autoRegistration, "getRegistration");
			if (registry != null && registration != null && seen.add(registration)) {
				services.add(new RegisteredService(name, registry, registration));
			}
		});
		return services;
	}

	// Spring Cloud exposes an auto-registration's registry and registration to subclasses only
	private static Object invoke(Object target, String methodName) {
		Method method = ReflectionUtils.findMethod(target.getClass(), methodName);
		if (method == null) {
			throw new IllegalStateException(target.getClass().getName() + " has no " + methodName
					+ "(): set cse.registry.enabled=false and deregister in a @ServerlessReady bean");
		}
		ReflectionUtils.makeAccessible(method);
		return ReflectionUtils.invokeMethod(method, target);
	}

	/**
	 * A registration and the registry it is registered with.
	 */
	public static final class RegisteredService {

		private final String source;

		private final ServiceRegistry<Registration> registry;

		private final Registration registration;

		/**
		 * Create a registered service.
		 * @param source the name of what registered it (the auto-registration bean)
		 * @param registry the registry
		 * @param registration the registration
		 */
		public RegisteredService(String source, ServiceRegistry<Registration> registry, Registration registration) {
			this.source = source;
			this.registry = registry;
			this.registration = registration;
		}

		/**
		 * Return what registered the service.
		 * @return the name of the auto-registration bean
		 */
		public String source() {
			return this.source;
		}

		/**
		 * Return the registry.
		 * @return the registry the service is registered with
		 */
		public ServiceRegistry<Registration> registry() {
			return this.registry;
		}

		/**
		 * Return the registration.
		 * @return the registration
		 */
		public Registration registration() {
			return this.registration;
		}

		void deregister() {
			this.registry.deregister(this.registration);
		}

		void register() {
			this.registry.register(this.registration);
		}

		@Override
		public String toString() {
			String instanceId = this.registration.getInstanceId();
			return "service '" + this.registration.getServiceId() + "' ("
					+ ((instanceId != null) ? "instance " + instanceId + " " : "") + "at " + this.registration.getHost()
					+ ":" + this.registration.getPort() + ", registered by '" + this.source + "')";
		}

	}

}
