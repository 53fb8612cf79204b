package io.cse.registry;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.time.Clock;
import java.util.function.Supplier;

import org.apache.curator.x.discovery.ServiceInstance;
import org.apache.curator.x.discovery.ServiceInstanceBuilder;

import org.springframework.cloud.client.serviceregistry.Registration;
import org.springframework.cloud.zookeeper.discovery.ZookeeperDiscoveryProperties;
import org.springframework.cloud.zookeeper.serviceregistry.ServiceInstanceRegistration;
import org.springframework.util.ReflectionUtils;

/**
 * Renews Spring Cloud Zookeeper's {@link ServiceInstanceRegistration}: a clone's node is
 * {@code /services/<name>/<clone's instance id>}, with the clone's own address.
 * <p>
 * The registration builds its Curator {@link ServiceInstance} from a builder it keeps, and
 * builds it again when its port changes. The renewer sets the new id, address and
 * registration time on that builder and has the registration build its instance again,
 * so that the port, payload and URI spec stay as they were, and a later port change keeps
 * the new id. Both members are protected, meant for subclasses; a version of Spring Cloud
 * Zookeeper without them fails the clone's restore with a message that says so.
 */
public class ZookeeperRegistrationRenewer implements RegistrationRenewer {

	private final Supplier<ZookeeperDiscoveryProperties> properties;

	private final Clock clock;

	/**
	 * Create a renewer that stamps registrations with the system clock.
	 * @param properties the application's Spring Cloud Zookeeper discovery settings, or
	 * {@code null} if it has none
	 */
	public ZookeeperRegistrationRenewer(Supplier<ZookeeperDiscoveryProperties> properties) {
		this(properties, Clock.systemUTC());
	}

	/**
	 * Create a renewer.
	 * @param properties the application's Spring Cloud Zookeeper discovery settings, or
	 * {@code null} if it has none
	 * @param clock the clock that stamps the clone's registration time
	 */
	public ZookeeperRegistrationRenewer(Supplier<ZookeeperDiscoveryProperties> properties, Clock clock) {
		this.properties = properties;
		this.clock = clock;
	}

	@Override
	public boolean supports(Registration registration) {
		return registration instanceof ServiceInstanceRegistration;
	}

	/**
	 * Return {@code false} when {@code spring.cloud.zookeeper.discovery.register} is
	 * {@code false}: the auto-registration then runs without registering.
	 */
	@Override
	public boolean isRegistered(Registration registration) {
		ZookeeperDiscoveryProperties discovery = this.properties.get();
		return discovery == null || discovery.isRegister();
	}

	@Override
	public void renew(Registration registration, RenewedInstance instance) throws Exception {
		ServiceInstanceRegistration zookeeper = (ServiceInstanceRegistration) registration;
		ServiceInstanceBuilder<?> builder = builderOf(zookeeper);
		builder.id(instance.instanceId());
		builder.address(instance.address());
		builder.registrationTimeUTC(this.clock.millis());
		Method build = ReflectionUtils.findMethod(ServiceInstanceRegistration.class, "build");
		if (build == null) {
			throw unsupported("build()");
		}
		ReflectionUtils.makeAccessible(build);
		ReflectionUtils.invokeMethod(build, zookeeper);
		ServiceInstance<?> renewed = zookeeper.getServiceInstance();
		if (!instance.instanceId().equals(renewed.getId())) {
			throw new IllegalStateException("Registration " + zookeeper.getServiceId() + " kept id " + renewed.getId()
					+ " instead of " + instance.instanceId() + ": " + unsupported("build()").getMessage());
		}
	}

	private static ServiceInstanceBuilder<?> builderOf(ServiceInstanceRegistration registration) {
		Field field = ReflectionUtils.findField(ServiceInstanceRegistration.class, "builder",
				ServiceInstanceBuilder.class);
		if (field == null) {
			throw unsupported("builder");
		}
		ReflectionUtils.makeAccessible(field);
		return (ServiceInstanceBuilder<?>) ReflectionUtils.getField(field, registration);
	}

	private static IllegalStateException unsupported(String member) {
		return new IllegalStateException("This version of Spring Cloud Zookeeper has no ServiceInstanceRegistration."
				+ member + ", which a clone's registration is renewed through: declare a RegistrationRenewer bean"
				+ " for it, or set cse.registry.enabled=false");
	}

}
