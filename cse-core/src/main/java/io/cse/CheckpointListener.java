package io.cse;

import io.cse.CheckpointContext.Resumption;

/**
 * Told what a {@link CheckpointCoordinator} did: how the host application learns about
 * state changes, completed operations and restores (the Spring Boot starter turns them
 * into application events). Called on the thread of the operation: keep it short.
 */
public interface CheckpointListener {

	/**
	 * Called when the instance moves from one state to another.
	 * @param previous the state it left
	 * @param next the state it is in now
	 */
	default void stateChanged(InstanceState previous, InstanceState next) {
	}

	/**
	 * Called when an operation starts. Operations nest: a snapshot that leaves the
	 * instance running ends with a thaw, and one that ends in a restored process with a
	 * restore, each started and completed inside it; the snapshot itself then completes
	 * in the process that took it, never in a restored one, which is told
	 * {@link #restored} instead.
	 * @param type the operation
	 */
	default void operationStarted(OperationReport.Type type) {
	}

	/**
	 * Called when an operation has ended, whatever its outcome.
	 * @param report what the operation did
	 */
	default void operationCompleted(OperationReport report) {
	}

	/**
	 * Called in a process restored from an image, once every participant has resumed.
	 * @param identity the identity of the restored instance: a new one for a clone
	 * @param resumption {@link Resumption#RESTORE} for the same instance,
	 * {@link Resumption#CLONE} for a new clone
	 * @param imageId the image the process was restored from
	 */
	default void restored(InstanceIdentity identity, Resumption resumption, String imageId) {
	}

}
