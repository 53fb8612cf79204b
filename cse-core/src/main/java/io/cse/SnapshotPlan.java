package io.cse;

import java.util.List;

import io.cse.memory.MemoryReport;

/**
 * What the {@link CheckpointCoordinator} does once every participant is quiesced for a
 * snapshot: get the process ready for its image, check what it still holds, then take the
 * snapshot. The plan owns every step that is about the image; the coordinator only
 * quiesces, resumes and reports.
 */
public interface SnapshotPlan {

	/**
	 * Return the id of the image this plan writes.
	 * @return the image id
	 */
	String imageId();

	/**
	 * Get the quiesced process ready for its image, for example by trimming the heap so
	 * that the image carries no garbage.
	 * @return what the trim gave back, or {@code null} if none ran
	 */
	default MemoryReport prepare() {
		return null;
	}

	/**
	 * Check what the quiesced process still holds open.
	 * @return what was found, for the report
	 * @throws Exception if the process holds something the snapshot cannot carry
	 */
	List<String> audit() throws Exception;

	/**
	 * Take the snapshot. In a process restored from a clone template, the plan gives the
	 * instance its new identity before it returns.
	 * @return whether this process kept running or was restored
	 * @throws Exception if no image was taken
	 */
	SnapshotOutcome take() throws Exception;

	/**
	 * Remove whatever the plan wrote: the snapshot did not happen.
	 */
	void discard();

}
