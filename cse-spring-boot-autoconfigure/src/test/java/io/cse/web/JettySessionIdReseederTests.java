package io.cse.web;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.security.SecureRandom;
import java.util.Random;

import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.session.DefaultSessionIdManager;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link JettySessionIdReseeder} on a Jetty server's session id manager.
 */
class JettySessionIdReseederTests {

	@Test
	void aDeterministicGeneratorNoLongerGivesWhatACopyGives() throws Exception {
		SecureRandom generator = SecureRandom.getInstance("SHA1PRNG");
		generator.nextLong();
		// A serialised copy carries the generator's state, as every clone of an image does.
		SecureRandom copy = copyOf(generator);
		Server server = serverWith(generator);

		assertThat(JettySessionIdReseeder.reseed(server)).isEqualTo(1);

		assertThat(generator.nextLong()).isNotEqualTo(copy.nextLong());
	}

	@Test
	void aWeakRandomGetsASeedOfItsOwn() {
		Random generator = new Random(42);
		Server server = serverWith(generator);
		assertThat(JettySessionIdReseeder.reseed(server)).isEqualTo(1);
		assertThat(generator.nextLong()).isNotEqualTo(new Random(42).nextLong());
	}

	@Test
	void jettysOwnGeneratorReadsTheOperatingSystemHereAndIsLeftAlone() throws Exception {
		Server server = new Server();
		DefaultSessionIdManager manager = new DefaultSessionIdManager(server);
		server.addBean(manager);
		manager.initRandom();
		assertThat(manager.getRandom()).isInstanceOf(SecureRandom.class);
		assertThat(((SecureRandom) manager.getRandom()).getAlgorithm()).isEqualTo("NativePRNG");
		assertThat(JettySessionIdReseeder.reseed(server)).isZero();
	}

	private static Server serverWith(Random generator) {
		Server server = new Server();
		server.addBean(new DefaultSessionIdManager(server, generator));
		return server;
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
