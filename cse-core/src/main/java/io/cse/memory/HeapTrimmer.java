package io.cse.memory;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryUsage;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Logger;

import javax.management.JMException;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;

import com.sun.management.HotSpotDiagnosticMXBean;
import io.cse.linux.ProcFs;

/**
 * Gives unused heap back to the operating system before a freeze or a snapshot: a full
 * collection with the heap allowed to shrink far more than the JVM's defaults allow.
 * <p>
 * {@code MaxHeapFreeRatio} and {@code MinHeapFreeRatio} are manageable HotSpot flags: the
 * trim lowers them for the one collection it triggers, then puts them back, so the
 * application's own tuning is left alone. A frozen process then holds, and a snapshot
 * then carries, roughly the live data instead of the whole committed heap.
 * <p>
 * The trim returns once the operating system has the memory back (G1 gives it back on a
 * thread of its own), lets the heap grow back to its former size in fresh, untouched
 * memory (so that the next allocations neither collect nor start a marking cycle), and
 * trims the C heap's free pages too. Before a snapshot it can also let the JIT compilers
 * settle first: see {@link #trimForSnapshot()}.
 */
public class HeapTrimmer {

	private static final Logger logger = Logger.getLogger(HeapTrimmer.class.getName());

	private static final String MAX_FREE = "MaxHeapFreeRatio";

	private static final String MIN_FREE = "MinHeapFreeRatio";

	private static final ObjectName DIAGNOSTIC_COMMAND = diagnosticCommand();

	private static final boolean PARALLEL_ON_JAVA_8 = parallelOnJava8();

	/**
	 * G1 starts uncommitting 100 ms after the collection and gives back 128 MB a step:
	 * a heap of a few GB is back well within this.
	 */
	private static final Duration UNCOMMIT_TIMEOUT = Duration.ofSeconds(1);

	private static final Duration UNCOMMIT_POLL = Duration.ofMillis(2);

	private static final Duration JIT_POLL = Duration.ofMillis(20);

	/** Whether {@link #warnIfNothingGivenBack} has said it: once per JVM is enough. */
	private static volatile boolean warnedNothingGivenBack;

	private final ProcFs procFs;

	private final int maxHeapFreeRatio;

	private final Duration jitSettleTime;

	/**
	 * Create a trimmer that trims at once before snapshots too.
	 * @param procFs reads the resident memory of the process
	 * @param maxHeapFreeRatio the percentage of free heap left committed after the trim
	 */
	public HeapTrimmer(ProcFs procFs, int maxHeapFreeRatio) {
		this(procFs, maxHeapFreeRatio, Duration.ZERO);
	}

	/**
	 * Create a trimmer.
	 * @param procFs reads the resident memory of the process
	 * @param maxHeapFreeRatio the percentage of free heap left committed after the trim
	 * @param jitSettleTime how long a trim before a snapshot lets the JIT compilers rest
	 * before it trims the C heap (see {@link #trimForSnapshot()}); zero not to wait
	 */
	public HeapTrimmer(ProcFs procFs, int maxHeapFreeRatio, Duration jitSettleTime) {
		if (maxHeapFreeRatio < 0 || maxHeapFreeRatio > 100) {
			throw new IllegalArgumentException("The max heap free ratio must be between 0 and 100, not "
					+ maxHeapFreeRatio);
		}
		if (jitSettleTime.isNegative()) {
			throw new IllegalArgumentException("The JIT settle time must not be negative, not " + jitSettleTime);
		}
		this.procFs = procFs;
		this.maxHeapFreeRatio = maxHeapFreeRatio;
		this.jitSettleTime = jitSettleTime;
	}

	/**
	 * Collect garbage and shrink the heap, measuring memory before and after: what a freeze
	 * does, at once.
	 * @return heap and resident memory before and after
	 */
	public MemoryReport trim() {
		return trim(Duration.ZERO);
	}

	/**
	 * Trim before a snapshot: as {@link #trim()}, but the C heap is trimmed only once the
	 * JIT compilers have nothing under way or queued and the settle time has passed.
	 * HotSpot keeps the working memory of finished compilations in a pool and hands it back
	 * to the C heap only every five seconds; a trim sooner leaves it in the image (about
	 * 20 MB of a Spring Boot web service compiling after its warm-up). A snapshot is taken
	 * once and restored many times: the wait pays for itself.
	 * @return heap and resident memory before and after
	 */
	public MemoryReport trimForSnapshot() {
		return trim(this.jitSettleTime);
	}

	private MemoryReport trim(Duration jitSettle) {
		MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
		MemoryUsage heapBefore = memory.getHeapMemoryUsage();
		long residentBefore = this.procFs.residentBytes();
		long start = System.nanoTime();
		collectAndShrink();
		warnIfNothingGivenBack(heapBefore, memory.getHeapMemoryUsage());
		// Parallel grows a generation when an allocation needs it, with no marking cycle to
		// keep away, and never resizes after System.gc(): a regrowth would only collect again.
		if (awaitUncommit() && !PARALLEL_ON_JAVA_8) {
			// Only then: G1 grows first into regions given up but not yet uncommitted, and
			// the garbage in them would stay.
			regrowHeadroom(memory, heapBefore.getCommitted());
		}
		if (!jitSettle.isZero()) {
			awaitJitSettled(jitSettle);
		}
		trimNativeHeap();
		Duration duration = Duration.ofNanos(System.nanoTime() - start);
		return new MemoryReport(heapBefore.getUsed(), memory.getHeapMemoryUsage().getUsed(), residentBefore,
				this.procFs.residentBytes(), duration);
	}

	/**
	 * Say once, at WARN, when the collector collected but kept the whole heap committed:
	 * the Parallel collector does after Java 8, whatever the free ratios (see
	 * {@link #collectSoThatTheHeapMayShrink()}), so its freezes and images keep the memory
	 * the garbage took.
	 */
	static void warnIfNothingGivenBack(MemoryUsage before, MemoryUsage after) {
		boolean collected = after.getUsed() < before.getUsed() / 2;
		boolean keptCommitted = after.getCommitted() >= before.getCommitted() && after.getUsed() < before.getCommitted() / 2;
		if (collected && keptCommitted && !warnedNothingGivenBack) {
			warnedNothingGivenBack = true;
			logger.warning("The heap trim collected " + ((before.getUsed() - after.getUsed()) >> 20)
					+ " MiB of garbage but the " + collectorNames() + " collector of Java "
					+ System.getProperty("java.version") + " kept its " + (after.getCommitted() >> 20)
					+ " MiB of heap committed, so frozen instances and images keep that memory: run the service with "
					+ "-XX:+UseG1GC, which gives it back");
		}
	}

	/** Lets the next trim that gives nothing back warn again (for tests). */
	static void forgetWarned() {
		warnedNothingGivenBack = false;
	}

	private static String collectorNames() {
		StringBuilder names = new StringBuilder();
		for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
			names.append((names.length() == 0) ? "" : " / ").append(collector.getName());
		}
		return names.toString();
	}

	private void collectAndShrink() {
		collectWithFreeRatios(Math.max(0, this.maxHeapFreeRatio - 1), this.maxHeapFreeRatio, true,
				HeapTrimmer::collectSoThatTheHeapMayShrink);
	}

	/**
	 * A full collection after which the collector sizes the heap from the free ratios.
	 * G1 does so after {@link System#gc()}. Java 8's default collector, Parallel, does not:
	 * it skips its sizing step after a collection the application asked for
	 * ({@code System.gc()}, {@code jcmd GC.run}), and its heap stays committed, the pages
	 * of the garbage included, in every freeze and image. It does size after the full
	 * collection of a class histogram ({@code jcmd GC.class_histogram}, a heap inspection):
	 * its old generation then shrinks to the live data and the ratio (measured on 8u504:
	 * 496 to 189 MiB committed, 505 to 250 MiB resident). Parallel on later JDKs shrinks
	 * after neither, and they default to G1.
	 */
	private static void collectSoThatTheHeapMayShrink() {
		if (PARALLEL_ON_JAVA_8 && diagnosticCommand("gcClassHistogram") != null) {
			return;
		}
		System.gc();
	}

	private static boolean parallelOnJava8() {
		if (!"1.8".equals(System.getProperty("java.specification.version"))) {
			return false;
		}
		for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
			if ("PS MarkSweep".equals(collector.getName())) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Let the heap grow back to the size it had before the trim, with a second collection.
	 * A heap shrunk to its live data has a young generation of a region or two and its old
	 * data above G1's threshold for concurrent marking: the next megabyte allocated starts a
	 * collection and a marking cycle, which then runs across the freeze (or into the image)
	 * and, after the thaw, walks pages that a squeeze pushed out to swap. Regions committed
	 * anew are not touched until the application allocates in them, so the memory the trim
	 * gave back stays given back. G1's free ratio goes up to 99 %: a heap that was more than
	 * 100 times its live data grows back to 100 times its live data.
	 */
	private void regrowHeadroom(MemoryMXBean memory, long heapBefore) {
		MemoryUsage heap = memory.getHeapMemoryUsage();
		if (heap.getCommitted() >= heapBefore || heap.getUsed() <= 0 || heap.getUsed() >= heapBefore) {
			return; // nothing was given back (a fixed-size heap), or nothing to grow into
		}
		int freeRatio = (int) Math.min(99, 100 - (100 * heap.getUsed() + heapBefore - 1) / heapBefore);
		collectWithFreeRatios(freeRatio, 100, false, System::gc);
	}

	/**
	 * Collect with the free-heap ratios set for that one collection, then put back the
	 * application's own.
	 * @param lowerOnly only ever lower the ratios (a trim), never raise them
	 * @param collection the full collection to run
	 */
	private void collectWithFreeRatios(int min, int max, boolean lowerOnly, Runnable collection) {
		HotSpotDiagnosticMXBean hotSpot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
		String previousMin = readOption(hotSpot, MIN_FREE);
		String previousMax = readOption(hotSpot, MAX_FREE);
		if (previousMin == null || previousMax == null) {
			collection.run();
			return;
		}
		int oldMin = Integer.parseInt(previousMin);
		int oldMax = Integer.parseInt(previousMax);
		int newMin = lowerOnly ? Math.min(oldMin, min) : min;
		int newMax = lowerOnly ? Math.min(oldMax, max) : max;
		setRatios(hotSpot, oldMax, newMin, newMax);
		try {
			collection.run();
		}
		finally {
			String currentMax = readOption(hotSpot, MAX_FREE);
			setRatios(hotSpot, (currentMax != null) ? Integer.parseInt(currentMax) : oldMax, oldMin, oldMax);
		}
	}

	/**
	 * Set both ratios in the order that keeps {@code MinHeapFreeRatio <= MaxHeapFreeRatio}
	 * at every step: the JVM refuses any other.
	 */
	private static void setRatios(HotSpotDiagnosticMXBean hotSpot, int currentMax, int min, int max) {
		if (min <= currentMax) {
			setOption(hotSpot, MIN_FREE, Integer.toString(min));
			setOption(hotSpot, MAX_FREE, Integer.toString(max));
		}
		else {
			setOption(hotSpot, MAX_FREE, Integer.toString(max));
			setOption(hotSpot, MIN_FREE, Integer.toString(min));
		}
	}

	/**
	 * Wait until no compilation is under way or queued ({@code jcmd <pid> Compiler.queue}),
	 * then for the settle time, so that the JVM's pool cleaner has run after the last one.
	 * A JIT that keeps compiling is waited for three settle times at most.
	 */
	private static void awaitJitSettled(Duration settle) {
		long giveUp = System.nanoTime() + settle.multipliedBy(3).toNanos();
		while (!jitIdle() && System.nanoTime() - giveUp < 0) {
			LockSupport.parkNanos(JIT_POLL.toNanos());
		}
		LockSupport.parkNanos(settle.toNanos());
	}

	private static boolean jitIdle() {
		String queue = diagnosticCommand("compilerQueue");
		return queue == null || isIdle(queue); // a JVM that does not tell: nothing to wait for
	}

	/**
	 * Read {@code jcmd <pid> Compiler.queue}: a line per compilation under way after
	 * "Current compiles:", a line per queued one after each "... compile queue:" (or
	 * "Empty").
	 */
	static boolean isIdle(String compilerQueue) {
		for (String line : compilerQueue.split("\n")) {
			String text = line.trim();
			if (!text.isEmpty() && !text.equals("Empty") && !text.startsWith("Current compiles")
					&& !text.endsWith("compile queue:")) {
				return false;
			}
		}
		return true;
	}

	/**
	 * Wait until the operating system has the pages of the shrunk heap back. G1 (JDK 17
	 * and later) uncommits the regions a shrink gave up on a thread of its own, about a
	 * hundred milliseconds after the collection: a snapshot dumped, or a cgroup frozen,
	 * sooner would still carry them, garbage and all. Other collectors uncommit within the
	 * collection itself.
	 * @return whether the heap maps no more than G1 has committed (or is not G1's);
	 * {@code false} when G1 took too long, or {@code /proc} does not tell
	 */
	private boolean awaitUncommit() {
		G1Heap heap = G1Heap.of(diagnosticCommand("gcHeapInfo"));
		if (heap == null) {
			return true;
		}
		long deadline = System.nanoTime() + UNCOMMIT_TIMEOUT.toNanos();
		long mapped = this.procFs.writableBytes(heap.start(), heap.end());
		while (mapped > heap.committed()) {
			if (System.nanoTime() - deadline > 0) {
				logger.fine("The JVM still maps " + mapped + " bytes of heap after " + UNCOMMIT_TIMEOUT.toMillis()
						+ " ms; going on without waiting for the rest");
				return false;
			}
			LockSupport.parkNanos(UNCOMMIT_POLL.toNanos());
			// G1 may also grow again meanwhile, for the allocations of other threads.
			G1Heap now = G1Heap.of(diagnosticCommand("gcHeapInfo"));
			heap = (now != null) ? now : heap;
			mapped = this.procFs.writableBytes(heap.start(), heap.end());
		}
		return mapped >= 0;
	}

	/**
	 * Hand the C heap's free pages back too ({@code jcmd <pid> System.trim_native_heap}):
	 * a collection frees native memory (class metadata, GC structures) that the C library
	 * otherwise keeps. JDKs older than 17.0.9 lack the command and skip this step.
	 */
	private static void trimNativeHeap() {
		diagnosticCommand("systemTrimNativeHeap");
	}

	/**
	 * Run one of the JVM's diagnostic commands, as {@code jcmd} would, in this JVM.
	 * @param operation the command's operation on the DiagnosticCommand MBean
	 * ({@code gcHeapInfo} for {@code GC.heap_info})
	 * @return what the command printed, or {@code null} if this JVM lacks it
	 */
	private static String diagnosticCommand(String operation) {
		try {
			Object output = ManagementFactory.getPlatformMBeanServer()
				.invoke(DIAGNOSTIC_COMMAND, operation, new Object[] { new String[0] },
						new String[] { String[].class.getName() });
			return String.valueOf(output);
		}
		catch (JMException | RuntimeException ex) {
			logger.fine("Cannot run the diagnostic command " + operation + ": " + ex.getMessage());
			return null;
		}
	}

	private static ObjectName diagnosticCommand() {
		try {
			return new ObjectName("com.sun.management:type=DiagnosticCommand");
		}
		catch (MalformedObjectNameException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static String readOption(HotSpotDiagnosticMXBean hotSpot, String name) {
		if (hotSpot == null) {
			return null;
		}
		try {
			return hotSpot.getVMOption(name).getValue();
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
	}

	private static void setOption(HotSpotDiagnosticMXBean hotSpot, String name, String value) {
		try {
			hotSpot.setVMOption(name, value);
		}
		catch (IllegalArgumentException ex) {
			// A collector or JVM that does not manage this flag: trim with what it has.
			logger.fine("Cannot set " + name + "=" + value + ": " + ex.getMessage());
		}
	}

}
