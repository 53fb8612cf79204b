package io.cse.snapshot;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNoException;

/**
 * Tests for {@link SnapshotRateLimit}.
 */
class SnapshotRateLimitTests {

	private final MovableClock clock = new MovableClock();

	@Test
	void refusesOneMoreInTheSameMinuteAndSaysWhenToTryAgain() {
		SnapshotRateLimit limit = new SnapshotRateLimit(2, this.clock);
		take(limit);
		this.clock.advance(Duration.ofSeconds(20));
		take(limit);
		this.clock.advance(Duration.ofSeconds(10));
		assertThatExceptionOfType(SnapshotRateLimitedException.class).isThrownBy(() -> limit.check("max-per-minute"))
			.withMessage("2 snapshot(s) started in the last minute, the most max-per-minute allows: try again in 30 s")
			.satisfies((ex) -> assertThat(ex.getRetryAfter()).isEqualTo(Duration.ofSeconds(30)));
		// The first leaves the window a minute after it started
		this.clock.advance(Duration.ofSeconds(30));
		assertThatNoException().isThrownBy(() -> limit.check("max-per-minute"));
	}

	@Test
	void aRefusedCheckTakesNothingFromTheLimit() {
		SnapshotRateLimit limit = new SnapshotRateLimit(1, this.clock);
		take(limit);
		for (int i = 0; i < 5; i++) {
			assertThatExceptionOfType(SnapshotRateLimitedException.class).isThrownBy(() -> limit.check("limit"));
		}
		this.clock.advance(Duration.ofMinutes(1));
		take(limit);
	}

	@Test
	void zeroIsNoLimitAndANegativeNumberIsRefused() {
		SnapshotRateLimit none = new SnapshotRateLimit(0, this.clock);
		for (int i = 0; i < 100; i++) {
			take(none);
		}
		assertThatIllegalArgumentException().isThrownBy(() -> new SnapshotRateLimit(-1, this.clock))
			.withMessageContaining("use 0 for no limit");
	}

	private static void take(SnapshotRateLimit limit) {
		limit.check("limit");
		limit.record();
	}

	private static final class MovableClock extends Clock {

		private Instant now = Instant.parse("2026-12-03T10:00:00Z");

		void advance(Duration duration) {
			this.now = this.now.plus(duration);
		}

		@Override
		public ZoneId getZone() {
			return ZoneOffset.UTC;
		}

		@Override
		public Clock withZone(ZoneId zone) {
			return this;
		}

		@Override
		public Instant instant() {
			return this.now;
		}

	}

}
