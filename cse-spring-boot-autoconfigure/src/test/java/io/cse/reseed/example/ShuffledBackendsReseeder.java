package io.cse.reseed.example;

import io.cse.entropy.OsEntropy;
import io.cse.entropy.Reseeder;

import org.springframework.stereotype.Component;

/**
 * Gives the generator of {@link ShuffledBackends} a seed of its own on every restore, so
 * that clones do not all pick the same backend first.
 */
@Component
public class ShuffledBackendsReseeder implements Reseeder {

	private final ShuffledBackends backends;

	public ShuffledBackendsReseeder(ShuffledBackends backends) {
		this.backends = backends;
	}

	@Override
	public String getName() {
		return "shuffled-backends";
	}

	@Override
	public int reseed() {
		// From the operating system: a generator in memory would be a copy in every clone.
		this.backends.reseed(OsEntropy.nextLong());
		return 1;
	}

}
