package io.cse.registry;

/**
 * Finds the address a clone registers under, once it has been restored.
 * <p>
 * Clones restored from one template usually run in network namespaces of their own, each
 * with its own address, while every one of them remembers the template's. The address is
 * therefore looked up again after each clone restore, never taken from configuration
 * that every clone shares.
 * <p>
 * Used by the Spring Cloud registry participant (by default an
 * {@link InetUtilsCloneAddressResolver}) and by the Dubbo participant (by default the
 * address Dubbo finds). It names no Spring Cloud type, so an application without Spring
 * Cloud can declare one.
 */
@FunctionalInterface
public interface CloneAddressResolver {

	/**
	 * Return the address of this process as it runs now.
	 * @return a host name or IP address that other instances can reach
	 */
	String resolve();

}
