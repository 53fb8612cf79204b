package io.cse.memory;

import java.time.Duration;
import java.util.Objects;

/**
 * Heap and process memory before and after a heap trim.
 */
public final class MemoryReport {

	private final long heapUsedBefore;

	private final long heapUsedAfter;

	private final long residentBefore;

	private final long residentAfter;

	private final Duration duration;

	public MemoryReport(long heapUsedBefore, long heapUsedAfter, long residentBefore, long residentAfter,
			Duration duration) {
		this.heapUsedBefore = heapUsedBefore;
		this.heapUsedAfter = heapUsedAfter;
		this.residentBefore = residentBefore;
		this.residentAfter = residentAfter;
		this.duration = duration;
	}

	/**
	 * Return heap bytes in use before the trim, garbage included.
	 * @return the heap used before
	 */
	public long heapUsedBefore() {
		return this.heapUsedBefore;
	}

	/**
	 * Return heap bytes in use after the trim: about the live data.
	 * @return the heap used after
	 */
	public long heapUsedAfter() {
		return this.heapUsedAfter;
	}

	/**
	 * Return resident set size of the process before the trim, or {@code -1} where the platform does not tell.
	 * @return the resident before
	 */
	public long residentBefore() {
		return this.residentBefore;
	}

	/**
	 * Return resident set size of the process after the trim, or {@code -1}.
	 * @return the resident after
	 */
	public long residentAfter() {
		return this.residentAfter;
	}

	/**
	 * Return how long the trim took.
	 * @return the duration
	 */
	public Duration duration() {
		return this.duration;
	}

	@Override
	public boolean equals(Object other) {
		if (this == other) {
			return true;
		}
		if (!(other instanceof MemoryReport)) {
			return false;
		}
		MemoryReport that = (MemoryReport) other;
		return this.heapUsedBefore == that.heapUsedBefore
				&& this.heapUsedAfter == that.heapUsedAfter
				&& this.residentBefore == that.residentBefore
				&& this.residentAfter == that.residentAfter
				&& Objects.equals(this.duration, that.duration);
	}

	@Override
	public int hashCode() {
		return Objects.hash(this.heapUsedBefore, this.heapUsedAfter, this.residentBefore, this.residentAfter,
				this.duration);
	}

	@Override
	public String toString() {
		return "MemoryReport[heapUsedBefore=" + this.heapUsedBefore + ", heapUsedAfter=" + this.heapUsedAfter
				+ ", residentBefore=" + this.residentBefore + ", residentAfter=" + this.residentAfter + ", duration="
				+ this.duration + "]";
	}

}
