package io.cse.node.agent;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * One operation at a time per instance (or pool): a second one that arrives while the
 * first runs gets a 409 that names what is under way, rather than interleaving with it.
 */
final class InstanceLocks {

	private final ConcurrentMap<String, String> busy = new ConcurrentHashMap<>();

	/**
	 * Mark a resource busy for the length of an operation.
	 * @param resource the instance or pool, for example {@code instance hello}
	 * @param operation what runs on it, for example {@code freeze}
	 * @return a handle that frees the resource when closed
	 * @throws ApiException (409) when another operation runs on it
	 */
	Held acquire(String resource, String operation) {
		String running = this.busy.putIfAbsent(resource, operation);
		if (running != null) {
			throw ApiException.conflict("A " + running + " of " + resource + " is under way: retry when it has "
					+ "ended (this " + operation + " changed nothing)");
		}
		return () -> this.busy.remove(resource, operation);
	}

	/**
	 * A resource held busy; closing it frees the resource.
	 */
	interface Held extends AutoCloseable {

		@Override
		void close();

	}

}
