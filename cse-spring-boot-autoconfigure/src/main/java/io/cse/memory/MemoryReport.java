package io.cse.memory;

import java.time.Duration;

/**
 * Heap and process memory before and after a heap trim.
 *
 * @param heapUsedBefore heap bytes in use before the trim, garbage included
 * @param heapUsedAfter heap bytes in use after the trim: about the live data
 * @param residentBefore resident set size of the process before the trim, or {@code -1}
 * where the platform does not tell
 * @param residentAfter resident set size of the process after the trim, or {@code -1}
 * @param duration how long the trim took
 */
public record MemoryReport(long heapUsedBefore, long heapUsedAfter, long residentBefore,
		long residentAfter, Duration duration) {

}
