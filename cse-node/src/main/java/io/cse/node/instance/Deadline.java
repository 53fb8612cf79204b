package io.cse.node.instance;

import java.time.Duration;

/**
 * When a command started and how long it may take.
 *
 * @param startNanos {@link System#nanoTime()} at the command's start
 * @param timeout how long it may take
 */
public record Deadline(long startNanos, Duration timeout) {

	/**
	 * A deadline that starts now.
	 * @param timeout how long from now
	 * @return the deadline
	 */
	public static Deadline in(Duration timeout) {
		return new Deadline(System.nanoTime(), timeout);
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
