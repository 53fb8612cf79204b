package io.cse.executor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadPoolExecutor;

import io.cse.CheckpointContext;
import io.cse.CheckpointParticipant;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.scheduling.concurrent.ExecutorConfigurationSupport;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;
import org.springframework.util.ClassUtils;

/**
 * Pauses Spring's task executors and schedulers ({@code ThreadPoolTaskExecutor},
 * {@code ThreadPoolTaskScheduler}, and so the {@code @Scheduled} and {@code @Async} work
 * that runs on them): no new task starts while the instance is quiesced, tasks that are
 * running finish first, and tasks submitted or due in the meantime run after the resume.
 * <p>
 * From Spring Framework 6.1 on it relies on the pause built into
 * {@link ExecutorConfigurationSupport}: a stopped executor keeps its threads and its queue
 * and holds every task at the start until it is started again. Older Spring (Spring Boot
 * 2.7 to 3.1) has no such pause, so the participant closes a {@link ThreadPoolGate} on the
 * executor's thread pool instead.
 */
public class ExecutorParticipant implements CheckpointParticipant {

	/** Spring Framework 6.1 made executors pausable lifecycles. */
	static final boolean LIFECYCLE_PAUSE = ClassUtils.hasMethod(ExecutorConfigurationSupport.class, "isRunning");

	private final ListableBeanFactory beanFactory;

	private final boolean lifecyclePause;

	private final List<Runnable> resumes = new ArrayList<>();

	/**
	 * Create a participant for the executors and schedulers that are beans of the given
	 * factory.
	 * @param beanFactory the factory to find executors in
	 */
	public ExecutorParticipant(ListableBeanFactory beanFactory) {
		this(beanFactory, LIFECYCLE_PAUSE);
	}

	ExecutorParticipant(ListableBeanFactory beanFactory, boolean lifecyclePause) {
		this.beanFactory = beanFactory;
		this.lifecyclePause = lifecyclePause;
	}

	@Override
	public String getName() {
		return "executors";
	}

	@Override
	public int getOrder() {
		return EXECUTOR_ORDER;
	}

	@Override
	public void quiesce(CheckpointContext context) throws InterruptedException {
		Map<String, ExecutorConfigurationSupport> executors = this.beanFactory
			.getBeansOfType(ExecutorConfigurationSupport.class, false, false);
		for (ExecutorConfigurationSupport executor : executors.values()) {
			if (this.lifecyclePause) {
				pauseLifecycle(executor);
			}
			else {
				closeGate(executor);
			}
		}
	}

	private void pauseLifecycle(ExecutorConfigurationSupport executor) throws InterruptedException {
		if (executor.isRunning()) {
			this.resumes.add(executor::start);
			CountDownLatch idle = new CountDownLatch(1);
			// The callback runs once the tasks that were running have finished.
			executor.stop(idle::countDown);
			idle.await();
		}
	}

	private void closeGate(ExecutorConfigurationSupport executor) throws InterruptedException {
		ThreadPoolExecutor pool = threadPool(executor);
		if (pool != null && !pool.isShutdown()) {
			ThreadPoolGate gate = new ThreadPoolGate(pool);
			this.resumes.add(gate::open);
			gate.close();
		}
	}

	/** The executor's pool; null when it has none (not initialized, or another kind). */
	private static ThreadPoolExecutor threadPool(ExecutorConfigurationSupport executor) {
		try {
			if (executor instanceof ThreadPoolTaskExecutor) {
				return ((ThreadPoolTaskExecutor) executor).getThreadPoolExecutor();
			}
			if (executor instanceof ThreadPoolTaskScheduler) {
				return ((ThreadPoolTaskScheduler) executor).getScheduledThreadPoolExecutor();
			}
		}
		catch (IllegalStateException ex) {
			// Not initialized yet: it runs nothing that could be paused.
		}
		return null;
	}

	@Override
	public void resume(CheckpointContext context) {
		for (Runnable resume : this.resumes) {
			resume.run();
		}
		this.resumes.clear();
	}

}
