package io.cse.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * One section of {@code docs/benchmarks.md}: a title, the command that wrote it and on
 * which machine, what was measured and how, a table with one row per measure (median,
 * p99, min, max, n, target), and notes after it. A scenario builds its section row by row;
 * a new one (the pools' "pool take to first 200" and "burst with pools" are next) adds its
 * own section the same way, and {@link #writeTo} puts it in place of the one it wrote
 * before.
 */
final class Section {

	private final String name;

	private final StringBuilder head = new StringBuilder();

	private final StringBuilder rows = new StringBuilder();

	private final StringBuilder notes = new StringBuilder();

	/**
	 * A section.
	 * @param name its marker in the report ({@code <!-- bench:NAME -->}), unique per scenario
	 * @param title its heading
	 */
	Section(String name, String title) {
		this.name = name;
		this.head.append("## ").append(title).append("\n\n");
	}

	/**
	 * Say what wrote it, and where.
	 * @param command the command line, as Markdown
	 * @param machine the machine and JDK ({@link BenchmarkReport#machine})
	 * @return this section
	 */
	Section source(String command, String machine) {
		this.head.append(command).append(".\nMachine: ").append(machine).append(".\n\n");
		return this;
	}

	/**
	 * Add a paragraph before the table: what was measured and how.
	 * @param text the paragraph, as Markdown
	 * @return this section
	 */
	Section paragraph(String text) {
		this.head.append(text.strip()).append("\n\n");
		return this;
	}

	/**
	 * A row of times.
	 * @param measure what was measured
	 * @param millis the measurements, in milliseconds
	 * @param target the target, as {@code <= 20 ms}, or empty
	 * @return this section
	 */
	Section millis(String measure, List<Double> millis, String target) {
		return row(Stats.of(millis).row(measure, target));
	}

	/**
	 * A row of amounts of memory.
	 * @param measure what was measured
	 * @param mebibytes the measurements, in MiB
	 * @param target the target, or empty
	 * @return this section
	 */
	Section mebibytes(String measure, List<Double> mebibytes, String target) {
		Stats stats = Stats.of(mebibytes);
		return row(String.format(Locale.ROOT, "| %s | %.1f MiB | %.1f MiB | %.1f MiB | %.1f MiB | %d | %s |", measure,
				stats.median(), stats.p99(), stats.min(), stats.max(), stats.count(), target));
	}

	/**
	 * A row of plain numbers (counts, ratios).
	 * @param measure what was measured
	 * @param values the measurements
	 * @param target the target, or empty
	 * @return this section
	 */
	Section number(String measure, List<Double> values, String target) {
		return row(Stats.of(values).countRow(measure, target));
	}

	/**
	 * A row of percentages.
	 * @param measure what was measured
	 * @param percents the measurements, in per cent
	 * @param target the target, or empty
	 * @return this section
	 */
	Section percent(String measure, List<Double> percents, String target) {
		return row(Stats.of(percents).percentRow(measure, target));
	}

	/**
	 * Add a paragraph after the table: what the figures mean.
	 * @param text the paragraph, as Markdown
	 * @return this section
	 */
	Section note(String text) {
		this.notes.append('\n').append(text.strip()).append('\n');
		return this;
	}

	String name() {
		return this.name;
	}

	String markdown() {
		return this.head + "| measure | median | p99 | min | max | n | target |\n|---|---|---|---|---|---|---|\n"
				+ this.rows + this.notes;
	}

	/**
	 * Write the section into the report, in place of the one of the same name.
	 * @param report the report's file
	 */
	void writeTo(Path report) throws IOException {
		BenchmarkReport.write(report, this.name, markdown());
	}

	private Section row(String row) {
		this.rows.append(row).append('\n');
		return this;
	}

}
