package io.cse;

import java.util.Collections;
import java.util.List;

/**
 * A snapshot plan for tests: takes no image, and "returns" as the test says, in the
 * process that kept running or in one restored from the image. The one test double for
 * plans, shared by every module's tests.
 */
public final class ScriptedSnapshotPlan implements SnapshotPlan {

	private final String imageId;

	private final SnapshotOutcome outcome;

	private InstanceIdentity cloneIdentity;

	private Runnable whileTaking = () -> {
	};

	private String failure;

	private volatile boolean discarded;

	private ScriptedSnapshotPlan(String imageId, SnapshotOutcome outcome) {
		this.imageId = imageId;
		this.outcome = outcome;
	}

	/**
	 * A plan whose snapshot returns in a process restored from the image.
	 * @param imageId the image id
	 * @return the plan
	 */
	public static ScriptedSnapshotPlan restored(String imageId) {
		return new ScriptedSnapshotPlan(imageId, SnapshotOutcome.RESTORED);
	}

	/**
	 * A plan whose snapshot returns in the process that kept running.
	 * @param imageId the image id
	 * @return the plan
	 */
	public static ScriptedSnapshotPlan continued(String imageId) {
		return new ScriptedSnapshotPlan(imageId, SnapshotOutcome.CONTINUED);
	}

	/**
	 * A plan with the given outcome.
	 * @param imageId the image id
	 * @param outcome how the snapshot returns
	 * @return the plan
	 */
	public static ScriptedSnapshotPlan of(String imageId, SnapshotOutcome outcome) {
		return new ScriptedSnapshotPlan(imageId, outcome);
	}

	/**
	 * Restore as a new clone of a template: the identity gets regenerated, as the real
	 * plan does in a clone.
	 * @param identity the instance's identity
	 * @return this plan
	 */
	public ScriptedSnapshotPlan asCloneOf(InstanceIdentity identity) {
		this.cloneIdentity = identity;
		return this;
	}

	/**
	 * Run a check while the image is being taken (every participant is quiesced).
	 * @param check the check
	 * @return this plan
	 */
	public ScriptedSnapshotPlan whileTaking(Runnable check) {
		this.whileTaking = check;
		return this;
	}

	/**
	 * Fail the snapshot with the given message.
	 * @param message why the snapshot fails
	 * @return this plan
	 */
	public ScriptedSnapshotPlan failingWith(String message) {
		this.failure = message;
		return this;
	}

	/**
	 * Return whether the coordinator discarded the plan.
	 * @return whether {@link #discard()} was called
	 */
	public boolean isDiscarded() {
		return this.discarded;
	}

	@Override
	public String imageId() {
		return this.imageId;
	}

	@Override
	public List<String> audit() {
		return Collections.emptyList();
	}

	@Override
	public SnapshotOutcome take() {
		this.whileTaking.run();
		if (this.failure != null) {
			throw new IllegalStateException(this.failure);
		}
		if (this.outcome == SnapshotOutcome.RESTORED && this.cloneIdentity != null) {
			this.cloneIdentity.regenerate(this.imageId);
		}
		return this.outcome;
	}

	@Override
	public void discard() {
		this.discarded = true;
	}

}
