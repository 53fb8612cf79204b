package io.cse.metrics;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;

import io.cse.CheckpointContext.Resumption;
import io.cse.CheckpointListener;
import io.cse.InstanceIdentity;
import io.cse.OperationReport;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;

/**
 * Every operation of the coordinator (freeze, thaw, dump, clone, restore) as a Micrometer
 * {@link Observation} named {@value #NAME}: a tracing back end shows it as a span, and
 * Spring Boot's metrics handler times it, tagged with {@code operation} and
 * {@code outcome}.
 * <p>
 * Operations nest: a dump that leaves the instance running ends with a thaw inside it. A
 * dump or a clone whose process is restored from its image never completes there: the
 * restore does, and then the snapshot's own observation ends with the outcome
 * {@code restored}, spanning its quiesce, the snapshot and the restore (the restored
 * process's monotonic clock goes on from the dump's, see docs/snapshots.md).
 */
public class OperationObservations implements CheckpointListener {

	/** The name of the observations. */
	public static final String NAME = "cse.operation";

	private final ObservationRegistry registry;

	/** Open observations, innermost first: operations run one at a time, nested. */
	private final Deque<Observation> open = new ArrayDeque<>();

	/**
	 * Create observations in the given registry.
	 * @param registry the registry
	 */
	public OperationObservations(ObservationRegistry registry) {
		this.registry = registry;
	}

	@Override
	public synchronized void operationStarted(OperationReport.Type type) {
		Observation observation = Observation.createNotStarted(NAME, this.registry)
			.contextualName("cse " + type.value())
			.lowCardinalityKeyValue("operation", type.value());
		this.open.push(observation.start());
	}

	@Override
	public synchronized void operationCompleted(OperationReport report) {
		Observation observation = this.open.poll();
		if (observation != null) {
			observation.lowCardinalityKeyValue("outcome", report.outcome().name().toLowerCase(Locale.ROOT));
			if (report.error() != null) {
				observation.highCardinalityKeyValue("error.message", report.error());
			}
			observation.stop();
		}
	}

	@Override
	public synchronized void restored(InstanceIdentity identity, Resumption resumption, String imageId) {
		// What is still open was started before the image was taken: its snapshot
		for (Observation snapshot = this.open.poll(); snapshot != null; snapshot = this.open.poll()) {
			snapshot.lowCardinalityKeyValue("outcome", "restored").highCardinalityKeyValue("image", imageId).stop();
		}
	}

}
