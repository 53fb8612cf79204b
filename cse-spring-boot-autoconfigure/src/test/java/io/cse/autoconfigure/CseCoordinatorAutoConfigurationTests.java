package io.cse.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;

import io.cse.CheckpointCoordinator;
import io.cse.CheckpointParticipant;
import io.cse.InstanceState;
import io.cse.OperationReport;
import io.cse.RecordingParticipant;
import io.cse.event.InstanceStateChangedEvent;
import io.cse.event.OperationCompletedEvent;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for the {@link CheckpointCoordinator} that {@link CseAutoConfiguration} builds:
 * its settings, the events it publishes, and its threads' end with the context.
 */
class CseCoordinatorAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(CseAutoConfiguration.class));

	@Test
	void coordinatorPublishesWhatItDoesAsApplicationEvents() {
		this.contextRunner.withUserConfiguration(EventRecorderConfiguration.class).run((context) -> {
			CheckpointCoordinator coordinator = context.getBean(CheckpointCoordinator.class);
			coordinator.freeze();
			coordinator.thaw(Map.of());
			EventRecorder recorder = context.getBean(EventRecorder.class);
			assertThat(recorder.states).containsExactly(InstanceState.QUIESCING, InstanceState.FROZEN,
					InstanceState.RESUMING, InstanceState.RUNNING);
			assertThat(recorder.operations).containsExactly(OperationReport.Type.FREEZE, OperationReport.Type.THAW);
			assertThat(recorder.sources).containsOnly(coordinator);
		});
	}

	@Test
	void participantTimeoutNamesThePropertyThatRaisesIt() {
		this.contextRunner.withPropertyValues("cse.participant-timeout=100ms")
			.withBean("stuck", CheckpointParticipant.class,
					() -> new RecordingParticipant("stuck", 1).blockingUntil(new CountDownLatch(1)))
			.run((context) -> assertThat(context.getBean(CheckpointCoordinator.class).freeze().error())
				.contains("timed out after 100 ms (raise cse.participant-timeout)"));
	}

	@Test
	void closingTheContextStopsTheThreadsThatCallParticipants() {
		List<Thread> before = participantCallers();
		this.contextRunner.withBean("recording", CheckpointParticipant.class, () -> new RecordingParticipant("a", 1))
			.run((context) -> {
				CheckpointCoordinator coordinator = context.getBean(CheckpointCoordinator.class);
				coordinator.freeze();
				coordinator.thaw(Map.of());
				List<Thread> callers = participantCallers();
				callers.removeAll(before);
				assertThat(callers).isNotEmpty();
				context.close();
				Awaitility.await()
					.atMost(Duration.ofSeconds(10))
					.untilAsserted(() -> assertThat(callers).noneMatch(Thread::isAlive));
			});
	}

	@Test
	void participantTimeoutIsBound() {
		this.contextRunner.withPropertyValues("cse.participant-timeout=2s", "cse.lifecycle.excluded-beans=a,b")
			.run((context) -> {
				CseProperties properties = context.getBean(CseProperties.class);
				assertThat(properties.getParticipantTimeout()).isEqualTo(Duration.ofSeconds(2));
				assertThat(properties.getLifecycle().getExcludedBeans()).containsExactly("a", "b");
			});
	}

	@Test
	void aNegativeJitSettleTimeStopsTheStartWithThePropertyNamed() {
		this.contextRunner.withPropertyValues("cse.memory.jit-settle-time=-1s")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("cse.memory.jit-settle-time must not be negative"));
	}

	@Test
	void aFreeHeapRatioAbove100StopsTheStartWithThePropertyNamed() {
		this.contextRunner.withPropertyValues("cse.memory.max-heap-free-ratio=150")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("cse.memory.max-heap-free-ratio must be between 0 and 100, not 150"));
	}

	@Test
	void snapshotsCanSkipTheJitSettleTime() {
		this.contextRunner.withPropertyValues("cse.memory.jit-settle-time=0")
			.run((context) -> assertThat(context.getBean(CseProperties.class).getMemory().getJitSettleTime())
				.isZero());
	}

	private static List<Thread> participantCallers() {
		return Thread.getAllStackTraces()
			.keySet()
			.stream()
			.filter((thread) -> thread.getName().startsWith("cse-participant") && thread.isAlive())
			.collect(Collectors.toCollection(ArrayList::new));
	}

	@Configuration(proxyBeanMethods = false)
	static class EventRecorderConfiguration {

		@Bean
		EventRecorder eventRecorder() {
			return new EventRecorder();
		}

	}

	static class EventRecorder {

		final List<InstanceState> states = new CopyOnWriteArrayList<>();

		final List<OperationReport.Type> operations = new CopyOnWriteArrayList<>();

		final Set<Object> sources = new CopyOnWriteArraySet<>();

		@EventListener
		void stateChanged(InstanceStateChangedEvent event) {
			this.states.add(event.getState());
			this.sources.add(event.getSource());
		}

		@EventListener
		void operationCompleted(OperationCompletedEvent event) {
			this.operations.add(event.getReport().operation());
			this.sources.add(event.getSource());
		}

	}

}
