package io.cse.node.cli;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Text output of the commands.
 */
final class Output {

	private Output() {
	}

	/**
	 * How long this JVM has run: taken at a command's start, it is what the JVM's own
	 * start-up adds to the times the command measures (a long-running agent would not pay it).
	 */
	static long jvmUptimeMillis() {
		return ManagementFactory.getRuntimeMXBean().getUptime();
	}

	/**
	 * A time from the command's start, and from the JVM's start.
	 */
	static String millis(double fromCommandStart, long jvmUptimeAtCommandStart) {
		return String.format(Locale.ROOT, "%.0f ms from the command's start (%.0f ms counting the cse JVM's own start)",
				fromCommandStart, fromCommandStart + jvmUptimeAtCommandStart);
	}

	/**
	 * Lay rows out in columns.
	 */
	static String table(List<String> header, List<List<String>> rows) {
		List<List<String>> all = new ArrayList<>();
		all.add(header);
		all.addAll(rows);
		int[] widths = new int[header.size()];
		for (List<String> row : all) {
			for (int i = 0; i < row.size(); i++) {
				widths[i] = Math.max(widths[i], row.get(i).length());
			}
		}
		StringBuilder text = new StringBuilder();
		for (List<String> row : all) {
			StringBuilder line = new StringBuilder();
			for (int i = 0; i < row.size(); i++) {
				line.append(row.get(i));
				if (i < row.size() - 1) {
					line.append(" ".repeat(widths[i] - row.get(i).length() + 2));
				}
			}
			text.append(line.toString().stripTrailing()).append(System.lineSeparator());
		}
		return text.toString();
	}

}
