package io.cse.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link HostSpeed}: the yardstick every machine line ends with.
 */
class HostSpeedTests {

	@Test
	void theYardstickTimesBothJobsOnThisMachine() {
		HostSpeed speed = HostSpeed.measure();
		assertThat(speed.hashMillis()).isPositive();
		// every machine the benchmarks run on has /bin/true (coreutils)
		assertThat(speed.processMillis()).isPositive();
		assertThat(speed.describe()).matches("yardstick \\d+\\.\\d ms to hash 8 MiB, \\d+\\.\\d ms to start 20 processes");
	}

	@Test
	void aMachineWithoutTrueGetsTheHashAlone() {
		assertThat(new HostSpeed(31.25, -1).describe()).isEqualTo("yardstick 31.3 ms to hash 8 MiB");
	}

	@Test
	void theMachineLineEndsWithTheYardstick() {
		assertThat(BenchmarkReport.machine(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java")))
			.containsPattern("; measured \\d{4}-\\d{2}-\\d{2}; yardstick \\d+\\.\\d ms to hash 8 MiB");
	}

}
