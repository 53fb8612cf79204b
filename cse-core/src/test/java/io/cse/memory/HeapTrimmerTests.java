package io.cse.memory;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import com.sun.management.HotSpotDiagnosticMXBean;
import io.cse.linux.ProcFs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

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
		assertThat(report.heapUsedAfter()).isLessThan(report.heapUsedBefore() - 100L * 1024 * 1024);
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
	@EnabledOnOs(OS.LINUX)
	void trimReturnsOnlyOnceTheOperatingSystemHasTheGarbageHeapBack() {
		growHeapWithGarbage();
		long residentWithGarbage = new ProcFs().residentBytes();
		this.trimmer.trim();
		// G1 uncommits on a thread of its own: read right after the trim, as a snapshot
		// or a cgroup freeze would, the process must already be smaller.
		long residentAfterTrim = new ProcFs().residentBytes();
		assertThat(residentWithGarbage - residentAfterTrim).isGreaterThan(100L * 1024 * 1024);
	}

	@Test
	@EnabledOnOs(OS.LINUX)
	void trimLetsTheHeapGrowBackWithoutTakingTheMemoryBack() {
		growHeapWithGarbage();
		long committedWithGarbage = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted();
		long residentWithGarbage = new ProcFs().residentBytes();
		this.trimmer.trim();
		// A heap left at its live data would collect, and start a marking cycle, at the next
		// megabyte allocated: it grows back, in memory not touched until the application
		// allocates in it.
		// G1 sizes a heap from the free ratio, at most 99 %: it grows back to half its former
		// size, or to 100 times its live data when it was larger still (as on a loaded
		// machine, where G1 expands the heap to keep its time spent collecting down).
		MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
		assertThat(heap.getCommitted()).isGreaterThan(Math.min(committedWithGarbage / 2, 50 * heap.getUsed()));
		assertThat(residentWithGarbage - new ProcFs().residentBytes()).isGreaterThan(100L * 1024 * 1024);
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

	@Test
	void trimBeforeASnapshotLetsTheJitSettleFirst() {
		HeapTrimmer settling = new HeapTrimmer(new ProcFs(), 10, Duration.ofMillis(300));
		assertThat(settling.trimForSnapshot().duration()).isGreaterThanOrEqualTo(Duration.ofMillis(300));
	}

	@Test
	void trimForAFreezeDoesNotWaitForTheJit() {
		HeapTrimmer settling = new HeapTrimmer(new ProcFs(), 10, Duration.ofSeconds(30));
		assertThat(settling.trim().duration()).isLessThan(Duration.ofSeconds(10));
	}

	@Test
	void aNegativeSettleTimeIsRefused() {
		assertThatIllegalArgumentException().isThrownBy(() -> new HeapTrimmer(new ProcFs(), 10, Duration.ofSeconds(-1)))
			.withMessageContaining("JIT settle time must not be negative");
	}

	@Test
	void heapInfoGivesWhereG1ReservedTheHeapAndWhatItCommitted() {
		// JDK 17, then JDK 21 onwards.
		assertThat(G1Heap.of("""
				 garbage-first heap   total 75776K, used 20044K [0x00000000f0000000, 0x0000000100000000)
				  region size 1024K, 3 young (3072K), 1 survivors (1024K)
				""")).isEqualTo(new G1Heap(0xf0000000L, 0x100000000L, 75776L * 1024));
		assertThat(G1Heap.of("""
				garbage-first heap   total reserved 262144K, committed 65536K, used 3501K \
				[0x00000000fc000000, 0x0000000100000000)
				 region size 1024K, 6 young (6144K), 4 survivors (4096K)
				""")).isEqualTo(new G1Heap(0xfc000000L, 0x100000000L, 65536L * 1024));
		assertThat(G1Heap.of("""
				 def new generation   total 9792K, used 1024K [0x00000000f0000000, 0x00000000f0aa0000)
				""")).isNull();
		assertThat(G1Heap.of(null)).isNull();
	}

	@Test
	void theJitIsIdleWhenNothingIsCompilingOrQueued() {
		assertThat(HeapTrimmer.isIdle(compilerQueue("", "Empty", "Empty"))).isTrue();
		assertThat(HeapTrimmer.isIdle(compilerQueue(
				"C2 CompilerThread0  4711   4       org.example.Service::handle (120 bytes)\n", "Empty", "Empty")))
			.isFalse();
		assertThat(HeapTrimmer.isIdle(compilerQueue("",
				"4712       3       java.util.HashMap::resize (356 bytes)", "Empty"))).isFalse();
	}

	/**
	 * What {@code jcmd <pid> Compiler.queue} prints, as the JVM's own output has it.
	 */
	private static String compilerQueue(String current, String c1Queue, String c2Queue) {
		return "Current compiles: \n" + current + "\nC1 compile queue:\n" + c1Queue + "\n\nC2 compile queue:\n"
				+ c2Queue + "\n";
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

	@Test
	void saysOnceWhenTheCollectorKeepsTheHeapItCollected() {
		List<String> warnings = new CopyOnWriteArrayList<>();
		Logger logger = Logger.getLogger(HeapTrimmer.class.getName());
		Handler handler = new Handler() {

			@Override
			public void publish(LogRecord record) {
				if (record.getLevel() == Level.WARNING) {
					warnings.add(record.getMessage());
				}
			}

			@Override
			public void flush() {
			}

			@Override
			public void close() {
			}

		};
		logger.addHandler(handler);
		HeapTrimmer.forgetWarned();
		try {
			long mib = 1024 * 1024;
			// Java 8's Parallel collector: 190 MiB used, 42 MiB after, 700 MiB committed before and after
			MemoryUsage before = new MemoryUsage(0, 190 * mib, 700 * mib, 4096 * mib);
			MemoryUsage kept = new MemoryUsage(0, 42 * mib, 700 * mib, 4096 * mib);
			MemoryUsage shrunk = new MemoryUsage(0, 42 * mib, 60 * mib, 4096 * mib);
			HeapTrimmer.warnIfNothingGivenBack(before, shrunk);
			assertThat(warnings).isEmpty();
			HeapTrimmer.warnIfNothingGivenBack(before, kept);
			HeapTrimmer.warnIfNothingGivenBack(before, kept);
			assertThat(warnings).hasSize(1);
			assertThat(warnings.get(0)).contains("collected 148 MiB of garbage")
				.contains("kept its 700 MiB of heap committed")
				.contains("-XX:+UseG1GC");
		}
		finally {
			logger.removeHandler(handler);
			HeapTrimmer.forgetWarned();
		}
	}

}
