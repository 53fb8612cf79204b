package io.cse.reseed.example;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A library's helper that keeps its generator where the starter does not look: in an
 * object that a bean refers to, not in a field of the bean itself.
 */
public class ShuffledBackends {

	private final List<String> backends;

	private final Random random = new Random();

	public ShuffledBackends(List<String> backends) {
		this.backends = List.copyOf(backends);
	}

	public String pick() {
		return this.backends.get(this.random.nextInt(this.backends.size()));
	}

	public List<String> order() {
		List<String> order = new ArrayList<>(this.backends);
		java.util.Collections.shuffle(order, this.random);
		return order;
	}

	/**
	 * Replace the seed of the generator.
	 * @param seed the new seed
	 */
	public void reseed(long seed) {
		this.random.setSeed(seed);
	}

}
