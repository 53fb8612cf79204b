package io.cse;

import java.util.List;

import io.cse.snapshot.SnapshotException;
import io.cse.snapshot.SnapshotOutcome;

/**
 * What the {@link CheckpointCoordinator} does once every participant is quiesced for a
 * snapshot: check what the process still holds, then take the snapshot.
 */
public interface SnapshotPlan {

	/**
	 * Return the id of the image this plan writes.
	 * @return the image id
	 */
	String imageId();

	/**
	 * Check what the quiesced process still holds open.
	 * @return what was found, for the report
	 * @throws SnapshotException if the process holds something the engine cannot carry
	 */
	List<String> audit() throws SnapshotException;

	/**
	 * Take the snapshot.
	 * @return whether this process kept running or was restored
	 * @throws SnapshotException if no image was taken
	 */
	SnapshotOutcome take() throws SnapshotException;

	/**
	 * Remove whatever the plan wrote: the snapshot did not happen.
	 */
	void discard();

}
