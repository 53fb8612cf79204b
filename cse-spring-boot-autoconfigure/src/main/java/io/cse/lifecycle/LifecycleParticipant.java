package io.cse.lifecycle;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

import io.cse.CheckpointContext;
import io.cse.CheckpointParticipant;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.Lifecycle;
import org.springframework.context.LifecycleProcessor;
import org.springframework.context.Phased;
import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.concurrent.ExecutorConfigurationSupport;
import org.springframework.util.ClassUtils;

/**
 * Stops the application's other running {@link Lifecycle} beans (message listener
 * containers, connection factories, and so on) in descending phase order, and starts them
 * again in ascending order.
 * <p>
 * Spring's own restart support ({@code stopForRestart}) stops every lifecycle bean,
 * the web server among them; a frozen instance must keep its listening socket open so that
 * requests wait in the kernel's backlog. This participant therefore leaves alone Spring
 * Boot's own infrastructure (the web server, its graceful shutdown, the logging system,
 * Boot's checkpoint-restore support for pools), the checkpoint-restore support of Spring
 * Cloud (its context refresh), every lifecycle bean the web server is
 * built from (Reactor Netty's and Jetty's resource factories: stopping them stops the
 * server's event loops), the executors (paused by their own participant, earlier) and
 * connection pools (released by theirs, later).
 * <p>
 * A bean that fails to start again does not keep the others stopped: every bean is
 * started, and the failures are reported together.
 */
public class LifecycleParticipant implements CheckpointParticipant {

	/**
	 * Spring Boot's own lifecycle beans are infrastructure that must keep running: the web
	 * server keeps listening, the logging system keeps its appenders (stopping it cleans
	 * them up for good), and Boot's CRaC support for Hikari is replaced by the JDBC
	 * participant. Spring Boot 3 and 4 keep them in different packages, all under this one.
	 */
	private static final String BOOT_PACKAGE = "org.springframework.boot.";

	/**
	 * Lifecycle beans that other projects' checkpoint-restore support (CRaC) drives, whose
	 * work the starter's own participants do: Spring Cloud's refreshes the whole context
	 * on every start, which rebinds every pool's properties (and fails on pools behind a
	 * proxy). A thaw is the same process; a restore brings its own properties.
	 */
	private static final Set<String> CHECKPOINT_RESTORE_LIFECYCLES = Collections
		.singleton("org.springframework.cloud.context.refresh.RefreshScopeLifecycle");

	/**
	 * What every embedded web server's factory is, on Spring Boot 3 and 4 alike.
	 */
	private static final String WEB_SERVER_FACTORY = "org.springframework.boot.web.server.WebServerFactory";

	private static final Log logger = LogFactory.getLog(LifecycleParticipant.class);

	private final ListableBeanFactory beanFactory;

	private final Set<String> excludedBeanNames;

	private final List<Lifecycle> stopped = new ArrayList<>();

	/**
	 * Create a participant for the lifecycle beans of the given factory.
	 * @param beanFactory the factory to find lifecycle beans in
	 * @param excludedBeanNames names of beans to leave running
	 */
	public LifecycleParticipant(ListableBeanFactory beanFactory, Set<String> excludedBeanNames) {
		this.beanFactory = beanFactory;
		this.excludedBeanNames = excludedBeanNames;
	}

	@Override
	public String getName() {
		return "lifecycle";
	}

	@Override
	public int getOrder() {
		return LIFECYCLE_ORDER;
	}

	@Override
	public void quiesce(CheckpointContext context) throws InterruptedException {
		List<Lifecycle> running = new ArrayList<>();
		Set<String> webServerInfrastructure = webServerInfrastructure();
		Map<String, Lifecycle> beans = this.beanFactory.getBeansOfType(Lifecycle.class, false, false);
		beans.forEach((name, bean) -> {
			if (isEligible(name, bean) && !webServerInfrastructure.contains(name) && bean.isRunning()) {
				running.add(bean);
				logger.debug("Stopping lifecycle bean '" + name + "' (" + bean.getClass().getName() + ")");
			}
		});
		running.sort(Comparator.comparingInt(LifecycleParticipant::phaseOf).reversed());
		for (Lifecycle bean : running) {
			this.stopped.add(bean);
			stop(bean);
		}
	}

	@Override
	public void resume(CheckpointContext context) {
		List<Lifecycle> toStart = new ArrayList<>(this.stopped);
		this.stopped.clear();
		toStart.sort(Comparator.comparingInt(LifecycleParticipant::phaseOf));
		List<String> failures = new ArrayList<>();
		for (Lifecycle bean : toStart) {
			try {
				if (!bean.isRunning()) {
					bean.start();
				}
			}
			catch (RuntimeException ex) {
				// The beans after it (a registry's auto-registration among them) still start.
				logger.error("Lifecycle bean " + bean.getClass().getName() + " failed to start again", ex);
				failures.add(bean.getClass().getName() + ": " + ex.getMessage());
			}
		}
		if (!failures.isEmpty()) {
			throw new IllegalStateException(failures.size() + " of " + toStart.size()
					+ " lifecycle bean(s) failed to start again (the others did): " + String.join("; ", failures));
		}
	}

	private boolean isEligible(String name, Lifecycle bean) {
		return !this.excludedBeanNames.contains(name) && !(bean instanceof LifecycleProcessor)
				&& !(bean instanceof ExecutorConfigurationSupport) && !(bean instanceof CheckpointParticipant)
				&& !bean.getClass().getName().startsWith(BOOT_PACKAGE)
				&& !CHECKPOINT_RESTORE_LIFECYCLES.contains(bean.getClass().getName());
	}

	/**
	 * Return the names of the beans that the web server factories depend on, directly or
	 * not: whatever the server is built from must keep running with it.
	 */
	private Set<String> webServerInfrastructure() {
		Set<String> names = new HashSet<>();
		ConfigurableListableBeanFactory configurable = configurableBeanFactory();
		if (configurable == null || !ClassUtils.isPresent(WEB_SERVER_FACTORY, configurable.getBeanClassLoader())) {
			return names;
		}
		Class<?> factoryType = ClassUtils.resolveClassName(WEB_SERVER_FACTORY, configurable.getBeanClassLoader());
		Deque<String> toVisit = new ArrayDeque<>(Arrays.asList(configurable.getBeanNamesForType(factoryType, false, false)));
		while (!toVisit.isEmpty()) {
			String name = toVisit.pop();
			if (names.add(name)) {
				toVisit.addAll(Arrays.asList(configurable.getDependenciesForBean(name)));
			}
		}
		return names;
	}

	private ConfigurableListableBeanFactory configurableBeanFactory() {
		if (this.beanFactory instanceof ConfigurableApplicationContext) {
			return ((ConfigurableApplicationContext) this.beanFactory).getBeanFactory();
		}
		return (this.beanFactory instanceof ConfigurableListableBeanFactory)
				? (ConfigurableListableBeanFactory) this.beanFactory : null;
	}

	private static void stop(Lifecycle bean) throws InterruptedException {
		if (bean instanceof SmartLifecycle) {
			CountDownLatch stopped = new CountDownLatch(1);
			((SmartLifecycle) bean).stop(stopped::countDown);
			stopped.await();
		}
		else {
			bean.stop();
		}
	}

	private static int phaseOf(Lifecycle bean) {
		return (bean instanceof Phased) ? ((Phased) bean).getPhase() : 0;
	}

}
