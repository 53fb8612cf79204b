package io.cse.crac;

import java.util.Collections;
import java.util.logging.Logger;

import io.cse.CheckpointContext.Operation;
import io.cse.CheckpointContext.Resumption;
import io.cse.CheckpointCoordinator;
import io.cse.InstanceState;
import io.cse.OperationReport;
import io.cse.OperationReport.Outcome;
import io.cse.memory.HeapTrimmer;
import org.crac.Context;
import org.crac.Core;
import org.crac.Resource;

/**
 * Connects the {@link CheckpointCoordinator} to a CRaC JDK: a checkpoint that the JDK
 * takes (for example through {@code jcmd <pid> JDK.checkpoint}) quiesces the same
 * participants as a freeze, and the restore resumes them. The only class of the starter
 * that touches {@code org.crac}.
 * <p>
 * On a plain JDK the {@code org.crac} library silently discards registrations, so nothing
 * is registered there and the coordinator drives its participants itself. CRaC holds its
 * resources weakly: this bean keeps the one resource it registers strongly reachable.
 */
public class CracJdkAdapter implements AutoCloseable {

	private static final Logger logger = Logger.getLogger(CracJdkAdapter.class.getName());

	private static final String[] CRAC_JDK_CLASSES = { "jdk.crac.Core", "javax.crac.Core" };

	private final CheckpointCoordinator coordinator;

	private final HeapTrimmer heapTrimmer;

	private final CracRuntime runtime;

	private final Resource resource = new CoordinatorResource();

	private volatile boolean registered;

	/**
	 * Create an adapter for the JDK this application runs on.
	 * @param coordinator the coordinator to drive on a JDK checkpoint
	 * @param heapTrimmer trims the heap before a checkpoint the JDK takes by itself, or
	 * {@code null} to skip the trim
	 */
	public CracJdkAdapter(CheckpointCoordinator coordinator, HeapTrimmer heapTrimmer) {
		this(coordinator, heapTrimmer, CracRuntime.DEFAULT);
	}

	CracJdkAdapter(CheckpointCoordinator coordinator, HeapTrimmer heapTrimmer, CracRuntime runtime) {
		this.coordinator = coordinator;
		this.heapTrimmer = heapTrimmer;
		this.runtime = runtime;
	}

	/**
	 * Return whether the application runs on a JDK with CRaC support.
	 * @return whether a JDK checkpoint is possible
	 */
	public boolean isCracJdk() {
		return this.runtime.isCracJdk();
	}

	/**
	 * Return whether the adapter registered itself with the JDK.
	 * @return whether JDK checkpoints drive the coordinator
	 */
	public boolean isRegistered() {
		return this.registered;
	}

	/**
	 * Register with the JDK if it supports CRaC: from then on, a checkpoint the JDK takes
	 * quiesces the coordinator's participants first.
	 */
	public void register() {
		if (this.runtime.isCracJdk()) {
			this.runtime.register(this.resource);
			this.registered = true;
			logger.info("CRaC JDK detected: a JDK checkpoint will quiesce the application first");
		}
	}

	/**
	 * Stop driving the coordinator on JDK checkpoints (the JDK has no way to unregister).
	 */
	@Override
	public void close() {
		this.registered = false;
	}

	Resource getResource() {
		return this.resource;
	}

	/**
	 * Ask the JDK for a checkpoint; returns in the restored process. Participants are
	 * already quiesced by the coordinator, so the registered resource lets it through.
	 * @throws Exception if the JDK could not checkpoint
	 */
	void checkpoint() throws Exception {
		this.runtime.checkpointRestore();
	}

	private boolean isSnapshotUnderWay() {
		return this.coordinator.getState() == InstanceState.SNAPSHOTTING;
	}

	private final class CoordinatorResource implements Resource {

		@Override
		public void beforeCheckpoint(Context<? extends Resource> context) throws Exception {
			if (!CracJdkAdapter.this.registered || isSnapshotUnderWay()) {
				// A snapshot the coordinator started itself: everything is quiesced already.
				return;
			}
			OperationReport report = CracJdkAdapter.this.coordinator.quiesce(Operation.DUMP);
			if (report.outcome() != Outcome.SUCCESS) {
				// Failing here makes the JDK abort the checkpoint; the coordinator already
				// rolled the participants back.
				throw new IllegalStateException(report.error());
			}
			if (CracJdkAdapter.this.heapTrimmer != null) {
				CracJdkAdapter.this.heapTrimmer.trimForSnapshot();
			}
		}

		@Override
		public void afterRestore(Context<? extends Resource> context) {
			if (CracJdkAdapter.this.registered && !isSnapshotUnderWay()) {
				CracJdkAdapter.this.coordinator.resume(Resumption.RESTORE, Collections.emptyMap());
			}
		}

	}

	/**
	 * The seam between the adapter and the JDK's CRaC support, so that both can be tested
	 * on a JDK without it.
	 */
	interface CracRuntime {

		CracRuntime DEFAULT = new CracRuntime() {

			@Override
			public boolean isCracJdk() {
				for (String className : CRAC_JDK_CLASSES) {
					try {
						Class.forName(className, false, ClassLoader.getSystemClassLoader());
						return true;
					}
					catch (ClassNotFoundException | LinkageError ex) {
						// try the next name
					}
				}
				return false;
			}

			@Override
			public void register(Resource resource) {
				Core.getGlobalContext().register(resource);
			}

		};

		boolean isCracJdk();

		void register(Resource resource);

		default void checkpointRestore() throws Exception {
			Core.checkpointRestore();
		}

	}

}
