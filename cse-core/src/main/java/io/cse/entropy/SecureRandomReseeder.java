package io.cse.entropy;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Mixes fresh entropy from the operating system into the {@link SecureRandom} instances of
 * the deterministic kinds that a {@link Source} finds.
 * <p>
 * {@code SHA1PRNG} and {@code DRBG} compute every output from a state in memory: two clones
 * restored from one image produce the same bytes, tokens and keys. {@code setSeed} adds to
 * that state rather than replacing it (for {@code SHA1PRNG} the state is hashed with the new
 * seed; for {@code DRBG} the bytes are the entropy input of its reseed function), so a
 * reseeded generator is at least as strong as before. {@code DRBG}'s own {@code reseed()}
 * is not used: without prediction resistance it draws its entropy from a {@code DRBG} the JDK
 * keeps in a static field, which is copied into every clone too.
 * <p>
 * Generators that read the operating system on every call ({@code NativePRNG} and its
 * variants, {@code Windows-PRNG}) are already unique per clone and are left alone, as are
 * generators of unknown algorithms.
 */
public class SecureRandomReseeder implements Reseeder {

	/** How many bytes of fresh entropy each generator gets: 256 bits, DRBG's highest strength. */
	static final int SEED_BYTES = 32;

	private final Source source;

	private volatile List<SecureRandom> targets;

	/**
	 * Create a reseeder for the generators the source finds.
	 * @param source finds the generators, while the instance is quiesced before a snapshot
	 */
	public SecureRandomReseeder(Source source) {
		this.source = source;
	}

	@Override
	public String getName() {
		return "secure-random";
	}

	@Override
	public void prepare() {
		this.targets = deterministic(this.source.find());
	}

	/**
	 * Return the generators that the next {@link #reseed()} reseeds.
	 * @return the deterministic generators found by the last {@link #prepare()}
	 */
	public List<SecureRandom> getTargets() {
		List<SecureRandom> current = this.targets;
		return (current != null) ? current : Collections.<SecureRandom>emptyList();
	}

	@Override
	public int reseed() {
		List<SecureRandom> current = this.targets;
		if (current == null) {
			// Not prepared (a restore of an image that some other code took): find them now.
			current = deterministic(this.source.find());
		}
		for (SecureRandom random : current) {
			reseed(random);
		}
		return current.size();
	}

	/**
	 * Return whether a generator computes its output from a state in memory alone, so that
	 * copies of it produce the same output.
	 * @param random the generator
	 * @return whether it is a {@code SHA1PRNG} or a {@code DRBG}
	 */
	public static boolean isDeterministic(SecureRandom random) {
		return isDeterministic(random.getAlgorithm());
	}

	/**
	 * Return whether generators of an algorithm compute their output from a state in memory
	 * alone.
	 * @param algorithm the algorithm, as {@link SecureRandom#getAlgorithm()} names it
	 * @return whether it is {@code SHA1PRNG} or {@code DRBG}
	 */
	public static boolean isDeterministic(String algorithm) {
		return "SHA1PRNG".equalsIgnoreCase(algorithm) || "DRBG".equalsIgnoreCase(algorithm)
				|| algorithm.toUpperCase(Locale.ROOT).endsWith("_DRBG");
	}

	/**
	 * Return the algorithm of the JVM's default generator, {@code new SecureRandom()}, which
	 * {@code UUID.randomUUID()} and most libraries use. On Linux it is {@code NativePRNG}
	 * unless {@code java.security.egd} or {@code securerandom.source} names a source other
	 * than {@code file:/dev/random} or {@code file:/dev/urandom} (the common
	 * {@code -Djava.security.egd=file:/dev/./urandom} does): it is then {@code DRBG}, whose
	 * instances are seeded from a generator in the JDK's static state.
	 * @return the algorithm
	 */
	public static String defaultAlgorithm() {
		return new SecureRandom().getAlgorithm();
	}

	/**
	 * Mix fresh entropy from the operating system into one generator.
	 * @param random the generator
	 */
	public static void reseed(SecureRandom random) {
		random.setSeed(OsEntropy.bytes(SEED_BYTES));
	}

	private static List<SecureRandom> deterministic(Collection<SecureRandom> found) {
		Map<SecureRandom, Boolean> unique = new IdentityHashMap<SecureRandom, Boolean>();
		List<SecureRandom> targets = new ArrayList<SecureRandom>();
		for (SecureRandom random : found) {
			if (random != null && !unique.containsKey(random) && isDeterministic(random)) {
				unique.put(random, Boolean.TRUE);
				targets.add(random);
			}
		}
		return Collections.unmodifiableList(targets);
	}

	/**
	 * Finds the generators to reseed.
	 */
	public interface Source {

		/**
		 * Find the generators that may have been seeded before a snapshot.
		 * @return the generators, of any algorithm
		 */
		Collection<SecureRandom> find();

	}

}
