package io.cse.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Median, p99, minimum and maximum of a series of measurements in milliseconds.
 *
 * @param count how many values
 * @param median the median
 * @param p99 the 99th percentile (nearest rank)
 * @param min the smallest value
 * @param max the largest value
 */
record Stats(int count, double median, double p99, double min, double max) {

	static Stats of(List<Double> values) {
		if (values.isEmpty()) {
			throw new IllegalArgumentException("No measurements");
		}
		List<Double> sorted = new ArrayList<>(values);
		Collections.sort(sorted);
		int size = sorted.size();
		double median = (size % 2 == 1) ? sorted.get(size / 2)
				: (sorted.get(size / 2 - 1) + sorted.get(size / 2)) / 2;
		double p99 = sorted.get(Math.max(0, (int) Math.ceil(0.99 * size) - 1));
		return new Stats(size, median, p99, sorted.get(0), sorted.get(size - 1));
	}

	String row(String name, String target) {
		return String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %d | %s |", name, ms(this.median), ms(this.p99),
				ms(this.min), ms(this.max), this.count, target);
	}

	String percentRow(String name, String target) {
		return String.format(Locale.ROOT, "| %s | %.0f %% | %.0f %% | %.0f %% | %.0f %% | %d | %s |", name, this.median,
				this.p99, this.min, this.max, this.count, target);
	}

	String countRow(String name, String target) {
		return String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %d | %s |", name, count(this.median),
				count(this.p99), count(this.min), count(this.max), this.count, target);
	}

	private static String count(double value) {
		return (value == Math.rint(value)) ? String.format(Locale.ROOT, "%.0f", value)
				: String.format(Locale.ROOT, "%.1f", value);
	}

	static String ms(double value) {
		return (value >= 100) ? String.format(Locale.ROOT, "%.0f ms", value)
				: String.format(Locale.ROOT, "%.1f ms", value);
	}

}
