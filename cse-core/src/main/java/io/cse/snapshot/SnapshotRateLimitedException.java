package io.cse.snapshot;

import java.time.Duration;

/**
 * Thrown when a snapshot is refused because as many as the service allows started in the
 * last minute ({@link SnapshotRateLimit}). Nothing changed.
 */
public class SnapshotRateLimitedException extends RuntimeException {

	private final Duration retryAfter;

	/**
	 * Create an exception.
	 * @param message what happened and when to try again
	 * @param retryAfter how long until one more snapshot may start
	 */
	public SnapshotRateLimitedException(String message, Duration retryAfter) {
		super(message);
		this.retryAfter = retryAfter;
	}

	/**
	 * Return how long until one more snapshot may start.
	 * @return the time, a whole number of seconds
	 */
	public Duration getRetryAfter() {
		return this.retryAfter;
	}

}
