package io.cse.lifecycle;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

import io.cse.CheckpointContext;
import io.cse.CheckpointParticipant;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.context.Lifecycle;
import org.springframework.context.LifecycleProcessor;
import org.springframework.context.Phased;
import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.concurrent.ExecutorConfigurationSupport;

/**
 * Stops the application's other running {@link Lifecycle} beans (message listener
 * containers, connection factories, and so on) in descending phase order, and starts them
 * again in ascending order.
 * <p>
 * Spring's own restart support ({@code stopForRestart}) stops every lifecycle bean,
 * the web server among them; a frozen instance must keep its listening socket open so that
 * requests wait in the kernel's backlog. This participant therefore leaves alone Spring
 * Boot's own infrastructure (the web server, the logging system), the executors (paused by
 * their own participant, earlier) and connection pools (released by theirs, later).
 */
public class LifecycleParticipant implements CheckpointParticipant {

	/**
	 * Spring Boot's own lifecycle beans are infrastructure that must keep running: the web
	 * server keeps listening, the logging system keeps its appenders (stopping it cleans
	 * them up for good), and Boot's CRaC support for Hikari is replaced by the JDBC
	 * participant. Spring Boot 3 and 4 keep them in different packages, all under this one.
	 */
	private static final String BOOT_PACKAGE = "org.springframework.boot.";

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
		Map<String, Lifecycle> beans = this.beanFactory.getBeansOfType(Lifecycle.class, false, false);
		beans.forEach((name, bean) -> {
			if (isEligible(name, bean) && bean.isRunning()) {
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
		toStart.sort(Comparator.comparingInt(LifecycleParticipant::phaseOf));
		for (Lifecycle bean : toStart) {
			if (!bean.isRunning()) {
				bean.start();
			}
		}
		this.stopped.clear();
	}

	private boolean isEligible(String name, Lifecycle bean) {
		return !this.excludedBeanNames.contains(name) && !(bean instanceof LifecycleProcessor)
				&& !(bean instanceof ExecutorConfigurationSupport) && !(bean instanceof CheckpointParticipant)
				&& !bean.getClass().getName().startsWith(BOOT_PACKAGE);
	}

	private static void stop(Lifecycle bean) throws InterruptedException {
		if (bean instanceof SmartLifecycle smart) {
			CountDownLatch stopped = new CountDownLatch(1);
			smart.stop(stopped::countDown);
			stopped.await();
		}
		else {
			bean.stop();
		}
	}

	private static int phaseOf(Lifecycle bean) {
		return (bean instanceof Phased phased) ? phased.getPhase() : 0;
	}

}
