package io.cse.memory;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;

import javax.management.JMException;
import javax.management.ObjectName;

import com.sun.management.HotSpotDiagnosticMXBean;
import io.cse.linux.ProcFs;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Gives unused heap back to the operating system before a freeze or a snapshot: a full
 * collection with the heap allowed to shrink far more than the JVM's defaults allow.
 * <p>
 * {@code MaxHeapFreeRatio} and {@code MinHeapFreeRatio} are manageable HotSpot flags: the
 * trim lowers them for the one collection it triggers, then puts them back, so the
 * application's own tuning is left alone. A frozen process then holds, and a snapshot
 * then carries, roughly the live data instead of the whole committed heap.
 */
public class HeapTrimmer {

	private static final Log logger = LogFactory.getLog(HeapTrimmer.class);

	private static final String MAX_FREE = "MaxHeapFreeRatio";

	private static final String MIN_FREE = "MinHeapFreeRatio";

	private final ProcFs procFs;

	private final int maxHeapFreeRatio;

	/**
	 * Create a trimmer.
	 * @param procFs reads the resident memory of the process
	 * @param maxHeapFreeRatio the percentage of free heap left committed after the trim
	 */
	public HeapTrimmer(ProcFs procFs, int maxHeapFreeRatio) {
		if (maxHeapFreeRatio < 0 || maxHeapFreeRatio > 100) {
			throw new IllegalArgumentException("cse.freeze.max-heap-free-ratio must be between 0 and 100, not "
					+ maxHeapFreeRatio);
		}
		this.procFs = procFs;
		this.maxHeapFreeRatio = maxHeapFreeRatio;
	}

	/**
	 * Collect garbage and shrink the heap, measuring memory before and after.
	 * @return heap and resident memory before and after
	 */
	public MemoryReport trim() {
		MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
		long heapBefore = memory.getHeapMemoryUsage().getCommitted();
		long residentBefore = this.procFs.residentBytes();
		long start = System.nanoTime();
		HotSpotDiagnosticMXBean hotSpot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
		String previousMin = readOption(hotSpot, MIN_FREE);
		String previousMax = readOption(hotSpot, MAX_FREE);
		boolean minLowered = false;
		boolean maxLowered = false;
		try {
			if (previousMin != null && previousMax != null) {
				int targetMin = Math.min(Integer.parseInt(previousMin), Math.max(0, this.maxHeapFreeRatio - 1));
				// Lower Min first: the JVM refuses a Max below the current Min.
				minLowered = setOption(hotSpot, MIN_FREE, Integer.toString(targetMin));
				maxLowered = minLowered && setOption(hotSpot, MAX_FREE, Integer.toString(this.maxHeapFreeRatio));
			}
			System.gc();
		}
		finally {
			// Put back each flag that was changed, Max first, so that Min <= Max at every step.
			if (maxLowered) {
				setOption(hotSpot, MAX_FREE, previousMax);
			}
			if (minLowered) {
				setOption(hotSpot, MIN_FREE, previousMin);
			}
		}
		trimNativeHeap();
		Duration duration = Duration.ofNanos(System.nanoTime() - start);
		return new MemoryReport(heapBefore, memory.getHeapMemoryUsage().getCommitted(), residentBefore,
				this.procFs.residentBytes(), duration);
	}

	/**
	 * Hand the C heap's free pages back too ({@code jcmd <pid> System.trim_native_heap}):
	 * a collection frees native memory (class metadata, GC structures) that the C library
	 * otherwise keeps. JDKs older than 17.0.9 lack the command and skip this step.
	 */
	private static void trimNativeHeap() {
		try {
			ManagementFactory.getPlatformMBeanServer()
				.invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"), "systemTrimNativeHeap",
						new Object[] { new String[0] }, new String[] { String[].class.getName() });
		}
		catch (JMException | RuntimeException ex) {
			logger.debug("Cannot trim the native heap: " + ex.getMessage());
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

	private static boolean setOption(HotSpotDiagnosticMXBean hotSpot, String name, String value) {
		try {
			hotSpot.setVMOption(name, value);
			return true;
		}
		catch (IllegalArgumentException ex) {
			// A collector or JVM that does not manage this flag: trim with what it has.
			logger.debug("Cannot set " + name + "=" + value + ": " + ex.getMessage());
			return false;
		}
	}

}
