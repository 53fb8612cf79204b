package io.cse.samples.hello;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * What a service hands out that must differ from one clone to the next: HTTP session ids, a
 * token from a {@code SHA1PRNG} generator made at start-up, and a number from
 * {@code ThreadLocalRandom}. Every clone restored from one image starts from the same
 * memory, so each of these repeats in every clone unless the generator is reseeded on the
 * restore, which the starter does.
 */
@RestController
class TokenController {

	private final SecureRandom tokens;

	TokenController() throws NoSuchAlgorithmException {
		this.tokens = SecureRandom.getInstance("SHA1PRNG");
		// Seeded now, at start-up, as a service that made its first token long before it
		// became a clone template.
		this.tokens.nextLong();
	}

	/**
	 * Create a new HTTP session (a request without the session cookie gets a new one).
	 * @param request the request
	 * @return the session's id
	 */
	@PostMapping("/sessions")
	Map<String, String> newSession(HttpServletRequest request) {
		return Map.of("session", request.getSession(true).getId());
	}

	/**
	 * Return the next token of the generator made at start-up.
	 * @return the token
	 */
	@GetMapping("/token")
	Map<String, String> token() {
		return Map.of("token", Long.toHexString(this.tokens.nextLong()));
	}

	/**
	 * Return the next number of {@code ThreadLocalRandom} on the request's thread.
	 * @return the number and the thread
	 */
	@GetMapping("/thread-local-random")
	Map<String, String> threadLocalRandom() {
		return Map.of("number", Long.toHexString(ThreadLocalRandom.current().nextLong()), "thread",
				Thread.currentThread().getName());
	}

	/**
	 * Return a token from a {@code SHA1PRNG} generator made now, without a seed of its own.
	 * Such a generator takes its seed from one the JDK keeps in static state, which every
	 * clone copies: the starter cannot reach it, so this repeats across clones (the
	 * end-to-end test shows it, and the docs say how to seed such generators).
	 * @return the token
	 * @throws NoSuchAlgorithmException never on a standard JDK
	 */
	@GetMapping("/token/self-seeded")
	Map<String, String> selfSeededToken() throws NoSuchAlgorithmException {
		return Map.of("token", Long.toHexString(SecureRandom.getInstance("SHA1PRNG").nextLong()));
	}

}
