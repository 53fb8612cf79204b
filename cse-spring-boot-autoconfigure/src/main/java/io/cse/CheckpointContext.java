package io.cse;

/**
 * What a {@link CheckpointParticipant} is told about the operation under way.
 *
 * @param operation the operation that quiesced the participants
 * @param resumption how the instance comes back, or {@code null} while quiescing
 * @param identity the identity of the instance at the time of the call: after a restore of
 * a clone template it is the clone's new identity
 */
public record CheckpointContext(Operation operation, Resumption resumption, InstanceIdentity identity) {

	/**
	 * Return whether the instance comes back as a new clone of a template, with a new
	 * identity, rather than as the same instance.
	 * @return whether this is a clone's first resume
	 */
	public boolean isClone() {
		return this.resumption == Resumption.CLONE;
	}

	/**
	 * The operations that quiesce an instance.
	 */
	public enum Operation {

		/** Quiesce and keep the process in memory, for the host to freeze it. */
		FREEZE,

		/** Quiesce and snapshot the process to an image, through an engine. */
		DUMP,

		/** Quiesce and snapshot the process to an image that every restore clones. */
		CLONE

	}

	/**
	 * How an instance comes back after it was quiesced.
	 */
	public enum Resumption {

		/** The quiesce failed part-way and is being undone. */
		ROLLBACK,

		/** The same process is thawed after a freeze. */
		THAW,

		/** The same instance is restored from an image. */
		RESTORE,

		/** A new instance is restored from a template image and gets a new identity. */
		CLONE

	}

}
