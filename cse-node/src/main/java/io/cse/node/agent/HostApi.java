package io.cse.node.agent;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

import io.cse.node.instance.Footprint;
import io.cse.node.instance.InstanceStatus;
import io.cse.node.instance.Liveness;
import io.cse.node.instance.Node;
import io.cse.node.instance.ReconcileReport;
import io.cse.node.linux.Cgroup;
import io.cse.node.pool.PoolStatus;
import io.cse.node.pool.Pools;

/**
 * The routes that tell about the agent and its host: {@code GET /healthz} and
 * {@code GET /metrics} (Prometheus text format).
 */
final class HostApi {

	static final String PROMETHEUS_TYPE = "text/plain; version=0.0.4; charset=utf-8";

	private final Node node;

	private final Agent.Settings settings;

	private final AgentMetrics metrics;

	private final Pools pools;

	private final Supplier<ReconcileReport> reconciled;

	HostApi(Node node, Agent.Settings settings, AgentMetrics metrics, Pools pools,
			Supplier<ReconcileReport> reconciled) {
		this.pools = pools;
		this.reconciled = reconciled;
		this.node = node;
		this.settings = settings;
		this.metrics = metrics;
	}

	void addTo(Routes routes) {
		routes.add("GET", "/healthz", null, (request, variables) -> health())
			.add("GET", "/metrics", null,
					(request, variables) -> ApiResponse.text(200, PROMETHEUS_TYPE, this.metrics.render(gauges())));
	}

	private ApiResponse health() {
		Map<String, Object> health = new LinkedHashMap<>();
		health.put("status", "UP");
		health.put("pid", ProcessHandle.current().pid());
		health.put("stateDir", this.settings.stateDir().toString());
		health.put("imagesRoot", this.settings.imagesRoot().toString());
		health.put("instances", this.node.list().size());
		// what the resident agent found on its start; null in an agent a command made
		health.put("reconciled", this.reconciled.get());
		return ApiResponse.json(200, health);
	}

	private List<AgentMetrics.Gauge> gauges() {
		List<InstanceStatus> statuses = this.node.list();
		Map<List<String>, Integer> byKind = new TreeMap<>((a, b) -> String.join(",", a).compareTo(String.join(",", b)));
		int frozen = 0;
		List<AgentMetrics.Gauge> charged = new ArrayList<>();
		Footprint anyFootprint = null;
		for (InstanceStatus status : statuses) {
			byKind.merge(List.of(status.instance().kind().toString(), status.liveness().toString()), 1, Integer::sum);
			if (Cgroup.FROZEN.equals(status.freezerState())) {
				frozen++;
			}
			if (status.instance().hasCgroup() && status.liveness() == Liveness.ALIVE) {
				Footprint footprint = this.node.footprint(status.instance());
				anyFootprint = footprint;
				if (footprint.chargedBytes() >= 0) {
					charged.add(new AgentMetrics.Gauge("cse_agent_memory_charged_bytes",
							"Memory charged to each instance's cgroup.", Map.of("instance", status.instance().name()),
							footprint.chargedBytes()));
				}
			}
		}
		List<AgentMetrics.Gauge> gauges = new ArrayList<>();
		byKind.forEach((key, count) -> gauges.add(new AgentMetrics.Gauge("cse_agent_instances",
				"Instances the agent started, by kind and liveness.", Map.of("kind", key.get(0), "liveness", key.get(1)),
				count)));
		gauges.add(new AgentMetrics.Gauge("cse_agent_frozen_instances", "Instances whose cgroup is frozen.", Map.of(),
				frozen));
		gauges.addAll(charged);
		for (PoolStatus pool : this.pools.list()) {
			gauges.add(new AgentMetrics.Gauge("cse_agent_pool_ready", "Frozen clones ready to be taken, by pool.",
					Map.of("pool", pool.name()), pool.ready()));
		}
		for (PoolStatus pool : this.pools.list()) {
			gauges.add(new AgentMetrics.Gauge("cse_agent_pool_size", "Frozen clones each pool keeps.",
					Map.of("pool", pool.name()), pool.size()));
		}
		if (anyFootprint != null && anyFootprint.compressedBytes() >= 0) {
			gauges.add(new AgentMetrics.Gauge("cse_agent_zram_stored_bytes",
					"Memory pushed out to zram, before compression.", Map.of(), anyFootprint.swappedBytes()));
			gauges.add(new AgentMetrics.Gauge("cse_agent_zram_compressed_bytes", "What zram holds, compressed.",
					Map.of(), anyFootprint.compressedBytes()));
		}
		return gauges;
	}

}
