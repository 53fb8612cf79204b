package io.cse.entropy;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class OsEntropyTests {

	@Test
	void bytesAreReadFreshOnEveryCall() {
		assertThat(OsEntropy.bytes(32)).hasSize(32).isNotEqualTo(OsEntropy.bytes(32));
		assertThat(OsEntropy.nextLong()).isNotEqualTo(OsEntropy.nextLong());
	}

	@Test
	void randomUuidIsAVersion4UuidOfItsOwn() {
		Set<UUID> uuids = new HashSet<>();
		for (int i = 0; i < 100; i++) {
			UUID uuid = OsEntropy.randomUuid();
			assertThat(uuid.version()).isEqualTo(4);
			assertThat(uuid.variant()).isEqualTo(2);
			uuids.add(uuid);
		}
		assertThat(uuids).hasSize(100);
	}

}
