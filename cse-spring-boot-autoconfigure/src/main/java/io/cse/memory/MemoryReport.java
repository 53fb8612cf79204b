package io.cse.memory;

import java.time.Duration;

/**
 * Heap and process memory before and after a heap trim.
 *
 * @param heapCommittedBefore committed heap bytes before the trim
 * @param heapCommittedAfter committed heap bytes after the trim
 * @param residentBefore resident set size of the process before the trim, or {@code -1}
 * where the platform does not tell
 * @param residentAfter resident set size of the process after the trim, or {@code -1}
 * @param duration how long the trim took
 */
public record MemoryReport(long heapCommittedBefore, long heapCommittedAfter, long residentBefore,
		long residentAfter, Duration duration) {

}
