package io.cse.lifecycle;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import io.cse.CheckpointContext;
import io.cse.CheckpointContext.Operation;
import io.cse.CheckpointContext.Resumption;
import io.cse.InstanceIdentity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.web.server.WebServerFactory;
import org.springframework.context.Lifecycle;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.support.DefaultLifecycleProcessor;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;
import org.springframework.test.util.ReflectionTestUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link LifecycleParticipant}, with the lifecycle beans of a real application
 * context.
 */
class LifecycleParticipantTests {

	private final List<String> events = Collections.synchronizedList(new ArrayList<>());

	private final GenericApplicationContext context = new GenericApplicationContext();

	private final CheckpointContext quiesce = new CheckpointContext(Operation.FREEZE, null,
			new InstanceIdentity(Clock.systemUTC()));

	private final CheckpointContext thaw = new CheckpointContext(Operation.FREEZE, Resumption.THAW,
			new InstanceIdentity(Clock.systemUTC()));

	@AfterEach
	void close() {
		this.context.close();
	}

	@Test
	void quiesceStopsRunningBeansInDescendingPhaseOrder() throws Exception {
		List<Lifecycle> beans = startThreeBeans();
		new LifecycleParticipant(this.context, Set.of()).quiesce(this.quiesce);
		assertThat(this.events).containsExactly("stop late", "stop early", "stop plain");
		assertThat(beans).noneMatch(Lifecycle::isRunning);
	}

	@Test
	void resumeStartsThemAgainInAscendingPhaseOrder() throws Exception {
		List<Lifecycle> beans = startThreeBeans();
		LifecycleParticipant participant = new LifecycleParticipant(this.context, Set.of());
		participant.quiesce(this.quiesce);
		this.events.clear();
		participant.resume(this.thaw);
		assertThat(this.events).containsExactly("start plain", "start early", "start late");
		assertThat(beans).allMatch(Lifecycle::isRunning);
	}

	@Test
	void excludedBeansStayRunning() throws Exception {
		List<Lifecycle> beans = startThreeBeans();
		LifecycleParticipant participant = new LifecycleParticipant(this.context, Set.of("late"));
		participant.quiesce(this.quiesce);
		assertThat(this.events).containsExactly("stop early", "stop plain");
		assertThat(beans.get(2).isRunning()).isTrue();
		participant.resume(this.thaw);
		assertThat(this.events).containsExactly("stop early", "stop plain", "start plain", "start early");
	}

	/**
	 * On a CRaC JDK, Spring itself stops the lifecycle beans around a checkpoint (its
	 * lifecycle processor is a CRaC resource): with the crac engine, the JDK's checkpoint
	 * runs inside the snapshot, after the participant has quiesced and before it resumes.
	 * Spring stops what still runs (the web server among them) and starts again only what
	 * it stopped; the participant starts what it stopped. No bean is stopped or started
	 * twice, and none is left stopped.
	 */
	@Test
	void springsOwnCheckpointSupportAndTheParticipantStopAndStartEachBeanOnce() throws Exception {
		RecordingSmartLifecycle server = new RecordingSmartLifecycle("server", Integer.MAX_VALUE - 1, true);
		RecordingSmartLifecycle listener = new RecordingSmartLifecycle("listener", 20, true);
		this.context.registerBean("server", RecordingSmartLifecycle.class, () -> server);
		this.context.registerBean("listener", RecordingSmartLifecycle.class, () -> listener);
		this.context.refresh();
		this.events.clear();
		LifecycleParticipant participant = new LifecycleParticipant(this.context, Set.of("server"));
		DefaultLifecycleProcessor spring = this.context.getBean(DefaultLifecycleProcessor.class);
		participant.quiesce(this.quiesce);
		// What Spring's CRaC resource calls in beforeCheckpoint and afterRestore (package-private)
		ReflectionTestUtils.invokeMethod(spring, "stopForRestart");
		ReflectionTestUtils.invokeMethod(spring, "restartAfterStop");
		participant.resume(this.thaw);
		assertThat(this.events).containsExactly("stop listener", "stop server", "start server", "start listener");
		assertThat(listener.isRunning()).isTrue();
		assertThat(server.isRunning()).isTrue();
	}

	@Test
	void executorsAreLeftToTheirOwnParticipant() throws Exception {
		ThreadPoolTaskExecutor executor = new ThreadPoolTaskExecutor();
		this.context.registerBean("executor", ThreadPoolTaskExecutor.class, () -> executor);
		this.context.refresh();
		new LifecycleParticipant(this.context, Set.of()).quiesce(this.quiesce);
		assertThat(executor.isRunning()).isTrue();
		// What its users see: tasks still run.
		AtomicBoolean ran = new AtomicBoolean();
		executor.execute(() -> ran.set(true));
		await().atMost(Duration.ofSeconds(5)).untilTrue(ran);
	}

	@Test
	void beanThatWasNotRunningIsNotStartedByResume() throws Exception {
		RecordingSmartLifecycle manual = new RecordingSmartLifecycle("manual", 10, false);
		RecordingSmartLifecycle automatic = new RecordingSmartLifecycle("automatic", 20, true);
		this.context.registerBean("manual", RecordingSmartLifecycle.class, () -> manual);
		this.context.registerBean("automatic", RecordingSmartLifecycle.class, () -> automatic);
		this.context.refresh();
		this.events.clear();
		LifecycleParticipant participant = new LifecycleParticipant(this.context, Set.of());
		participant.quiesce(this.quiesce);
		participant.resume(this.thaw);
		assertThat(this.events).containsExactly("stop automatic", "start automatic");
		assertThat(manual.isRunning()).isFalse();
		assertThat(automatic.isRunning()).isTrue();
	}

	@Test
	void beanThatFailsToStartAgainDoesNotKeepTheOthersStopped() throws Exception {
		RecordingSmartLifecycle early = new RecordingSmartLifecycle("early", 10, true);
		RecordingSmartLifecycle broken = new RecordingSmartLifecycle("broken", 20, true) {

			private boolean started;

			@Override
			public void start() {
				if (this.started) {
					throw new IllegalStateException("cannot start twice");
				}
				this.started = true;
				super.start();
			}

		};
		RecordingSmartLifecycle registration = new RecordingSmartLifecycle("registration", 30, true);
		this.context.registerBean("early", RecordingSmartLifecycle.class, () -> early);
		this.context.registerBean("broken", RecordingSmartLifecycle.class, () -> broken);
		this.context.registerBean("registration", RecordingSmartLifecycle.class, () -> registration);
		this.context.refresh();
		this.events.clear();
		LifecycleParticipant participant = new LifecycleParticipant(this.context, Set.of());
		participant.quiesce(this.quiesce);
		assertThatIllegalStateException().isThrownBy(() -> participant.resume(this.thaw))
			.withMessageContaining("1 of 3 lifecycle bean(s) failed to start again")
			.withMessageContaining("cannot start twice");
		assertThat(early.isRunning()).isTrue();
		assertThat(registration.isRunning()).as("a bean started after the one that failed").isTrue();
		// Nothing is left over for a later resume to start twice.
		this.events.clear();
		participant.quiesce(this.quiesce);
		assertThat(this.events).containsExactly("stop registration", "stop early");
	}

	@Test
	void beansTheWebServerIsBuiltFromStayRunning() throws Exception {
		try (AnnotationConfigApplicationContext application = new AnnotationConfigApplicationContext()) {
			application.registerBean("eventLoops", RecordingSmartLifecycle.class,
					() -> new RecordingSmartLifecycle("eventLoops", 0, true));
			application.registerBean("listener", RecordingSmartLifecycle.class,
					() -> new RecordingSmartLifecycle("listener", 0, true));
			application.register(ServerBuiltFromEventLoops.class);
			application.refresh();
			this.events.clear();
			LifecycleParticipant participant = new LifecycleParticipant(application, Set.of());
			participant.quiesce(this.quiesce);
			assertThat(this.events).containsExactly("stop listener");
			assertThat(application.getBean("eventLoops", Lifecycle.class).isRunning()).isTrue();
			participant.resume(this.thaw);
			assertThat(this.events).containsExactly("stop listener", "start listener");
		}
	}

	/**
	 * A web server factory that, as Reactor Netty's does, is built from a lifecycle bean
	 * (the event loops of the server).
	 */
	@Configuration(proxyBeanMethods = false)
	static class ServerBuiltFromEventLoops {

		@Bean
		WebServerFactory webServerFactory(@Qualifier("eventLoops") Lifecycle eventLoops) {
			return new WebServerFactory() {
			};
		}

	}

	/**
	 * Register and start a plain lifecycle bean ("plain", phase 0) and two smart ones
	 * ("early", phase 10, and "late", phase 20), registered out of order.
	 * @return the beans: plain, early, late
	 */
	private List<Lifecycle> startThreeBeans() {
		RecordingSmartLifecycle late = new RecordingSmartLifecycle("late", 20, true);
		RecordingLifecycle plain = new RecordingLifecycle("plain");
		RecordingSmartLifecycle early = new RecordingSmartLifecycle("early", 10, true);
		this.context.registerBean("late", RecordingSmartLifecycle.class, () -> late);
		this.context.registerBean("plain", RecordingLifecycle.class, () -> plain);
		this.context.registerBean("early", RecordingSmartLifecycle.class, () -> early);
		this.context.refresh();
		// A refresh starts the smart beans only; the plain one is started by hand.
		plain.start();
		assertThat(this.events).containsExactlyInAnyOrder("start early", "start late", "start plain");
		this.events.clear();
		return List.of(plain, early, late);
	}

	private class RecordingLifecycle implements Lifecycle {

		private final String name;

		private volatile boolean running;

		RecordingLifecycle(String name) {
			this.name = name;
		}

		@Override
		public void start() {
			LifecycleParticipantTests.this.events.add("start " + this.name);
			this.running = true;
		}

		@Override
		public void stop() {
			LifecycleParticipantTests.this.events.add("stop " + this.name);
			this.running = false;
		}

		@Override
		public boolean isRunning() {
			return this.running;
		}

	}

	private class RecordingSmartLifecycle extends RecordingLifecycle implements SmartLifecycle {

		private final int phase;

		private final boolean autoStartup;

		RecordingSmartLifecycle(String name, int phase, boolean autoStartup) {
			super(name);
			this.phase = phase;
			this.autoStartup = autoStartup;
		}

		@Override
		public int getPhase() {
			return this.phase;
		}

		@Override
		public boolean isAutoStartup() {
			return this.autoStartup;
		}

	}

}
