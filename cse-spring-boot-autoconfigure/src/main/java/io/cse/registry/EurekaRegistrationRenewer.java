package io.cse.registry;

import com.netflix.appinfo.InstanceInfo;

import org.springframework.cloud.client.serviceregistry.Registration;
import org.springframework.cloud.netflix.eureka.EurekaInstanceConfigBean;
import org.springframework.cloud.netflix.eureka.serviceregistry.EurekaRegistration;

/**
 * Renews Spring Cloud Netflix Eureka's {@link EurekaRegistration}: a clone registers as
 * {@code apps/<name>/<clone's instance id>}, at the clone's own address.
 * <p>
 * Eureka keeps what it registers in two places, and both are changed in place, since the
 * client, its heartbeat and its replicator keep references to them: the
 * {@link InstanceInfo} that the client sends (its id, host name, IP address and the URLs
 * built from the host name), and the {@link EurekaInstanceConfigBean} it was built from
 * (the client compares the two before every replication, and would put the template's
 * address back).
 * <p>
 * The host name becomes the clone's address too: clones usually share the template's host
 * name, which would lead callers to the template.
 * <p>
 * Used by the {@link EurekaRegistrationParticipant}, which registers the clone; declared as
 * a bean, it also tells the {@link ServiceRegistryParticipant} that a clone of an
 * application registered with Eureka gets an entry of its own.
 */
public class EurekaRegistrationRenewer implements RegistrationRenewer {

	@Override
	public boolean supports(Registration registration) {
		return registration instanceof EurekaRegistration;
	}

	/**
	 * Return {@code false} when {@code eureka.client.register-with-eureka} is
	 * {@code false}: the client then never registers.
	 */
	@Override
	public boolean isRegistered(Registration registration) {
		return ((EurekaRegistration) registration).getEurekaClient().getEurekaClientConfig().shouldRegisterWithEureka();
	}

	@Override
	public void renew(Registration registration, RenewedInstance instance) {
		EurekaRegistration eureka = (EurekaRegistration) registration;
		if (!(eureka.getInstanceConfig() instanceof EurekaInstanceConfigBean)) {
			throw new IllegalStateException("Eureka's instance settings are a "
					+ eureka.getInstanceConfig().getClass().getName() + ", not the EurekaInstanceConfigBean whose id and"
					+ " address a clone's registration is renewed through: declare a RegistrationRenewer bean for it,"
					+ " or set cse.eureka.enabled=false");
		}
		EurekaInstanceConfigBean config = (EurekaInstanceConfigBean) eureka.getInstanceConfig();
		config.setInstanceId(instance.instanceId());
		// Both mark the address as set: the client no longer looks it up again
		config.setIpAddress(instance.address());
		config.setHostname(instance.address());
		InstanceInfo info = eureka.getApplicationInfoManager().getInfo();
		String templateHost = info.getHostName();
		// A builder of an existing InstanceInfo changes that very object; a new host name
		// also gives it new status page and health check URLs
		new InstanceInfo.Builder(info).setInstanceId(instance.instanceId())
			.setIPAddr(instance.address())
			.setHostName(instance.address())
			.setHomePageUrlForDeser(withHost(info.getHomePageUrl(), templateHost, instance.address()));
		info.setIsDirty();
	}

	private static String withHost(String url, String from, String to) {
		return (url != null) ? url.replace("//" + from + ":", "//" + to + ":").replace("//" + from + "/", "//" + to + "/")
				: null;
	}

}
