package io.cse.web;

import java.security.SecureRandom;
import java.util.Random;

import io.cse.entropy.OsEntropy;
import io.cse.entropy.SecureRandomReseeder;

/**
 * Renews the generator behind a web server's session ids, whatever server made it.
 */
final class SessionIdRandoms {

	private SessionIdRandoms() {
	}

	/**
	 * Mix fresh entropy from the operating system into a generator that every clone would
	 * otherwise share. A {@code SecureRandom} that reads the operating system on every call
	 * (on Linux, {@code NativePRNG}) is unique per clone already and is left alone; a
	 * deterministic one ({@code DRBG}, {@code SHA1PRNG}) is reseeded, as a new one would
	 * seed itself from the JDK's static state, copied into every clone; a plain
	 * {@code Random} gets a new seed.
	 * @param random the generator, or {@code null}
	 * @return whether the generator was renewed
	 */
	static boolean reseed(Random random) {
		if (random instanceof SecureRandom) {
			SecureRandom secure = (SecureRandom) random;
			if (!SecureRandomReseeder.isDeterministic(secure)) {
				return false;
			}
			SecureRandomReseeder.reseed(secure);
			return true;
		}
		if (random != null) {
			random.setSeed(OsEntropy.nextLong());
			return true;
		}
		return false;
	}

}
