package io.cse.registry;

import io.cse.CheckpointContext;
import io.cse.ready.ServerlessReady;

/**
 * Publishes beans as RPC providers in a registry: the SPI through which an in-house RPC
 * framework (HSF-style, or any registry the starter does not know) takes the
 * {@link ServerlessReady @ServerlessReady} beans it publishes offline before every freeze,
 * dump and clone, and brings them back online afterwards.
 * <p>
 * Declare an implementation as a bean. For every {@code @ServerlessReady} bean that
 * {@link #publishes(Object) it publishes}, the {@link ProviderPublisherParticipant} calls
 * {@link #offline} at {@link io.cse.CheckpointParticipant#REGISTRY_ORDER} (after inbound
 * traffic and executors are quiesced, before connection pools are released, so the
 * registry client can still reach its server) and {@link #online} when the instance comes
 * back. A clone ({@link CheckpointContext#isClone()}) must come back under its own
 * identity and address, never the template's entry: see {@link #online}.
 * <p>
 * {@code GET /actuator/cse/hazardCheck} lists, for each bean, the publishers that publish it.
 */
public interface ProviderPublisher {

	/**
	 * Return the name of the registry or framework, shown in the hazard check's report and in
	 * errors, such as {@code hsf} or {@code dubbo}.
	 * @return a short name
	 */
	String getName();

	/**
	 * Return whether this publisher publishes the given bean as a provider.
	 * @param bean a {@code @ServerlessReady} bean (the object behind its proxy, if it has
	 * one)
	 * @return whether the bean is published by this publisher
	 */
	boolean publishes(Object bean);

	/**
	 * Take the bean's provider out of the registry, so that consumers stop calling it.
	 * Return only once the registry has been told.
	 * @param bean a bean this publisher publishes
	 * @param context the operation under way
	 * @throws Exception if it cannot be taken offline: the operation is rolled back
	 */
	void offline(Object bean, CheckpointContext context) throws Exception;

	/**
	 * Publish the bean's provider again. Called after a thaw, a restore, a rolled-back
	 * operation (only for beans that were taken offline), and in every new clone, where
	 * {@code context.identity()} is the clone's new identity: publish it under that
	 * identity and the clone's own address, never under the template's.
	 * @param bean a bean this publisher took offline
	 * @param context the operation under way and how the instance came back
	 * @throws Exception if it cannot be published again: the resume reports the failure
	 * and the bean is tried again on the next resume
	 */
	void online(Object bean, CheckpointContext context) throws Exception;

}
