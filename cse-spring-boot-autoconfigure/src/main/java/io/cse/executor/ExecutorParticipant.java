package io.cse.executor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import io.cse.CheckpointContext;
import io.cse.CheckpointParticipant;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.scheduling.concurrent.ExecutorConfigurationSupport;

/**
 * Pauses Spring's task executors and schedulers ({@code ThreadPoolTaskExecutor},
 * {@code ThreadPoolTaskScheduler}, and so the {@code @Scheduled} and {@code @Async} work
 * that runs on them): no new task starts while the instance is quiesced, tasks that are
 * running finish first, and tasks submitted or due in the meantime run after the resume.
 * <p>
 * It relies on the pause that Spring Framework 6.1 built into
 * {@link ExecutorConfigurationSupport}: a stopped executor keeps its threads and its queue
 * and holds every task at the start until it is started again. Earlier versions (Spring
 * Boot 2.7 to 3.1) cannot pause an executor: the starter creates no such participant
 * there, and tasks go on running until the instance is frozen or snapshotted.
 */
public class ExecutorParticipant implements CheckpointParticipant {

	/**
	 * A class that came with the pause, in Spring Framework 6.1: where it is missing, this
	 * participant cannot work.
	 */
	public static final String PAUSABLE_EXECUTORS = "org.springframework.scheduling.concurrent."
			+ "SimpleAsyncTaskScheduler";

	private final ListableBeanFactory beanFactory;

	private final List<ExecutorConfigurationSupport> paused = new ArrayList<>();

	/**
	 * Create a participant for the executors and schedulers that are beans of the given
	 * factory.
	 * @param beanFactory the factory to find executors in
	 */
	public ExecutorParticipant(ListableBeanFactory beanFactory) {
		this.beanFactory = beanFactory;
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
			if (executor.isRunning()) {
				this.paused.add(executor);
				CountDownLatch idle = new CountDownLatch(1);
				// The callback runs once the tasks that were running have finished.
				executor.stop(idle::countDown);
				idle.await();
			}
		}
	}

	@Override
	public void resume(CheckpointContext context) {
		for (ExecutorConfigurationSupport executor : this.paused) {
			executor.start();
		}
		this.paused.clear();
	}

}
