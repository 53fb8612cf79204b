package io.cse.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the load of every measured burst did: requests sent and failed (with their
 * reasons), latencies in each step, and how late the generator sent; the same rows in
 * both bursts' sections.
 */
final class LoadTally {

	final List<Double> idleLatency = new ArrayList<>();

	final List<Double> highLatency = new ArrayList<>();

	final List<Double> lag = new ArrayList<>();

	final List<Double> sent = new ArrayList<>();

	final List<Double> failed = new ArrayList<>();

	final Map<String, Long> failures = new TreeMap<>();

	/**
	 * Count one burst's load.
	 * @param tallies its idle and its high step
	 * @return how many requests it sent and how many failed
	 */
	long[] add(List<LoadGenerator.StepTally> tallies) {
		long sentNow = 0;
		long failedNow = 0;
		for (LoadGenerator.StepTally tally : tallies) {
			sentNow += tally.sent();
			failedNow += tally.failed();
			tally.failures().forEach((reason, count) -> this.failures.merge(reason, count, Long::sum));
			this.lag.addAll(tally.lagMillis());
		}
		this.idleLatency.addAll(tallies.get(0).latencyMillis());
		this.highLatency.addAll(tallies.get(1).latencyMillis());
		this.sent.add((double) sentNow);
		this.failed.add((double) failedNow);
		return new long[] { sentNow, failedNow };
	}

	/**
	 * The load's rows, and a note that sums the failures up.
	 * @param section the section to add them to
	 * @param instances how many instances serve at the end of a burst
	 * @param runs how many bursts were measured
	 * @return the section
	 */
	Section addTo(Section section, int instances, int runs) {
		section.millis("request latency, idle step (1 instance)", this.idleLatency, "")
			.millis("request latency, burst step (1 to " + instances + " instances)", this.highLatency, "")
			.millis("load generator: request sent after its scheduled time", this.lag, "")
			.number("requests per burst", this.sent, "")
			.number("failed requests per burst", this.failed, "0");
		long sentAll = Math.round(this.sent.stream().mapToDouble(Double::doubleValue).sum());
		long failedAll = Math.round(this.failed.stream().mapToDouble(Double::doubleValue).sum());
		List<String> reasons = new ArrayList<>();
		this.failures.forEach((reason, count) -> reasons.add(count + " " + reason));
		return section.note(String.format(Locale.ROOT, "Over the %d measured bursts: %d requests sent, %d answered "
				+ "200, **%d failed**%s.", runs, sentAll, sentAll - failedAll, failedAll,
				reasons.isEmpty() ? "" : " (" + String.join(", ", reasons) + ")"));
	}

}
