package io.cse;

/**
 * A resource that must be let go before an instance is frozen or snapshotted, and taken
 * back afterwards.
 * <p>
 * The {@link CheckpointCoordinator} quiesces every participant in ascending
 * {@link #getOrder() order} and resumes them in the reverse order. A participant whose
 * {@link #quiesce(CheckpointContext)} throws fails the whole operation: every participant
 * quiesced before it, and the failing one itself, are resumed, so {@link #resume} must
 * tolerate a quiesce that stopped half-way.
 * <p>
 * In a Spring Boot application, declare an implementation as a bean to take part in every
 * freeze and snapshot.
 *
 * @see CheckpointCoordinator
 */
public interface CheckpointParticipant {

	/** Order of the inbound traffic gate: traffic stops first and comes back last. */
	int TRAFFIC_ORDER = 100;

	/** Order of schedulers and task executors: no new task starts once traffic is gone. */
	int EXECUTOR_ORDER = 200;

	/** Order of other running {@code Lifecycle} beans, such as message listeners. */
	int LIFECYCLE_ORDER = 300;

	/** Order of service registry registrations. */
	int REGISTRY_ORDER = 400;

	/** Order of outbound connection pools: released once nothing can use them. */
	int POOL_ORDER = 500;

	/** Default order of user participants: after the application stopped using pools. */
	int USER_ORDER = 600;

	/**
	 * Return the name under which this participant appears in reports, errors and metrics.
	 * @return a short, unique name
	 */
	String getName();

	/**
	 * Let go of the resource: stop accepting work, finish or park what runs, close what
	 * cannot survive a freeze or a snapshot.
	 * @param context the operation under way
	 * @throws Exception if the resource cannot be quiesced; the operation is rolled back
	 */
	void quiesce(CheckpointContext context) throws Exception;

	/**
	 * Take the resource back after a thaw, a restore or a rolled-back quiesce.
	 * @param context the operation under way and how the instance came back
	 * @throws Exception if the resource cannot be resumed
	 */
	void resume(CheckpointContext context) throws Exception;

	/**
	 * Return where this participant comes in the quiesce order: lower first.
	 * @return the order, {@link #USER_ORDER} unless overridden
	 */
	default int getOrder() {
		return USER_ORDER;
	}

}
