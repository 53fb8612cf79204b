package io.cse.node.instance;

import java.time.Duration;

/**
 * When a command started and how long it may take.
 *
 * @param startNanos {@link System#nanoTime()} at the command's start
 * @param timeout how long it may take
 */
public record Deadline(long startNanos, Duration timeout) {

	/** A timeout that a command does not reach: the steps' own limits apply alone. */
	private static final Duration NONE = Duration.ofDays(365);

	/**
	 * A deadline that starts now.
	 * @param timeout how long from now
	 * @return the deadline
	 */
	public static Deadline in(Duration timeout) {
		return new Deadline(System.nanoTime(), timeout);
	}

	/**
	 * A deadline that does not end: for a caller that set no timeout of its own.
	 * @return the deadline
	 */
	public static Deadline none() {
		return new Deadline(System.nanoTime(), NONE);
	}

	/**
	 * How long a step may wait: as long as it wants, but no longer than the time left.
	 * @param wanted the step's own limit
	 * @return the shorter of the two, at least a millisecond (a zero timeout means no
	 * limit to a socket)
	 */
	public Duration within(Duration wanted) {
		long leftNanos = this.timeout.toNanos() - (System.nanoTime() - this.startNanos);
		Duration left = Duration.ofNanos(Math.max(leftNanos, 1_000_000));
		return (wanted.compareTo(left) < 0) ? wanted : left;
	}

	/**
	 * Whether the time is up.
	 * @return whether it is
	 */
	public boolean expired() {
		return System.nanoTime() - this.startNanos - this.timeout.toNanos() > 0;
	}

	/**
	 * Milliseconds since the start.
	 * @return the elapsed time
	 */
	public double elapsedMillis() {
		return (System.nanoTime() - this.startNanos) / 1e6;
	}

	/**
	 * The timeout, for messages.
	 * @return for example {@code 60 s} or {@code 500 ms}
	 */
	public String describe() {
		return (this.timeout.toMillis() % 1000 == 0) ? this.timeout.toSeconds() + " s" : this.timeout.toMillis() + " ms";
	}

}
