package io.cse.node.instance;

/**
 * What a thaw did.
 *
 * @param wasFrozen whether the cgroup was frozen
 * @param thawedByRequest whether a request had thawed the service before its thaw call
 * @param cgroupThawedMillis until the cgroup ran again
 * @param resumedMillis until the service said it runs (its 200 to the thaw, or, when a
 * request had thawed it, its status saying {@code RUNNING})
 * @param first200Millis until the service served: the same moment, as its answer to the thaw
 * is a 200 of its web server with its traffic gate open
 */
public record Thawed(boolean wasFrozen, boolean thawedByRequest, double cgroupThawedMillis, double resumedMillis,
		double first200Millis) {
}
