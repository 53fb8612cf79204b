package io.cse.memory;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

import com.sun.management.HotSpotDiagnosticMXBean;
import io.cse.linux.ProcFs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link HeapTrimmer}, on the JVM that runs them.
 */
class HeapTrimmerTests {

	private static final String MAX_FREE = "MaxHeapFreeRatio";

	private static final String MIN_FREE = "MinHeapFreeRatio";

	private final HotSpotDiagnosticMXBean hotSpot = ManagementFactory
		.getPlatformMXBean(HotSpotDiagnosticMXBean.class);

	private final HeapTrimmer trimmer = new HeapTrimmer(new ProcFs(), 10);

	@Test
	void trimGivesGarbageHeapBackToTheOperatingSystem() {
		growHeapWithGarbage();
		MemoryReport report = this.trimmer.trim();
		assertThat(report.heapCommittedAfter()).isLessThan(report.heapCommittedBefore());
		assertThat(report.duration()).isPositive();
	}

	@Test
	@EnabledOnOs(OS.LINUX)
	void trimReportsTheResidentSizeOfTheProcess() {
		MemoryReport report = this.trimmer.trim();
		assertThat(report.residentBefore()).isPositive();
		assertThat(report.residentAfter()).isPositive();
	}

	@Test
	void trimLeavesTheHeapFreeRatiosAsItFoundThem() {
		String min = option(MIN_FREE);
		String max = option(MAX_FREE);
		growHeapWithGarbage();
		this.trimmer.trim();
		assertThat(option(MIN_FREE)).isEqualTo(min);
		assertThat(option(MAX_FREE)).isEqualTo(max);
	}

	@Test
	void trimLeavesTheApplicationsOwnHeapTuningAlone() {
		String min = option(MIN_FREE);
		String max = option(MAX_FREE);
		try {
			this.hotSpot.setVMOption(MIN_FREE, "20");
			this.hotSpot.setVMOption(MAX_FREE, "50");
			this.trimmer.trim();
			assertThat(option(MIN_FREE)).isEqualTo("20");
			assertThat(option(MAX_FREE)).isEqualTo("50");
		}
		finally {
			// Max first: the JVM refuses a Min above the current Max.
			this.hotSpot.setVMOption(MAX_FREE, max);
			this.hotSpot.setVMOption(MIN_FREE, min);
		}
	}

	private String option(String name) {
		return this.hotSpot.getVMOption(name).getValue();
	}

	/**
	 * Make the JVM commit about 200 MB more heap than it needs, then drop what fills it.
	 */
	private static void growHeapWithGarbage() {
		List<byte[]> garbage = new ArrayList<>();
		for (int i = 0; i < 200; i++) {
			garbage.add(new byte[1024 * 1024]);
		}
		assertThat(garbage).hasSize(200);
		garbage.clear();
	}

}
