package io.cse.node.pool;

import io.cse.node.instance.Instance;
import io.cse.node.instance.Thawed;

/**
 * A clone taken from a pool, serving.
 *
 * @param pool the pool
 * @param instance the clone: its name, address and instance id
 * @param fromPool {@code true} if it was a frozen clone of the pool; {@code false} if the
 * pool was empty and it was restored for the request
 * @param thawed how its thaw went ({@code null} when it was restored for the request)
 * @param millis from the request to the clone's first 200 on {@code /}
 */
public record Taken(String pool, Instance instance, boolean fromPool, Thawed thawed, double millis) {

}
