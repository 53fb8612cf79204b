package io.cse.registry;

import org.springframework.cloud.commons.util.InetUtils;

/**
 * Finds the address a clone registers under, once it has been restored.
 * <p>
 * Clones restored from one template usually run in network namespaces of their own, each
 * with its own address, while every one of them remembers the template's. The address is
 * therefore looked up again after each clone restore, never taken from configuration
 * that every clone shares.
 */
@FunctionalInterface
public interface CloneAddressResolver {

	/**
	 * Return the address of this process as it runs now.
	 * @return a host name or IP address that other instances can reach
	 */
	String resolve();

	/**
	 * Return a resolver that takes the first non-loopback IP address that Spring Cloud's
	 * {@link InetUtils} finds, so {@code spring.cloud.inetutils.*} (preferred networks,
	 * ignored interfaces) applies. An IP address rather than a host name, as clones
	 * usually share the template's host name.
	 * @param inetUtils Spring Cloud's network utilities
	 * @return the resolver
	 */
	static CloneAddressResolver of(InetUtils inetUtils) {
		return () -> inetUtils.findFirstNonLoopbackHostInfo().getIpAddress();
	}

}
