package io.cse.node.instance;

/**
 * What a service costs at one moment. A figure the host could not read is {@code -1}.
 *
 * @param cpuMillis CPU time of its main process so far (user and system, all threads)
 * @param residentBytes its resident memory ({@code VmRSS})
 * @param chargedBytes the memory charged to its cgroup ({@code memory.usage_in_bytes})
 * @param swappedBytes what zram holds, uncompressed (all of the device, not only this
 * service's)
 * @param compressedBytes the same, compressed
 */
public record Footprint(long cpuMillis, long residentBytes, long chargedBytes, long swappedBytes,
		long compressedBytes) {
}
