package io.cse;

/**
 * What a process finds when a snapshot call returns.
 */
public enum SnapshotOutcome {

	/** The image is complete and this process, the one snapshotted, kept running. */
	CONTINUED,

	/** This process was restored from the image. */
	RESTORED

}
