package io.cse.registry;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import org.apache.curator.framework.CuratorFramework;
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
 * <p>
 * Before the first of a clone's registrations is renewed, the application's Curator
 * clients drop the template's session and open their own ({@link ZookeeperSessions}).
 */
public class ZookeeperRegistrationRenewer implements RegistrationRenewer {

	private static final Duration SESSION_TIMEOUT = Duration.ofSeconds(30);

	private final Supplier<ZookeeperDiscoveryProperties> properties;

	private final Supplier<List<CuratorFramework>> clients;

	private final Clock clock;

	private final Set<String> renewedSessionsFor = ConcurrentHashMap.newKeySet();

	/**
	 * Create a renewer that stamps registrations with the system clock.
	 * @param properties the application's Spring Cloud Zookeeper discovery settings, or
	 * {@code null} if it has none
	 * @param clients the application's Curator clients, whose sessions a clone renews
	 * before it registers (see {@link ZookeeperSessions})
	 */
	public ZookeeperRegistrationRenewer(Supplier<ZookeeperDiscoveryProperties> properties,
			Supplier<List<CuratorFramework>> clients) {
		this(properties, clients, Clock.systemUTC());
	}

	/**
	 * Create a renewer.
	 * @param properties the application's Spring Cloud Zookeeper discovery settings, or
	 * {@code null} if it has none
	 * @param clients the application's Curator clients, whose sessions a clone renews
	 * before it registers (see {@link ZookeeperSessions})
	 * @param clock the clock that stamps the clone's registration time
	 */
	public ZookeeperRegistrationRenewer(Supplier<ZookeeperDiscoveryProperties> properties,
			Supplier<List<CuratorFramework>> clients, Clock clock) {
		this.properties = properties;
		this.clients = clients;
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
		// Once per clone, whatever the number of its registrations: its node must not be
		// created under the template's session.
		if (this.renewedSessionsFor.add(instance.instanceId())) {
			ZookeeperSessions.renew(this.clients.get(), SESSION_TIMEOUT);
		}
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
