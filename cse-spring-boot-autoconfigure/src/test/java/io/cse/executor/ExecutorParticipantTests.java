package io.cse.executor;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.cse.CheckpointContext;
import io.cse.CheckpointContext.Operation;
import io.cse.CheckpointContext.Resumption;
import io.cse.InstanceIdentity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.context.support.GenericApplicationContext;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link ExecutorParticipant}, with real Spring executors, each run with both
 * pauses: Spring Framework 6.1's own (this line's) and the thread pool gate used before it.
 */
class ExecutorParticipantTests {

	private final GenericApplicationContext context = new GenericApplicationContext();

	private final CheckpointContext quiesce = new CheckpointContext(Operation.FREEZE, null,
			new InstanceIdentity(Clock.systemUTC()));

	private final CheckpointContext thaw = new CheckpointContext(Operation.FREEZE, Resumption.THAW,
			new InstanceIdentity(Clock.systemUTC()));

	@AfterEach
	void close() {
		this.context.close();
	}

	@ParameterizedTest(name = "lifecycle pause: {0}")
	@ValueSource(booleans = { true, false })
	void taskSubmittedWhileQuiescedRunsOnlyAfterResume(boolean lifecyclePause) throws Exception {
		ThreadPoolTaskExecutor executor = executor();
		ExecutorParticipant participant = new ExecutorParticipant(this.context, lifecyclePause);
		participant.quiesce(this.quiesce);
		AtomicBoolean ran = new AtomicBoolean();
		executor.execute(() -> ran.set(true));
		await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).untilFalse(ran);
		participant.resume(this.thaw);
		await().atMost(Duration.ofSeconds(5)).untilTrue(ran);
	}

	@ParameterizedTest(name = "lifecycle pause: {0}")
	@ValueSource(booleans = { true, false })
	void quiesceWaitsForRunningTasksToFinish(boolean lifecyclePause) throws Exception {
		ThreadPoolTaskExecutor executor = executor();
		CountDownLatch started = new CountDownLatch(1);
		CountDownLatch finish = new CountDownLatch(1);
		AtomicBoolean finished = new AtomicBoolean();
		executor.execute(() -> {
			started.countDown();
			try {
				finish.await(30, TimeUnit.SECONDS);
				finished.set(true);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		});
		assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
		ExecutorParticipant participant = new ExecutorParticipant(this.context, lifecyclePause);
		CompletableFuture<Void> quiesce = CompletableFuture.runAsync(() -> {
			try {
				participant.quiesce(this.quiesce);
			}
			catch (InterruptedException ex) {
				throw new IllegalStateException(ex);
			}
		});
		await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !quiesce.isDone());
		finish.countDown();
		await().atMost(Duration.ofSeconds(5)).until(quiesce::isDone);
		assertThat(finished).isTrue();
		participant.resume(this.thaw);
	}

	@ParameterizedTest(name = "lifecycle pause: {0}")
	@ValueSource(booleans = { true, false })
	void scheduledTasksDoNotRunWhileQuiesced(boolean lifecyclePause) throws Exception {
		ThreadPoolTaskScheduler scheduler = new ThreadPoolTaskScheduler();
		this.context.registerBean("scheduler", ThreadPoolTaskScheduler.class, () -> scheduler);
		this.context.refresh();
		AtomicInteger runs = new AtomicInteger();
		scheduler.scheduleWithFixedDelay(runs::incrementAndGet, Duration.ofMillis(20));
		await().atMost(Duration.ofSeconds(5)).until(() -> runs.get() > 0);
		ExecutorParticipant participant = new ExecutorParticipant(this.context, lifecyclePause);
		participant.quiesce(this.quiesce);
		int frozenAt = runs.get();
		await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> runs.get() == frozenAt);
		participant.resume(this.thaw);
		await().atMost(Duration.ofSeconds(5)).until(() -> runs.get() > frozenAt);
	}

	@ParameterizedTest(name = "core threads: {0}")
	@ValueSource(ints = { 0, 1, 3 })
	void gateHoldsEveryThreadWhateverThePoolSize(int coreThreads) throws Exception {
		ThreadPoolTaskExecutor executor = new ThreadPoolTaskExecutor();
		executor.setCorePoolSize(coreThreads);
		executor.setMaxPoolSize(4);
		executor.setQueueCapacity(2);
		this.context.registerBean("executor", ThreadPoolTaskExecutor.class, () -> executor);
		this.context.refresh();
		ExecutorParticipant participant = new ExecutorParticipant(this.context, false);
		participant.quiesce(this.quiesce);
		AtomicInteger ran = new AtomicInteger();
		executor.execute(ran::incrementAndGet);
		executor.execute(ran::incrementAndGet);
		await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> ran.get() == 0);
		participant.resume(this.thaw);
		await().atMost(Duration.ofSeconds(5)).until(() -> ran.get() == 2);
		assertThat(executor.getThreadPoolExecutor().getMaximumPoolSize()).isEqualTo(4);
	}

	@ParameterizedTest(name = "lifecycle pause: {0}")
	@ValueSource(booleans = { true, false })
	void pausesAgainAfterAResume(boolean lifecyclePause) throws Exception {
		ThreadPoolTaskExecutor executor = executor();
		ExecutorParticipant participant = new ExecutorParticipant(this.context, lifecyclePause);
		for (int cycle = 0; cycle < 3; cycle++) {
			participant.quiesce(this.quiesce);
			AtomicBoolean ran = new AtomicBoolean();
			executor.execute(() -> ran.set(true));
			await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).untilFalse(ran);
			participant.resume(this.thaw);
			await().atMost(Duration.ofSeconds(5)).untilTrue(ran);
		}
	}

	private ThreadPoolTaskExecutor executor() {
		ThreadPoolTaskExecutor executor = new ThreadPoolTaskExecutor();
		executor.setCorePoolSize(2);
		this.context.registerBean("executor", ThreadPoolTaskExecutor.class, () -> executor);
		this.context.refresh();
		return executor;
	}

}
