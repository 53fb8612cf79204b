package io.cse.memory;

import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where G1 reserved the heap and how much of it is committed, as
 * {@code jcmd <pid> GC.heap_info} tells: the committed size there is G1's own, without
 * the regions a shrink has given up but not yet uncommitted.
 */
final class G1Heap {

	private final long start;

	private final long end;

	private final long committed;

	public G1Heap(long start, long end, long committed) {
		this.start = start;
		this.end = end;
		this.committed = committed;
	}

	public long start() {
		return this.start;
	}

	public long end() {
		return this.end;
	}

	public long committed() {
		return this.committed;
	}

	@Override
	public boolean equals(Object other) {
		if (this == other) {
			return true;
		}
		if (!(other instanceof G1Heap)) {
			return false;
		}
		G1Heap that = (G1Heap) other;
		return this.start == that.start
				&& this.end == that.end
				&& this.committed == that.committed;
	}

	@Override
	public int hashCode() {
		return Objects.hash(this.start, this.end, this.committed);
	}

	@Override
	public String toString() {
		return "G1Heap[start=" + this.start + ", end=" + this.end + ", committed=" + this.committed + "]";
	}

	private static final Pattern HEAP_INFO = Pattern.compile("garbage-first heap\\s+total "
			+ "(?:reserved \\d+K, committed )?(\\d+)K[^\\[]*\\[0x([0-9a-f]+), 0x([0-9a-f]+)\\)");

	/**
	 * Read the output of {@code GC.heap_info}.
	 * @param heapInfo the output (JDK 17 and JDK 21 onwards word it differently)
	 * @return the heap, or {@code null} if it is not G1's or the JVM did not tell
	 */
	static G1Heap of(String heapInfo) {
		Matcher heap = HEAP_INFO.matcher((heapInfo != null) ? heapInfo : "");
		return heap.find() ? new G1Heap(Long.parseUnsignedLong(heap.group(2), 16),
				Long.parseUnsignedLong(heap.group(3), 16), Long.parseLong(heap.group(1)) * 1024) : null;
	}

}
