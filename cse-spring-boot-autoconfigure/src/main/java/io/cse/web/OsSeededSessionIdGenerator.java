package io.cse.web;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import io.cse.entropy.SecureRandomReseeder;
import org.apache.catalina.util.StandardSessionIdGenerator;

/**
 * Tomcat's standard session id generator, with generators seeded from the operating system.
 * <p>
 * Tomcat's own generator lets each new {@code SHA1PRNG} seed itself, and a {@code SHA1PRNG}
 * that seeds itself draws its seed from a generator the JDK keeps in static state: in a
 * clone restored from an image, that generator is a copy too, so new generators made by
 * every clone would produce the same session ids. This one gives each generator it makes a
 * seed from {@code /dev/urandom} before its first use. It honours the same settings (id
 * length, jvm route, and the algorithm, provider or class of the generators).
 */
public class OsSeededSessionIdGenerator extends StandardSessionIdGenerator {

	private final Queue<SecureRandom> randoms = new ConcurrentLinkedQueue<>();

	@Override
	protected void getRandomBytes(byte[] bytes) {
		// One generator per concurrent caller, returned for reuse, as Tomcat does: a
		// SecureRandom is synchronized, and session creation should not queue on one.
		SecureRandom random = this.randoms.poll();
		if (random == null) {
			random = create();
		}
		random.nextBytes(bytes);
		this.randoms.add(random);
	}

	private SecureRandom create() {
		SecureRandom random;
		try {
			random = instantiate();
		}
		catch (ReflectiveOperationException | GeneralSecurityException | ClassCastException ex) {
			throw new IllegalStateException("Cannot make a session id generator of class '" + getSecureRandomClass()
					+ "', algorithm '" + getSecureRandomAlgorithm() + "', provider '" + getSecureRandomProvider()
					+ "': fix the Manager's secureRandom settings (" + ex.getMessage() + ")", ex);
		}
		// Seeded before its first output: a SHA1PRNG then uses this seed alone, a DRBG takes
		// it as its entropy input, and a generator that reads the OS on every call mixes it in.
		SecureRandomReseeder.reseed(random);
		return random;
	}

	private SecureRandom instantiate() throws ReflectiveOperationException, GeneralSecurityException {
		String type = getSecureRandomClass();
		if (type != null && !type.isEmpty()) {
			return (SecureRandom) Class.forName(type, true, getClass().getClassLoader())
				.getConstructor()
				.newInstance();
		}
		String algorithm = getSecureRandomAlgorithm();
		if (algorithm == null || algorithm.isEmpty()) {
			return new SecureRandom();
		}
		String provider = getSecureRandomProvider();
		return (provider != null && !provider.isEmpty()) ? SecureRandom.getInstance(algorithm, provider)
				: SecureRandom.getInstance(algorithm);
	}

}
