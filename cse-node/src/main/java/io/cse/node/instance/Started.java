package io.cse.node.instance;

/**
 * An instance that answered 200: what {@code run}, {@code restore} and {@code clone} give
 * back.
 *
 * @param instance the instance, as registered
 * @param first200Millis milliseconds from the operation's start to its first 200
 * @param restoreMillis milliseconds from the start of its process (for a restore or clone,
 * of its {@code criu restore}) to its first 200: what a long-running agent would see
 */
public record Started(Instance instance, double first200Millis, double restoreMillis) {
}
