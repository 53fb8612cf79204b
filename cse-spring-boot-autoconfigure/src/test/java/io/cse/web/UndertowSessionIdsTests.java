package io.cse.web;

import java.lang.reflect.Field;
import java.security.SecureRandom;

import io.undertow.server.session.SecureRandomSessionIdGenerator;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Undertow's session ids need no reseeding: its generator is the JVM's default
 * {@code SecureRandom}, which on Linux reads the operating system on every call, so every
 * clone draws ids of its own. (Where the default is a deterministic kind, the uniqueness
 * check names it.) Spring Boot 4 has no Undertow: this runs on Spring Boot 3.5.
 */
class UndertowSessionIdsTests {

	@Test
	void undertowsGeneratorIsTheJvmsDefaultNativePrng() throws ReflectiveOperationException {
		Field field = SecureRandomSessionIdGenerator.class.getDeclaredField("random");
		field.setAccessible(true);
		SecureRandom random = (SecureRandom) field.get(new SecureRandomSessionIdGenerator());
		assertThat(random.getAlgorithm()).isEqualTo(new SecureRandom().getAlgorithm()).isEqualTo("NativePRNG");
	}

}
