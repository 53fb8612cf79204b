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

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.io.DefaultResourceLoader;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link JettySessionIdReseeder} on a Jetty server's session id manager, and on
 * the embedded Jetty of a Spring Boot application.
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
	void olderJettyIsReachedThroughTheMethodsItSharesWithJetty12() throws Exception {
		// Jetty 9.4 to 11 name their session id manager otherwise (LegacyJettySessionIdReseeder
		// .SESSION_ID_MANAGER), with the methods of Jetty 12's that the reseeder calls.
		SecureRandom generator = SecureRandom.getInstance("SHA1PRNG");
		generator.nextLong();
		SecureRandom copy = copyOf(generator);
		Server server = serverWith(generator);

		assertThat(LegacyJettySessionIdReseeder.reseed(server, DefaultSessionIdManager.class)).isEqualTo(1);

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

	@Test
	void reachesTheSessionIdManagerOfSpringBootsJetty() throws Exception {
		// Tomcat and Undertow hidden, as if Jetty were the only server on the class path.
		FilteredClassLoader classLoader = new FilteredClassLoader("org.apache.catalina", "io.undertow");
		try (ConfigurableApplicationContext application = new SpringApplicationBuilder(JettyApplication.class)
			.resourceLoader(new DefaultResourceLoader(classLoader))
			.web(WebApplicationType.SERVLET)
			.properties("server.port=0", "cse.enabled=false")
			.run()) {
			Object webServer = application.getClass().getMethod("getWebServer").invoke(application);
			Server server = (Server) webServer.getClass().getMethod("getServer").invoke(webServer);
			DefaultSessionIdManager manager = server.getContainedBeans(DefaultSessionIdManager.class)
				.iterator()
				.next();
			SecureRandom generator = SecureRandom.getInstance("SHA1PRNG");
			generator.nextLong();
			SecureRandom copy = copyOf(generator);
			manager.setRandom(generator);

			assertThat(new JettySessionIdReseeder(application).reseed()).isEqualTo(1);

			assertThat(generator.nextLong()).isNotEqualTo(copy.nextLong());
		}
	}

	private static Server serverWith(Random generator) {
		Server server = new Server();
		server.addBean(new DefaultSessionIdManager(server, generator));
		return server;
	}

	@SpringBootConfiguration(proxyBeanMethods = false)
	@EnableAutoConfiguration(excludeName = {
			// No database here: Spring Boot 3 and Spring Boot 4 names.
			"org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration",
			"org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration" })
	static class JettyApplication {

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
