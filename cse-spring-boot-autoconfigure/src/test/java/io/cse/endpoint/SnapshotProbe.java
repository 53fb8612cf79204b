package io.cse.endpoint;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.cse.CheckpointContext;
import io.cse.CheckpointContext.Operation;
import io.cse.CheckpointParticipant;
import io.cse.SnapshotOutcome;
import io.cse.snapshot.EngineStatus;
import io.cse.snapshot.SnapshotEngine;
import io.cse.snapshot.SnapshotSpec;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Watches a dump or a clone from the inside: a participant that records when the
 * snapshot's quiesce starts, with an engine that records the thread that snapshots, takes
 * no image and leaves the process running.
 */
class SnapshotProbe implements CheckpointParticipant {

	private final CountDownLatch quiesced = new CountDownLatch(1);

	private volatile String snapshotThread;

	private volatile Boolean startedDuringTheRequest;

	@Override
	public String getName() {
		return "probe";
	}

	@Override
	public void quiesce(CheckpointContext context) {
		if (context.operation() != Operation.FREEZE) {
			this.quiesced.countDown();
		}
	}

	@Override
	public void resume(CheckpointContext context) {
	}

	/**
	 * Called by a request to the endpoint once it has an answer but before it ends: waits
	 * a while for the snapshot to start, which it must not do before the request ends.
	 * @param window how long the request holds on
	 */
	void holdTheRequest(Duration window) {
		try {
			this.startedDuringTheRequest = this.quiesced.await(window.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	boolean hasQuiesced() {
		return this.quiesced.getCount() == 0;
	}

	/**
	 * Return the name of the thread that took the last snapshot.
	 * @return the thread's name, or {@code null} if no snapshot was taken
	 */
	String snapshotThread() {
		return this.snapshotThread;
	}

	/**
	 * Return whether the snapshot started while a request {@link #holdTheRequest held on}.
	 * @return whether it did, or {@code null} if no request held on
	 */
	Boolean startedDuringTheRequest() {
		return this.startedDuringTheRequest;
	}

	/**
	 * Takes no image: the process goes on as a clone's template does.
	 */
	static class Engine implements SnapshotEngine {

		private final SnapshotProbe probe;

		private final boolean canLeaveRunning;

		Engine(SnapshotProbe probe) {
			this(probe, true);
		}

		/**
		 * An engine that says whether it can leave the process running, as CRaC's cannot.
		 * @param probe the probe that records the snapshot
		 * @param canLeaveRunning what {@link #canLeaveRunning()} answers
		 */
		Engine(SnapshotProbe probe, boolean canLeaveRunning) {
			this.probe = probe;
			this.canLeaveRunning = canLeaveRunning;
		}

		@Override
		public String getName() {
			return "probe";
		}

		@Override
		public EngineStatus getStatus() {
			return EngineStatus.available("probe", "1.0");
		}

		@Override
		public boolean canLeaveRunning() {
			return this.canLeaveRunning;
		}

		@Override
		public SnapshotOutcome snapshot(SnapshotSpec spec) {
			this.probe.snapshotThread = Thread.currentThread().getName();
			return SnapshotOutcome.CONTINUED;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class ProbeConfiguration {

		@Bean
		SnapshotProbe snapshotProbe() {
			return new SnapshotProbe();
		}

		@Bean
		Engine snapshotProbeEngine(SnapshotProbe probe, Environment environment) {
			return new Engine(probe, environment.getProperty("test.probe.can-leave-running", Boolean.class, true));
		}

	}

}
