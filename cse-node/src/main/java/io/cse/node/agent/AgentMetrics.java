package io.cse.node.agent;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;

/**
 * What the agent has done, in the Prometheus text format: operations by kind and outcome
 * and their durations (counted here), and gauges of what the host holds now (read when
 * scraped).
 */
final class AgentMetrics {

	private final ConcurrentMap<List<String>, AtomicLong> operations = new ConcurrentHashMap<>();

	private final ConcurrentMap<String, DoubleAdder> seconds = new ConcurrentHashMap<>();

	private final ConcurrentMap<String, AtomicLong> counts = new ConcurrentHashMap<>();

	void record(String operation, String outcome, long nanos) {
		this.operations.computeIfAbsent(List.of(operation, outcome), (key) -> new AtomicLong()).incrementAndGet();
		this.seconds.computeIfAbsent(operation, (key) -> new DoubleAdder()).add(nanos / 1e9);
		this.counts.computeIfAbsent(operation, (key) -> new AtomicLong()).incrementAndGet();
	}

	String render(List<Gauge> gauges) {
		StringBuilder text = new StringBuilder();
		text.append("# HELP cse_agent_operations_total Operations the agent ran, by kind and outcome.\n");
		text.append("# TYPE cse_agent_operations_total counter\n");
		new TreeMap<>(keyed(this.operations)).forEach((key, count) -> text.append(key).append(' ')
			.append(count.get())
			.append('\n'));
		text.append("# HELP cse_agent_operation_seconds Time the agent's operations took, from request to answer.\n");
		text.append("# TYPE cse_agent_operation_seconds summary\n");
		new TreeMap<>(this.seconds).forEach((operation, sum) -> {
			String labels = "{operation=\"" + operation + "\"}";
			text.append("cse_agent_operation_seconds_sum").append(labels).append(' ')
				.append(String.format(Locale.ROOT, "%.6f", sum.sum())).append('\n');
			text.append("cse_agent_operation_seconds_count").append(labels).append(' ')
				.append(this.counts.get(operation).get()).append('\n');
		});
		String lastName = null;
		for (Gauge gauge : gauges) {
			if (!gauge.name().equals(lastName)) {
				text.append("# HELP ").append(gauge.name()).append(' ').append(gauge.help()).append('\n');
				text.append("# TYPE ").append(gauge.name()).append(" gauge\n");
				lastName = gauge.name();
			}
			text.append(gauge.name()).append(labels(gauge.labels())).append(' ')
				.append(String.format(Locale.ROOT, "%.0f", gauge.value())).append('\n');
		}
		return text.toString();
	}

	private static Map<String, AtomicLong> keyed(Map<List<String>, AtomicLong> operations) {
		Map<String, AtomicLong> keyed = new TreeMap<>();
		operations.forEach((key, count) -> keyed.put("cse_agent_operations_total"
				+ labels(Map.of("operation", key.get(0), "outcome", key.get(1))), count));
		return keyed;
	}

	private static String labels(Map<String, String> labels) {
		if (labels.isEmpty()) {
			return "";
		}
		List<String> pairs = new ArrayList<>();
		new TreeMap<>(labels).forEach((name, value) -> pairs.add(name + "=\"" + value.replace("\\", "\\\\")
			.replace("\"", "\\\"")
			.replace("\n", "\\n") + "\""));
		return "{" + String.join(",", pairs) + "}";
	}

	/**
	 * One gauge sample.
	 *
	 * @param name the metric's name
	 * @param help what it measures
	 * @param labels its labels
	 * @param value its value
	 */
	record Gauge(String name, String help, Map<String, String> labels, double value) {

	}

}
