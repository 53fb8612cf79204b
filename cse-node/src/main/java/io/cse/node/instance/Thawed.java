package io.cse.node.instance;

/**
 * What a thaw did.
 *
 * @param wasFrozen whether the cgroup was frozen
 * @param thawedByRequest whether a request had thawed the service before its thaw call
 * @param cgroupThawedMillis until the cgroup ran again
 * @param resumedMillis until the service said it runs
 * @param first200Millis until {@code /} answered 200
 */
public record Thawed(boolean wasFrozen, boolean thawedByRequest, double cgroupThawedMillis, double resumedMillis,
		double first200Millis) {
}
