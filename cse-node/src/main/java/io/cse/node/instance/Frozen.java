package io.cse.node.instance;

/**
 * What a freeze did.
 *
 * @param before the footprint before
 * @param after the footprint after
 * @param quiescedMillis until the service answered its freeze
 * @param frozenMillis until its cgroup was frozen
 * @param totalMillis until the squeeze, if any, was done
 * @param squeezed whether it was squeezed
 * @param swapSetUp whether this freeze turned zram swap on
 */
public record Frozen(Footprint before, Footprint after, double quiescedMillis, double frozenMillis,
		double totalMillis, boolean squeezed, boolean swapSetUp) {
}
