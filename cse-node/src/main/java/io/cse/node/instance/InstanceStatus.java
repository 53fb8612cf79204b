package io.cse.node.instance;

/**
 * One line of {@code cse ps}: an instance as registered, and what the host says about it
 * now.
 *
 * @param instance the instance, as registered
 * @param liveness whether its processes run
 * @param freezerState the state of its freezer cgroup ({@code FROZEN}, {@code THAWED},
 * {@code FREEZING}), or {@code null} for an instance in no cgroup of its own
 */
public record InstanceStatus(Instance instance, Liveness liveness, String freezerState) {
}
