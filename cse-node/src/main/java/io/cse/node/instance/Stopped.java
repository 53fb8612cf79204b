package io.cse.node.instance;

/**
 * An instance that was stopped, and everything it used removed.
 *
 * @param instance the instance, as it was registered
 * @param before what it was doing before the stop ({@link Liveness#DEAD}: the stop only
 * removed what it left)
 */
public record Stopped(Instance instance, Liveness before) {
}
