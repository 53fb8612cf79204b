package io.cse.entropy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.security.DrbgParameters;
import java.security.SecureRandom;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SecureRandomReseederTests {

	@Test
	void copiesOfASha1prngDivergeOnceReseeded() throws Exception {
		SecureRandom original = SecureRandom.getInstance("SHA1PRNG");
		original.nextLong();
		// A serialised copy carries the generator's whole state, as a snapshot does.
		SecureRandom copy = copyOf(original);
		SecureRandom otherCopy = copyOf(original);
		assertThat(copy.nextLong()).as("copies go on with the same sequence").isEqualTo(otherCopy.nextLong());

		SecureRandomReseeder reseeder = new SecureRandomReseeder(() -> List.of(copy, otherCopy));
		reseeder.prepare();
		assertThat(reseeder.reseed()).isEqualTo(2);

		assertThat(copy.nextLong()).isNotEqualTo(otherCopy.nextLong());
	}

	@Test
	void deterministicKindsAreReseededAndNativeOnesLeftAlone() throws Exception {
		SecureRandom sha1 = SecureRandom.getInstance("SHA1PRNG");
		SecureRandom drbg = SecureRandom.getInstance("DRBG", DrbgParameters.instantiation(256,
				DrbgParameters.Capability.RESEED_ONLY, null));
		SecureRandom nativePrng = SecureRandom.getInstance("NativePRNG");
		SecureRandom nonBlocking = SecureRandom.getInstance("NativePRNGNonBlocking");
		SecureRandomReseeder reseeder = new SecureRandomReseeder(
				() -> List.of(sha1, drbg, nativePrng, nonBlocking, sha1));
		reseeder.prepare();
		assertThat(reseeder.getTargets()).containsExactly(sha1, drbg);
		assertThat(reseeder.reseed()).isEqualTo(2);
		assertThat(drbg.nextLong()).isNotEqualTo(drbg.nextLong());
	}

	@Test
	void restoreOfAnUnpreparedImageFindsTheGeneratorsThen() throws Exception {
		SecureRandom sha1 = SecureRandom.getInstance("SHA1PRNG");
		assertThat(new SecureRandomReseeder(() -> List.of(sha1)).reseed()).isEqualTo(1);
	}

	@Test
	void algorithmsAreClassified() {
		assertThat(SecureRandomReseeder.isDeterministic("SHA1PRNG")).isTrue();
		assertThat(SecureRandomReseeder.isDeterministic("DRBG")).isTrue();
		assertThat(SecureRandomReseeder.isDeterministic("Hash_DRBG")).isTrue();
		assertThat(SecureRandomReseeder.isDeterministic("NativePRNG")).isFalse();
		assertThat(SecureRandomReseeder.isDeterministic("NativePRNGBlocking")).isFalse();
		assertThat(SecureRandomReseeder.isDeterministic("Windows-PRNG")).isFalse();
	}

	private static SecureRandom copyOf(SecureRandom random) throws IOException, ClassNotFoundException {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
			out.writeObject(random);
		}
		try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
			return (SecureRandom) in.readObject();
		}
	}

}
