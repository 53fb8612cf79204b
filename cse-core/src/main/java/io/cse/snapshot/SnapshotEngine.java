package io.cse.snapshot;

import io.cse.SnapshotOutcome;

/**
 * Takes a snapshot of the running process into an image folder.
 * <p>
 * The {@link io.cse.CheckpointCoordinator} quiesces every participant before it calls
 * {@link #snapshot}, and resumes them afterwards. An engine only snapshots.
 */
public interface SnapshotEngine {

	/**
	 * Return the engine's name, as shown by {@code GET /actuator/cse}.
	 * @return {@code criu}, {@code crac} or {@code none}
	 */
	String getName();

	/**
	 * Return whether the engine can snapshot this process, and if not why not and what to
	 * install.
	 * @return the engine's status
	 */
	EngineStatus getStatus();

	/**
	 * Return whether the process keeps running after a snapshot, so that a clone template
	 * can be taken from a running instance.
	 * @return whether the engine can leave the process running
	 */
	boolean canLeaveRunning();

	/**
	 * Snapshot this process. Blocks until the snapshot is taken. With
	 * {@code spec.leaveRunning()} false the engine stops the process once the image is
	 * complete, so a successful call only returns in a process restored from the image.
	 * @param spec where to write the image and how
	 * @return whether this process is the one that was snapshotted and kept running, or a
	 * process restored from the image
	 * @throws SnapshotException if no image was taken: the process was not changed and
	 * keeps running
	 */
	SnapshotOutcome snapshot(SnapshotSpec spec) throws SnapshotException;

}
