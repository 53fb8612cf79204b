package io.cse.web;

import java.util.ArrayList;
import java.util.List;

import io.cse.entropy.Reseeder;
import org.apache.catalina.Container;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.Manager;
import org.apache.catalina.SessionIdGenerator;
import org.apache.catalina.session.ManagerBase;
import org.apache.catalina.startup.Tomcat;
import org.apache.catalina.util.SessionIdGeneratorBase;
import org.apache.catalina.util.StandardSessionIdGenerator;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.context.ApplicationContext;

/**
 * Gives the session manager of every web application of an embedded Tomcat a new session
 * id generator, so that clones restored from one image do not hand out the same session ids.
 * <p>
 * Tomcat's generator keeps the {@code SHA1PRNG} generators it has seeded in a queue and
 * reuses them: restored from one image, every clone would draw the same ids from them, and a
 * session created on one clone could be taken over on another. The new generator is a
 * started generator with the old one's settings (id length, jvm
 * route, algorithm, class and provider of its generators), an
 * {@link OsSeededSessionIdGenerator}: a new {@code SHA1PRNG} that seeds itself would take its
 * seed from a generator in the JDK's static state, copied into every clone too, so the new
 * generator seeds each of its own from the operating system. The old one is stopped. Tomcat's
 * standard generator and Spring Boot's (which differs only in starting lazily) are renewed;
 * a generator of another kind (an application's own) is left alone, with a warning.
 * <p>
 * Spring Boot 3 and 4 keep the web server in classes of different packages: it is reached
 * reflectively here, and an application without an embedded Tomcat has nothing to reseed.
 */
public class TomcatSessionIdReseeder implements Reseeder {

	private static final Log logger = LogFactory.getLog(TomcatSessionIdReseeder.class);

	// Spring Boot's own generator, in a package that differs between Boot 3 and 4.
	private static final String SPRING_BOOT_GENERATOR = "LazySessionIdGenerator";

	private final ApplicationContext applicationContext;

	/**
	 * Create a reseeder for the embedded Tomcat of the given web application context.
	 * @param applicationContext the context that runs the web server
	 */
	public TomcatSessionIdReseeder(ApplicationContext applicationContext) {
		this.applicationContext = applicationContext;
	}

	@Override
	public String getName() {
		return "tomcat-session-ids";
	}

	/**
	 * Load what a restore uses, so that its classes are in the image rather than read from
	 * the application's jar by every clone.
	 */
	@Override
	public void prepare() {
		new OsSeededSessionIdGenerator().getRandomBytes(new byte[1]);
	}

	@Override
	public int reseed() throws LifecycleException {
		Tomcat tomcat = tomcat();
		if (tomcat == null) {
			return 0;
		}
		int renewed = 0;
		for (Manager manager : managers(tomcat)) {
			if (manager instanceof ManagerBase && renew((ManagerBase) manager)) {
				renewed++;
			}
		}
		return renewed;
	}

	private static boolean renew(ManagerBase manager) throws LifecycleException {
		SessionIdGenerator current = manager.getSessionIdGenerator();
		if (current != null && !isRenewable(current)) {
			String path = manager.getContext().getPath();
			logger.warn("The session id generator of the web application at '" + (path.isEmpty() ? "/" : path)
					+ "' is a " + current.getClass().getName() + ", not one of Tomcat's or Spring Boot's: it is left "
					+ "alone. Renew its random generators in a Reseeder bean, or every clone of this instance hands "
					+ "out the same session ids");
			return false;
		}
		OsSeededSessionIdGenerator renewed = new OsSeededSessionIdGenerator();
		if (current != null) {
			SessionIdGeneratorBase settings = (SessionIdGeneratorBase) current;
			renewed.setJvmRoute(settings.getJvmRoute());
			renewed.setSessionIdLength(settings.getSessionIdLength());
			renewed.setSecureRandomAlgorithm(settings.getSecureRandomAlgorithm());
			renewed.setSecureRandomClass(settings.getSecureRandomClass());
			renewed.setSecureRandomProvider(settings.getSecureRandomProvider());
		}
		renewed.start();
		manager.setSessionIdGenerator(renewed);
		if (current instanceof SessionIdGeneratorBase) {
			SessionIdGeneratorBase base = (SessionIdGeneratorBase) current;
			if (base.getState().isAvailable() && base.getState() != LifecycleState.STOPPING) {
				base.stop();
			}
		}
		return true;
	}

	/**
	 * Tomcat's standard generator, Spring Boot's (which only starts lazily) and our own
	 * differ in nothing that a replacement could lose; another subclass might.
	 */
	private static boolean isRenewable(SessionIdGenerator generator) {
		Class<?> type = generator.getClass();
		return type == StandardSessionIdGenerator.class || type == OsSeededSessionIdGenerator.class
				|| SPRING_BOOT_GENERATOR.equals(type.getSimpleName())
						&& type.getSuperclass() == StandardSessionIdGenerator.class
						&& type.getName().startsWith("org.springframework.boot.");
	}

	private static List<Manager> managers(Tomcat tomcat) {
		List<Manager> managers = new ArrayList<>();
		for (Container child : tomcat.getHost().findChildren()) {
			Manager manager = (child instanceof Context) ? ((Context) child).getManager() : null;
			if (manager != null) {
				managers.add(manager);
			}
		}
		return managers;
	}

	private Tomcat tomcat() {
		try {
			return EmbeddedServers.find(this.applicationContext, "getTomcat", Tomcat.class);
		}
		catch (ReflectiveOperationException | RuntimeException ex) {
			logger.debug("No embedded Tomcat found: no session id generator to renew", ex);
			return null;
		}
	}

}
