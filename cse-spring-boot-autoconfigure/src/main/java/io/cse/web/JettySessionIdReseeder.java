package io.cse.web;

import io.cse.entropy.Reseeder;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.session.DefaultSessionIdManager;

import org.springframework.context.ApplicationContext;

/**
 * Mixes fresh entropy from the operating system into the generator of every
 * {@link DefaultSessionIdManager} of an embedded Jetty, so that clones restored from one
 * image do not hand out the same session ids.
 * <p>
 * Jetty makes its generator with {@code new SecureRandom()}: on Linux that is
 * {@code NativePRNG}, which reads the operating system on every call and is unique per clone
 * already, and it is left alone. Where the JVM's default is {@code DRBG} or {@code SHA1PRNG}
 * (for example with {@code -Djava.security.egd=file:/dev/./urandom}), every clone would
 * draw the same ids: that generator is reseeded. A new generator would not do, as it would
 * seed itself from the JDK's static state, copied into every clone. A plain {@code Random}
 * (Jetty's fallback) gets a new seed.
 * <p>
 * Spring Boot 3 and 4 keep the web server in classes of different packages: it is reached
 * reflectively here, and an application without an embedded Jetty has nothing to reseed.
 * Jetty 12 and later (Spring Boot 3.2 and later); the session ids of older Jetty are
 * {@link LegacyJettySessionIdReseeder}'s.
 */
public class JettySessionIdReseeder implements Reseeder {

	private static final Log logger = LogFactory.getLog(JettySessionIdReseeder.class);

	private final ApplicationContext applicationContext;

	/**
	 * Create a reseeder for the embedded Jetty of the given web application context.
	 * @param applicationContext the context that runs the web server
	 */
	public JettySessionIdReseeder(ApplicationContext applicationContext) {
		this.applicationContext = applicationContext;
	}

	@Override
	public String getName() {
		return "jetty-session-ids";
	}

	@Override
	public int reseed() {
		Server server = server();
		return (server != null) ? reseed(server) : 0;
	}

	/**
	 * Reseed the session id managers of a Jetty server.
	 * @param server the server
	 * @return how many generators were reseeded
	 */
	public static int reseed(Server server) {
		int reseeded = 0;
		for (DefaultSessionIdManager manager : server.getContainedBeans(DefaultSessionIdManager.class)) {
			if (SessionIdRandoms.reseed(manager.getRandom())) {
				reseeded++;
			}
		}
		return reseeded;
	}

	private Server server() {
		try {
			return EmbeddedServers.find(this.applicationContext, "getServer", Server.class);
		}
		catch (ReflectiveOperationException | RuntimeException ex) {
			logger.debug("No embedded Jetty found: no session id generator to reseed", ex);
			return null;
		}
	}

}
