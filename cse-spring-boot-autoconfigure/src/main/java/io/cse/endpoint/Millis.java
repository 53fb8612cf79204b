package io.cse.endpoint;

import java.time.Duration;

/**
 * Durations as the endpoint shows them: milliseconds, with a fraction.
 */
final class Millis {

	private Millis() {
	}

	static Double of(Duration duration) {
		return (duration != null) ? duration.toNanos() / 1_000_000.0 : null;
	}

}
