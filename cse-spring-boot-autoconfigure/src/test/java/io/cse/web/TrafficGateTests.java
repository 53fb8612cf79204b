package io.cse.web;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import io.cse.CheckpointContext;
import io.cse.CheckpointContext.Operation;
import io.cse.CheckpointContext.Resumption;
import io.cse.CheckpointCoordinator;
import io.cse.InstanceIdentity;
import io.cse.InstanceState;
import io.cse.event.InstanceStateChangedEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.availability.ApplicationAvailabilityBean;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationEventPublisher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link TrafficGate}.
 */
class TrafficGateTests {

	private static final Duration LONG = Duration.ofSeconds(30);

	private final ApplicationAvailabilityBean availability = new ApplicationAvailabilityBean();

	private final ApplicationEventPublisher publisher = (event) -> {
		if (event instanceof AvailabilityChangeEvent<?> change) {
			this.availability.onApplicationEvent(change);
		}
	};

	private final List<Integer> closedPorts = new ArrayList<>();

	private final List<Duration> quietFor = new ArrayList<>();

	private final IdleConnectionCloser closer = (busy, quietFor) -> {
		this.quietFor.add(quietFor);
		int closed = 0;
		for (int port : new int[] { 40001, 40002 }) {
			if (!busy.test(port)) {
				this.closedPorts.add(port);
				closed++;
			}
		}
		return closed;
	};

	private final TrafficGate gate = new TrafficGate(this.publisher, this.availability, this.closer,
			Duration.ofSeconds(10));

	private final CheckpointContext quiesce = new CheckpointContext(Operation.FREEZE, null,
			new InstanceIdentity(Clock.systemUTC()));

	private final CheckpointContext thaw = new CheckpointContext(Operation.FREEZE, Resumption.THAW,
			new InstanceIdentity(Clock.systemUTC()));

	@AfterEach
	void openGate() {
		this.gate.resume(this.thaw);
	}

	@Test
	void openGateLetsRequestsThrough() throws Exception {
		assertThat(this.gate.enter(LONG, (wait) -> false)).isTrue();
		assertThat(this.gate.getInFlight()).isEqualTo(1);
		this.gate.exit();
		assertThat(this.gate.getInFlight()).isZero();
	}

	@Test
	void quiesceWaitsForRequestsInFlight() throws Exception {
		this.gate.enter(LONG, (wait) -> false);
		CompletableFuture<Void> quiesce = CompletableFuture.runAsync(this::quiesceGate);
		await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !quiesce.isDone());
		this.gate.exit();
		await().atMost(Duration.ofSeconds(5)).until(quiesce::isDone);
		assertThat(quiesce).isNotCompletedExceptionally();
		assertThat(this.gate.isOpen()).isFalse();
	}

	@Test
	void quiesceFailsWhenRequestsDoNotDrainInTime() throws Exception {
		TrafficGate gate = new TrafficGate(this.publisher, this.availability, this.closer, Duration.ofMillis(200));
		gate.enter(LONG, (wait) -> false);
		assertThatIllegalStateException().isThrownBy(() -> gate.quiesce(this.quiesce))
			.withMessageContaining("1 request(s) still in flight")
			.withMessageContaining("cse.traffic.drain-timeout");
		gate.resume(this.thaw);
		assertThat(gate.isOpen()).isTrue();
	}

	@Test
	void quiesceRefusesTrafficAndResumeAcceptsItAgain() throws Exception {
		AvailabilityChangeEvent.publish(this.publisher, this, ReadinessState.ACCEPTING_TRAFFIC);
		this.gate.quiesce(this.quiesce);
		assertThat(this.availability.getReadinessState()).isEqualTo(ReadinessState.REFUSING_TRAFFIC);
		this.gate.resume(this.thaw);
		assertThat(this.availability.getReadinessState()).isEqualTo(ReadinessState.ACCEPTING_TRAFFIC);
	}

	@Test
	void resumeLeavesReadinessAloneWhenTheApplicationRefusedTrafficItself() throws Exception {
		AvailabilityChangeEvent.publish(this.publisher, this, ReadinessState.REFUSING_TRAFFIC);
		this.gate.quiesce(this.quiesce);
		this.gate.resume(this.thaw);
		assertThat(this.availability.getReadinessState()).isEqualTo(ReadinessState.REFUSING_TRAFFIC);
	}

	@Test
	void requestArrivingWhileClosedIsHeldUntilResume() throws Exception {
		this.gate.quiesce(this.quiesce);
		CompletableFuture<Boolean> held = enterAsync(LONG, (wait) -> false);
		await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !held.isDone());
		this.gate.resume(this.thaw);
		assertThat(held.get()).isTrue();
		assertThat(this.gate.getInFlight()).isEqualTo(1);
	}

	@Test
	void heldRequestGivesUpAfterTheHoldTimeout() throws Exception {
		this.gate.quiesce(this.quiesce);
		assertThat(this.gate.enter(Duration.ofMillis(200), (wait) -> false)).isFalse();
		assertThat(this.gate.getInFlight()).isZero();
	}

	@Test
	void heldRequestThawsTheInstanceOnceItIsFrozen() throws Exception {
		AtomicInteger thaws = new AtomicInteger();
		this.gate.quiesce(this.quiesce);
		CompletableFuture<Boolean> held = enterAsync(LONG, (wait) -> {
			thaws.incrementAndGet();
			this.gate.resume(this.thaw);
			return true;
		});
		await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> thaws.get() == 0);
		this.gate.onApplicationEvent(stateChange(InstanceState.FROZEN));
		assertThat(held.get()).isTrue();
		assertThat(thaws).hasValue(1);
	}

	@Test
	void heldRequestWaitsForAThawItCannotDoItself() throws Exception {
		this.gate.quiesce(this.quiesce);
		this.gate.onApplicationEvent(stateChange(InstanceState.FROZEN));
		CompletableFuture<Boolean> held = enterAsync(LONG, (wait) -> false);
		await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !held.isDone());
		this.gate.onApplicationEvent(stateChange(InstanceState.RESUMING));
		this.gate.resume(this.thaw);
		assertThat(held.get()).isTrue();
	}

	@Test
	void quiesceClosesIdleConnectionsButNotBusyOnes() throws Exception {
		this.gate.occupy(40002);
		this.gate.quiesce(this.quiesce);
		assertThat(this.closedPorts).containsExactly(40001);
		assertThat(this.gate.getLastClosedConnections()).isEqualTo(1);
		this.gate.release(40002);
	}

	@Test
	void freezeAndCloneCloseOnlyConnectionsQuietForASecondADumpEveryIdleOne() throws Exception {
		// A frozen or cloned instance goes on with its connections; a dump ends the process,
		// and every connection it held is gone after the restore
		for (Operation operation : Operation.values()) {
			this.gate.quiesce(new CheckpointContext(operation, null, this.quiesce.identity()));
			this.gate.resume(this.thaw);
		}
		assertThat(this.quietFor).containsExactly(Duration.ofSeconds(1), Duration.ZERO, Duration.ofSeconds(1));
	}

	private void quiesceGate() {
		try {
			this.gate.quiesce(this.quiesce);
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	private CompletableFuture<Boolean> enterAsync(Duration timeout, TrafficGate.ThawOnRequest thaw) {
		return CompletableFuture.supplyAsync(() -> {
			try {
				return this.gate.enter(timeout, thaw);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return false;
			}
		});
	}

	private InstanceStateChangedEvent stateChange(InstanceState state) {
		CheckpointCoordinator coordinator = new CheckpointCoordinator(List.of(),
				new InstanceIdentity(Clock.systemUTC()), null, LONG, Clock.systemUTC());
		return new InstanceStateChangedEvent(coordinator, InstanceState.QUIESCING, state);
	}

}
