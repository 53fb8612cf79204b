package io.cse.registry;

import org.springframework.cloud.commons.util.InetUtils;

/**
 * A {@link CloneAddressResolver} that takes the first non-loopback IP address that Spring
 * Cloud's {@link InetUtils} finds, so {@code spring.cloud.inetutils.*} (preferred
 * networks, ignored interfaces) applies. An IP address rather than a host name, as clones
 * usually share the template's host name.
 */
public final class InetUtilsCloneAddressResolver implements CloneAddressResolver {

	private final InetUtils inetUtils;

	/**
	 * Create a resolver.
	 * @param inetUtils Spring Cloud's network utilities
	 */
	public InetUtilsCloneAddressResolver(InetUtils inetUtils) {
		this.inetUtils = inetUtils;
	}

	@Override
	public String resolve() {
		return this.inetUtils.findFirstNonLoopbackHostInfo().getIpAddress();
	}

}
