package io.cse.reseed;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Random;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

class SingletonSecureRandomsTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner();

	@Test
	void findsInstanceAndStaticFieldsOfSingletonsAndTheirSuperclasses() {
		this.contextRunner.withBean("tokens", TokenService.class).run((context) -> {
			TokenService tokens = context.getBean(TokenService.class);
			SingletonSecureRandoms source = new SingletonSecureRandoms(context.getBeanFactory());
			assertThat(source.find()).contains(tokens.random, (SecureRandom) tokens.asObject, tokens.inherited,
					TokenService.SHARED);
		});
	}

	static class Base {

		final SecureRandom inherited = new SecureRandom();

	}

	static class TokenService extends Base {

		static final SecureRandom SHARED = new SecureRandom();

		final SecureRandom random;

		final Object asObject;

		final Random plain = new Random();

		TokenService() throws NoSuchAlgorithmException {
			this.random = SecureRandom.getInstance("SHA1PRNG");
			this.asObject = SecureRandom.getInstance("SHA1PRNG");
		}

	}

}
