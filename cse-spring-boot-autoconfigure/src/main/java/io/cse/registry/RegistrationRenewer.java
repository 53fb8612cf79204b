package io.cse.registry;

import org.springframework.cloud.client.serviceregistry.Registration;

/**
 * Gives a {@link Registration} the instance id and address of a new clone, before the
 * {@link ServiceRegistryParticipant} registers it again; and tells whether the application
 * registered it at all.
 * <p>
 * A clone restored from a template image is a copy of the template's memory, so its
 * {@code Registration} still names the template's instance id and address. Registered as
 * it is, it would replace or collide with the template's own entry. Each registry keeps
 * the id and the address in its own {@code Registration} type, so each needs a renewer:
 * the starter brings one for Spring Cloud Zookeeper ({@link ZookeeperRegistrationRenewer});
 * declare a bean of this type for any other. A registration that no renewer supports is
 * not registered again in a clone, and the clone's restore report says so.
 * <p>
 * The registration must be changed in place: Spring Cloud's auto-registration keeps a
 * reference to it and deregisters that same object when the application stops.
 */
public interface RegistrationRenewer {

	/**
	 * Return whether this renewer can renew the given registration.
	 * @param registration a registration the application registers
	 * @return whether {@link #renew} can be called with it
	 */
	boolean supports(Registration registration);

	/**
	 * Return whether the application registered the registration at all. Spring Cloud's
	 * auto-registration counts as running even when registering is switched off (for
	 * example {@code spring.cloud.zookeeper.discovery.register=false}); a registration
	 * that was never registered is neither deregistered nor registered by the
	 * {@link ServiceRegistryParticipant}.
	 * @param registration a registration that this renewer {@link #supports supports}
	 * @return whether it is registered; {@code true} unless the renewer knows better
	 */
	default boolean isRegistered(Registration registration) {
		return true;
	}

	/**
	 * Give the registration the clone's instance id and address.
	 * @param registration a registration that this renewer {@link #supports supports};
	 * it is not registered while this method runs
	 * @param instance the clone's instance id and address
	 * @throws Exception if the registration cannot be renewed; it then stays deregistered
	 */
	void renew(Registration registration, RenewedInstance instance) throws Exception;

	/**
	 * What a clone registers under.
	 */
	final class RenewedInstance {

		private final String instanceId;

		private final String address;

		/**
		 * Create what a clone registers under.
		 * @param instanceId the clone's instance id in the registry: its
		 * {@link io.cse.InstanceIdentity#getInstanceId() InstanceIdentity instance id}
		 * @param address the clone's own address (host name or IP address), as found after
		 * the restore
		 */
		public RenewedInstance(String instanceId, String address) {
			this.instanceId = instanceId;
			this.address = address;
		}

		/**
		 * Return the clone's instance id in the registry.
		 * @return the instance id
		 */
		public String instanceId() {
			return this.instanceId;
		}

		/**
		 * Return the clone's own address.
		 * @return the host name or IP address
		 */
		public String address() {
			return this.address;
		}

	}

}
