package io.cse.snapshot;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * At most so many snapshots (dumps and clones) of a service in any minute: every image is
 * a copy of the service's memory on disk, and every snapshot stops its traffic for a
 * while, so whoever may call the endpoint must not be able to fill the disk or keep the
 * service quiesced.
 * <p>
 * The minute slides: a snapshot is refused while the given number started in the last
 * 60 seconds, with the time until the oldest of them leaves the window. A restored
 * instance remembers the snapshots of the process it was restored from, as all its
 * memory.
 */
public final class SnapshotRateLimit {

	/** No limit. */
	public static final SnapshotRateLimit NONE = new SnapshotRateLimit(0, Clock.systemUTC());

	private static final Duration WINDOW = Duration.ofMinutes(1);

	private final int maxPerMinute;

	private final Clock clock;

	private final Deque<Instant> started = new ArrayDeque<>();

	/**
	 * Create a limit.
	 * @param maxPerMinute the most snapshots in any minute, {@code 0} for no limit
	 * @param clock tells the time
	 * @throws IllegalArgumentException if the number is negative
	 */
	public SnapshotRateLimit(int maxPerMinute, Clock clock) {
		if (maxPerMinute < 0) {
			throw new IllegalArgumentException("The most snapshots in a minute cannot be " + maxPerMinute
					+ ": use 0 for no limit, or a positive number");
		}
		this.maxPerMinute = maxPerMinute;
		this.clock = clock;
	}

	/**
	 * Check that one more snapshot may start now.
	 * @param settingName what the users of the application call the setting
	 * @throws SnapshotRateLimitedException if as many started in the last minute
	 */
	synchronized void check(String settingName) {
		if (this.maxPerMinute == 0) {
			return;
		}
		Instant now = this.clock.instant();
		forgetBefore(now.minus(WINDOW));
		if (this.started.size() >= this.maxPerMinute) {
			Duration retryAfter = Duration.between(now, this.started.peekFirst().plus(WINDOW));
			long seconds = Math.max(1, (retryAfter.toMillis() + 999) / 1000);
			throw new SnapshotRateLimitedException(this.started.size() + " snapshot(s) started in the last minute, the "
					+ "most " + settingName + " allows: try again in " + seconds + " s", Duration.ofSeconds(seconds));
		}
	}

	/**
	 * Count a snapshot that starts now.
	 */
	synchronized void record() {
		if (this.maxPerMinute > 0) {
			this.started.addLast(this.clock.instant());
		}
	}

	private void forgetBefore(Instant windowStart) {
		while (!this.started.isEmpty() && !this.started.peekFirst().isAfter(windowStart)) {
			this.started.removeFirst();
		}
	}

	@Override
	public String toString() {
		return (this.maxPerMinute == 0) ? "no limit" : "at most " + this.maxPerMinute + " snapshot(s) a minute";
	}

}
