package io.cse;

/**
 * The states of an instance, as the {@link CheckpointCoordinator} moves it through a
 * freeze and a thaw.
 */
public enum InstanceState {

	/** Serving: every participant holds its resources. */
	RUNNING,

	/** Participants are letting go of their resources, one after the other. */
	QUIESCING,

	/** Every participant is quiesced: the host may freeze the process and squeeze its memory. */
	FROZEN,

	/** Every participant is quiesced and an engine is snapshotting the process. */
	SNAPSHOTTING,

	/** Participants are taking their resources back, in reverse order. */
	RESUMING

}
