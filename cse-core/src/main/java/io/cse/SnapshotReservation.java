package io.cse;

import java.util.concurrent.Semaphore;

import io.cse.CheckpointContext.Operation;

/**
 * The instance, reserved for one snapshot by {@link CheckpointCoordinator#reserve}: no
 * other operation starts until the snapshot has run or the reservation is cancelled.
 */
public final class SnapshotReservation {

	private final Operation operation;

	private final Semaphore operationPermit;

	private boolean used;

	SnapshotReservation(Operation operation, Semaphore operationPermit) {
		this.operation = operation;
		this.operationPermit = operationPermit;
	}

	/**
	 * Return the operation the instance is reserved for.
	 * @return the operation
	 */
	public Operation getOperation() {
		return this.operation;
	}

	/**
	 * Give the instance back without snapshotting it.
	 */
	public synchronized void cancel() {
		if (!this.used) {
			this.used = true;
			this.operationPermit.release();
		}
	}

	synchronized void use() {
		if (this.used) {
			throw new IllegalStateException("This reservation was already used or cancelled");
		}
		this.used = true;
	}

}
