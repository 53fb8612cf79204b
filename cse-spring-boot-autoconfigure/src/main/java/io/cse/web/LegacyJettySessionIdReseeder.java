package io.cse.web;

import java.lang.reflect.Method;
import java.util.Collection;
import java.util.Random;

import io.cse.entropy.Reseeder;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.context.ApplicationContext;
import org.springframework.util.ClassUtils;

/**
 * Renews the session ids of an embedded Jetty 9.4, 10 or 11 (Spring Boot 2.7 to 3.1), as
 * {@link JettySessionIdReseeder} does for Jetty 12: the generator of every
 * {@code org.eclipse.jetty.server.session.DefaultSessionIdManager} gets fresh entropy from
 * the operating system if every clone would otherwise draw the same ids.
 * <p>
 * The starter is compiled against Jetty 12, whose session classes are in another package
 * ({@code org.eclipse.jetty.session}): the older server is reached reflectively, through
 * the methods that Jetty 9.4 to 11 share ({@code Server.getContainedBeans(Class)},
 * {@code DefaultSessionIdManager.getRandom()}).
 */
public class LegacyJettySessionIdReseeder implements Reseeder {

	/** The session id manager of Jetty 9.4 to 11. */
	public static final String SESSION_ID_MANAGER = "org.eclipse.jetty.server.session.DefaultSessionIdManager";

	private static final Log logger = LogFactory.getLog(LegacyJettySessionIdReseeder.class);

	private final ApplicationContext applicationContext;

	/**
	 * Create a reseeder for the embedded Jetty of the given web application context.
	 * @param applicationContext the context that runs the web server
	 */
	public LegacyJettySessionIdReseeder(ApplicationContext applicationContext) {
		this.applicationContext = applicationContext;
	}

	@Override
	public String getName() {
		return "jetty-session-ids";
	}

	@Override
	public int reseed() throws ReflectiveOperationException {
		Object server = server();
		if (server == null) {
			return 0;
		}
		Class<?> managerType = ClassUtils.forName(SESSION_ID_MANAGER, server.getClass().getClassLoader());
		return reseed(server, managerType);
	}

	/**
	 * Reseed the session id managers of a Jetty server.
	 * @param server the server ({@code org.eclipse.jetty.server.Server})
	 * @param managerType the class of its session id managers
	 * @return how many generators were reseeded
	 * @throws ReflectiveOperationException if the server or its managers lack the methods
	 * of Jetty 9.4 to 11
	 */
	static int reseed(Object server, Class<?> managerType) throws ReflectiveOperationException {
		Method containedBeans = server.getClass().getMethod("getContainedBeans", Class.class);
		Method getRandom = managerType.getMethod("getRandom");
		int reseeded = 0;
		for (Object manager : (Collection<?>) containedBeans.invoke(server, managerType)) {
			if (SessionIdRandoms.reseed((Random) getRandom.invoke(manager))) {
				reseeded++;
			}
		}
		return reseeded;
	}

	private Object server() {
		try {
			return EmbeddedServers.find(this.applicationContext, "getServer", Object.class);
		}
		catch (ReflectiveOperationException | RuntimeException ex) {
			logger.debug("No embedded Jetty found: no session id generator to reseed", ex);
			return null;
		}
	}

}
