package io.cse;

import java.util.Objects;

/**
 * What a {@link CheckpointParticipant} is told about the operation under way.
 */
public final class CheckpointContext {

	private final Operation operation;

	private final Resumption resumption;

	private final InstanceIdentity identity;

	public CheckpointContext(Operation operation, Resumption resumption, InstanceIdentity identity) {
		this.operation = operation;
		this.resumption = resumption;
		this.identity = identity;
	}

	/**
	 * Return the operation that quiesced the participants.
	 * @return the operation
	 */
	public Operation operation() {
		return this.operation;
	}

	/**
	 * Return how the instance comes back, or {@code null} while quiescing.
	 * @return the resumption
	 */
	public Resumption resumption() {
		return this.resumption;
	}

	/**
	 * Return the identity of the instance at the time of the call: after a restore of a
	 * clone template it is the clone's new identity.
	 * @return the identity
	 */
	public InstanceIdentity identity() {
		return this.identity;
	}

	@Override
	public boolean equals(Object other) {
		if (this == other) {
			return true;
		}
		if (!(other instanceof CheckpointContext)) {
			return false;
		}
		CheckpointContext that = (CheckpointContext) other;
		return Objects.equals(this.operation, that.operation)
				&& Objects.equals(this.resumption, that.resumption)
				&& Objects.equals(this.identity, that.identity);
	}

	@Override
	public int hashCode() {
		return Objects.hash(this.operation, this.resumption, this.identity);
	}

	@Override
	public String toString() {
		return "CheckpointContext[operation=" + this.operation + ", resumption=" + this.resumption + ", identity="
				+ this.identity + "]";
	}

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
