package io.cse;

import java.time.Clock;
import java.time.Instant;

import io.cse.entropy.OsEntropy;

/**
 * Who this running instance is: the one source for registry instance ids, log MDC, metrics
 * and {@code /actuator/cse}.
 * <p>
 * Anything unique that an application computes once at start-up is copied into every
 * clone restored from a snapshot. This identity is not: a restore of a clone template
 * gives it a new {@link #getInstanceId() instance id} and the next
 * {@link #getGeneration() generation}, with the template's instance as
 * {@link #getParentId() parent}.
 */
public final class InstanceIdentity {

	/** MDC key under which the instance id is put while the starter handles a request. */
	public static final String MDC_KEY = "cse.instance";

	private final Clock clock;

	private volatile State state;

	/**
	 * Create the identity of an instance that has just started.
	 * @param clock the clock that stamps start and resume times
	 */
	public InstanceIdentity(Clock clock) {
		this.clock = clock;
		Instant now = clock.instant();
		this.state = new State(OsEntropy.randomUuid().toString(), 0, null, null, now, null);
	}

	/**
	 * Return the unique id of this instance.
	 * @return the instance id
	 */
	public String getInstanceId() {
		return this.state.instanceId;
	}

	/**
	 * Return how many clone restores separate this instance from the one that started
	 * from scratch ({@code 0}).
	 * @return the generation
	 */
	public int getGeneration() {
		return this.state.generation;
	}

	/**
	 * Return the id of the instance this one was cloned from.
	 * @return the parent instance id, or {@code null} for an instance started from scratch
	 */
	public String getParentId() {
		return this.state.parentId;
	}

	/**
	 * Return the id of the image this instance was restored from.
	 * @return the image id, or {@code null} for an instance started from scratch
	 */
	public String getImageId() {
		return this.state.imageId;
	}

	/**
	 * Return when this instance started, or was restored as a new clone.
	 * @return the start time
	 */
	public Instant getStartedAt() {
		return this.state.startedAt;
	}

	/**
	 * Return when this instance last resumed after a freeze or a restore.
	 * @return the last resume time, or {@code null} if it never resumed
	 */
	public Instant getResumedAt() {
		return this.state.resumedAt;
	}

	/**
	 * Record that the same instance resumed: its id and generation do not change.
	 */
	public void markResumed() {
		State current = this.state;
		this.state = new State(current.instanceId, current.generation, current.parentId, current.imageId,
				current.startedAt, this.clock.instant());
	}

	/**
	 * Turn this identity into the one of a new clone restored from the given image. The new
	 * id is drawn from the operating system's entropy ({@code /dev/urandom}), not from a
	 * generator in memory, which every clone of the image would share.
	 * @param imageId the id of the template image the clone was restored from
	 */
	public void regenerate(String imageId) {
		State current = this.state;
		Instant now = this.clock.instant();
		this.state = new State(OsEntropy.randomUuid().toString(), current.generation + 1, current.instanceId, imageId,
				now, now);
	}

	@Override
	public String toString() {
		State current = this.state;
		return "InstanceIdentity[id=" + current.instanceId + ", generation=" + current.generation + ", parent="
				+ current.parentId + "]";
	}

	private static final class State {

		private final String instanceId;

		private final int generation;

		private final String parentId;

		private final String imageId;

		private final Instant startedAt;

		private final Instant resumedAt;

		private State(String instanceId, int generation, String parentId, String imageId, Instant startedAt,
				Instant resumedAt) {
			this.instanceId = instanceId;
			this.generation = generation;
			this.parentId = parentId;
			this.imageId = imageId;
			this.startedAt = startedAt;
			this.resumedAt = resumedAt;
		}

	}

}
