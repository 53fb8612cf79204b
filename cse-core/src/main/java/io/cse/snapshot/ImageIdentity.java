package io.cse.snapshot;

import java.util.Objects;

/**
 * Who the snapshotted instance was.
 */
public final class ImageIdentity {

	private final String instanceId;

	private final int generation;

	/**
	 * Describe an instance.
	 * @param instanceId its instance id
	 * @param generation how many clone restores separate it from the first start
	 */
	public ImageIdentity(String instanceId, int generation) {
		this.instanceId = Objects.requireNonNull(instanceId, "instanceId");
		this.generation = generation;
	}

	/**
	 * Return the instance's id.
	 * @return the instance id
	 */
	public String instanceId() {
		return this.instanceId;
	}

	/**
	 * Return how many clone restores separate the instance from the first start.
	 * @return the generation
	 */
	public int generation() {
		return this.generation;
	}

	@Override
	public boolean equals(Object other) {
		if (this == other) {
			return true;
		}
		if (!(other instanceof ImageIdentity)) {
			return false;
		}
		ImageIdentity that = (ImageIdentity) other;
		return this.instanceId.equals(that.instanceId) && this.generation == that.generation;
	}

	@Override
	public int hashCode() {
		return Objects.hash(this.instanceId, this.generation);
	}

	@Override
	public String toString() {
		return "instanceId=" + this.instanceId + ", generation=" + this.generation;
	}

}
