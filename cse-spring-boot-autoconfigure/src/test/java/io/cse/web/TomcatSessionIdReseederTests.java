package io.cse.web;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

import jakarta.servlet.http.HttpServletRequest;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.SessionIdGenerator;
import org.apache.catalina.session.ManagerBase;
import org.apache.catalina.startup.Tomcat;
import org.apache.catalina.util.SessionIdGeneratorBase;
import org.apache.catalina.util.StandardSessionIdGenerator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.core.io.DefaultResourceLoader;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link TomcatSessionIdReseeder} against a real embedded Tomcat, whose session
 * ids are read over HTTP.
 */
class TomcatSessionIdReseederTests {

	private static ConfigurableApplicationContext applicationContext;

	private final HttpClient http = HttpClient.newHttpClient();

	private ManagerBase manager;

	private SessionIdGenerator springBootsGenerator;

	@BeforeAll
	static void startTomcat() {
		// Jetty and Undertow hidden, as if Tomcat were the only server on the class path.
		FilteredClassLoader classLoader = new FilteredClassLoader("org.eclipse.jetty", "io.undertow");
		applicationContext = new SpringApplicationBuilder(SessionApplication.class)
			.resourceLoader(new DefaultResourceLoader(classLoader))
			.web(WebApplicationType.SERVLET)
			.properties("server.port=0", "cse.enabled=false")
			.run();
	}

	@AfterAll
	static void stopTomcat() {
		applicationContext.close();
	}

	@BeforeEach
	void findManager() throws ReflectiveOperationException {
		Object webServer = applicationContext.getClass().getMethod("getWebServer").invoke(applicationContext);
		Tomcat tomcat = (Tomcat) webServer.getClass().getMethod("getTomcat").invoke(webServer);
		this.manager = (ManagerBase) ((Context) tomcat.getHost().findChildren()[0]).getManager();
		this.springBootsGenerator = this.manager.getSessionIdGenerator();
	}

	@AfterEach
	void restoreSpringBootsGenerator() {
		// The web server is shared by the tests: each starts with the generator Spring Boot gave it.
		this.manager.setSessionIdGenerator(this.springBootsGenerator);
	}

	@Test
	void nextSessionIdIsNotTheOneACopyOfTheGeneratorGives() throws Exception {
		// Generators whose state is the same in every copy, as in clones of one image.
		StandardSessionIdGenerator shared = generatorOfCopiedState();
		shared.setJvmRoute("node7");
		this.manager.setSessionIdGenerator(shared);
		StandardSessionIdGenerator copy = generatorOfCopiedState();
		copy.setJvmRoute("node7");
		assertThat(newSessionId()).as("a copy hands out the same ids").isEqualTo(copy.generateSessionId());
		String copysNext = copy.generateSessionId();

		assertThat(new TomcatSessionIdReseeder(applicationContext).reseed()).isEqualTo(1);

		String next = newSessionId();
		assertThat(next).isNotEqualTo(copysNext).hasSameSizeAs(copysNext).endsWith(".node7");
		assertThat(this.manager.getSessionIdGenerator()).isInstanceOf(OsSeededSessionIdGenerator.class);
		SessionIdGeneratorBase renewed = (SessionIdGeneratorBase) this.manager.getSessionIdGenerator();
		assertThat(renewed.getSecureRandomClass()).isEqualTo(FixedSeedRandom.class.getName());
		assertThat(renewed.getState()).isEqualTo(LifecycleState.STARTED);
		assertThat(shared.getState()).as("the old generator").isEqualTo(LifecycleState.STOPPED);
	}

	@Test
	void aRenewedGeneratorIsRenewedAgainOnTheNextRestore() throws Exception {
		TomcatSessionIdReseeder reseeder = new TomcatSessionIdReseeder(applicationContext);
		reseeder.reseed();
		Object first = this.manager.getSessionIdGenerator();
		assertThat(reseeder.reseed()).isEqualTo(1);
		assertThat(this.manager.getSessionIdGenerator()).isNotSameAs(first)
			.isInstanceOf(OsSeededSessionIdGenerator.class);
		assertThat(newSessionId()).hasSize(32);
	}

	@Test
	void springBootsOwnGeneratorIsRenewedWithItsSettings() throws Exception {
		SessionIdGeneratorBase before = (SessionIdGeneratorBase) this.manager.getSessionIdGenerator();
		assertThat(before.getClass().getSimpleName()).isEqualTo("LazySessionIdGenerator");
		assertThat(new TomcatSessionIdReseeder(applicationContext).reseed()).isEqualTo(1);
		SessionIdGeneratorBase after = (SessionIdGeneratorBase) this.manager.getSessionIdGenerator();
		assertThat(after.getSecureRandomAlgorithm()).isEqualTo(before.getSecureRandomAlgorithm()).isEqualTo("SHA1PRNG");
		assertThat(after.getSessionIdLength()).isEqualTo(before.getSessionIdLength());
		assertThat(after.getSecureRandomProvider()).isEqualTo(before.getSecureRandomProvider());
		assertThat(after).isInstanceOf(OsSeededSessionIdGenerator.class);
	}

	@Test
	void anApplicationsOwnGeneratorIsLeftAlone() throws Exception {
		StandardSessionIdGenerator own = new StandardSessionIdGenerator() {

			@Override
			public String generateSessionId(String route) {
				return "own-" + super.generateSessionId(route);
			}

		};
		this.manager.setSessionIdGenerator(own);
		assertThat(new TomcatSessionIdReseeder(applicationContext).reseed()).isZero();
		assertThat(this.manager.getSessionIdGenerator()).isSameAs(own);
	}

	private static StandardSessionIdGenerator generatorOfCopiedState() throws Exception {
		StandardSessionIdGenerator generator = new StandardSessionIdGenerator();
		generator.setSecureRandomClass(FixedSeedRandom.class.getName());
		generator.start();
		return generator;
	}

	private String newSessionId() throws IOException, InterruptedException {
		String port = applicationContext.getEnvironment().getProperty("local.server.port");
		HttpResponse<String> response = this.http.send(HttpRequest
			.newBuilder(URI.create("http://127.0.0.1:" + port + "/session"))
			.POST(HttpRequest.BodyPublishers.noBody())
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(200);
		return response.body();
	}

	/**
	 * A SHA1PRNG with a fixed seed: every instance goes on with the same sequence, as copies
	 * of one generator do in clones restored from one image.
	 */
	public static class FixedSeedRandom extends SecureRandom {

		private static final long serialVersionUID = 1L;

		private final SecureRandom delegate;

		public FixedSeedRandom() throws NoSuchAlgorithmException {
			this.delegate = SecureRandom.getInstance("SHA1PRNG");
			this.delegate.setSeed(new byte[] { 1, 2, 3, 4 });
		}

		@Override
		public void nextBytes(byte[] bytes) {
			this.delegate.nextBytes(bytes);
		}

		@Override
		public void setSeed(byte[] seed) {
			// Called by SecureRandom's own constructor, before the delegate exists.
			if (this.delegate != null) {
				this.delegate.setSeed(seed);
			}
		}

	}

	@SpringBootConfiguration(proxyBeanMethods = false)
	@EnableAutoConfiguration(excludeName = {
			// No database here: Spring Boot 3 and Spring Boot 4 names.
			"org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration",
			"org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration" })
	@Import(SessionController.class)
	static class SessionApplication {

	}

	@RestController
	static class SessionController {

		@PostMapping("/session")
		String session(HttpServletRequest request) {
			return request.getSession(true).getId();
		}

	}

}
