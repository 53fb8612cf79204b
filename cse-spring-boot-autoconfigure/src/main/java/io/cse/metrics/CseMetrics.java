package io.cse.metrics;

import java.util.Locale;

import io.cse.CheckpointCoordinator;
import io.cse.InstanceState;
import io.cse.event.OperationCompletedEvent;
import io.cse.OperationReport;
import io.cse.OperationReport.Step;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;

import org.springframework.context.ApplicationListener;

/**
 * Micrometer metrics of the starter:
 * <ul>
 * <li>{@code cse.operations}: a timer per operation ({@code freeze}, {@code thaw}) and
 * outcome;</li>
 * <li>{@code cse.participants}: a timer per participant, phase ({@code quiesce},
 * {@code resume}) and outcome;</li>
 * <li>{@code cse.state}: {@code 1} for the current state, {@code 0} for the others;</li>
 * <li>{@code cse.instance.generation}: {@code 0} for an instance started from scratch, one
 * more for every clone restore.</li>
 * </ul>
 * Every tag has a bounded set of values, in lower case. The instance's id is none of
 * them: a tag per clone would make a new series for every clone, and a tag named
 * {@code instance} clashes with the label Prometheus gives every target. The id is in the
 * endpoint's status ({@code GET /actuator/cse}), and in the logs' MDC. The gauges read the
 * coordinator at every scrape, so a restored or cloned process reports its own state and
 * generation. Switch them off with Spring Boot's own {@code management.metrics.enable.cse=false}.
 */
public class CseMetrics implements MeterBinder, ApplicationListener<OperationCompletedEvent> {

	private final CheckpointCoordinator coordinator;

	private volatile MeterRegistry registry;

	/**
	 * Create metrics for the given coordinator.
	 * @param coordinator the coordinator to observe
	 */
	public CseMetrics(CheckpointCoordinator coordinator) {
		this.coordinator = coordinator;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		this.registry = registry;
		for (InstanceState state : InstanceState.values()) {
			Gauge.builder("cse.state", this.coordinator, (coordinator) -> (coordinator.getState() == state) ? 1 : 0)
				.tag("state", state.name().toLowerCase(Locale.ROOT))
				.description("Whether the instance is in this state")
				.register(registry);
		}
		Gauge.builder("cse.instance.generation", this.coordinator,
				(coordinator) -> coordinator.getIdentity().getGeneration())
			.description("Generation of this instance: 0 when started from scratch, one more for every clone restore")
			.register(registry);
	}

	@Override
	public void onApplicationEvent(OperationCompletedEvent event) {
		MeterRegistry registry = this.registry;
		if (registry == null) {
			return;
		}
		OperationReport report = event.getReport();
		Timer.builder("cse.operations")
			.tag("operation", report.operation().value())
			.tag("outcome", report.outcome().name().toLowerCase(Locale.ROOT))
			.description("Time taken by freeze and thaw operations")
			.register(registry)
			.record(report.duration());
		for (Step step : report.steps()) {
			Timer.builder("cse.participants")
				.tag("participant", step.participant())
				.tag("phase", step.phase())
				.tag("outcome", step.succeeded() ? "success" : "failure")
				.description("Time taken by each participant to quiesce or resume")
				.register(registry)
				.record(step.duration());
		}
	}

}
