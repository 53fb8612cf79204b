package io.cse.bench;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The instances a load generator spreads its requests over: a client-side round robin
 * over the base addresses that were added, each of which then gets every next request in
 * turn. What a load balancer in front of the instances would do, without its health
 * checks: whoever adds an address says that it serves (or that requests to it are held
 * until it does, as a frozen instance's are).
 */
final class Backends {

	private final List<URI> rotation = new CopyOnWriteArrayList<>();

	private final Map<URI, Served> served = new ConcurrentHashMap<>();

	private final AtomicLong turn = new AtomicLong();

	/**
	 * Put an instance into the rotation, from its next request on.
	 * @param base the instance's base address, as {@code http://host:port}
	 * @throws IllegalArgumentException if it is in the rotation already
	 */
	void add(URI base) {
		if (this.served.putIfAbsent(base, new Served(System.nanoTime())) != null) {
			throw new IllegalArgumentException(base + " is in the rotation already");
		}
		this.rotation.add(base);
	}

	/**
	 * The instance the next request goes to.
	 * @return its base address, or {@code null} if the rotation is empty
	 */
	URI next() {
		List<URI> now = this.rotation;
		int size = now.size();
		if (size == 0) {
			return null;
		}
		return now.get((int) Math.floorMod(this.turn.getAndIncrement(), (long) size));
	}

	List<URI> all() {
		return List.copyOf(this.rotation);
	}

	void answered(URI base, boolean ok, long answeredNanos) {
		Served counts = this.served.get(base);
		if (ok) {
			counts.ok.incrementAndGet();
			counts.first200Nanos.compareAndSet(0, answeredNanos);
		}
		else {
			counts.failed.incrementAndGet();
		}
	}

	/**
	 * What one instance answered so far.
	 * @param base the instance's base address
	 * @return its counts
	 * @throws IllegalArgumentException if it was never added
	 */
	Served served(URI base) {
		Served counts = this.served.get(base);
		if (counts == null) {
			throw new IllegalArgumentException(base + " was never in the rotation");
		}
		return counts;
	}

	/**
	 * The answers of one instance: when it entered the rotation, when it first answered
	 * 200 (0 until it has), how many of its answers were 200 and how many were not.
	 */
	static final class Served {

		final long addedNanos;

		final AtomicLong first200Nanos = new AtomicLong();

		final AtomicLong ok = new AtomicLong();

		final AtomicLong failed = new AtomicLong();

		Served(long addedNanos) {
			this.addedNanos = addedNanos;
		}

	}

}
