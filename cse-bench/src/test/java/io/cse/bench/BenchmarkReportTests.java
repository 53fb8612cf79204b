package io.cse.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sections of the report: written, replaced in place, the others left alone.
 */
class BenchmarkReportTests {

	@TempDir
	Path folder;

	@Test
	void aNewReportStartsWithItsHeader() throws Exception {
		Path report = this.folder.resolve("docs/benchmarks.md");
		BenchmarkReport.write(report, "freeze", "## Freeze\n\n| a |\n");
		assertThat(Files.readString(report)).startsWith("# Benchmarks\n")
			.contains("never typed by hand")
			.endsWith("<!-- bench:freeze -->\n## Freeze\n\n| a |\n<!-- /bench:freeze -->\n");
	}

	@Test
	void aSectionIsReplacedInPlaceAndTheOthersStay() throws Exception {
		Path report = this.folder.resolve("benchmarks.md");
		BenchmarkReport.write(report, "freeze", "freeze 1");
		BenchmarkReport.write(report, "snapshots", "snapshots 1");
		BenchmarkReport.write(report, "freeze", "freeze 2");
		String text = Files.readString(report);
		assertThat(text).contains("freeze 2", "snapshots 1").doesNotContain("freeze 1");
		assertThat(text.indexOf("freeze 2")).isLessThan(text.indexOf("snapshots 1"));
	}

	@Test
	void aNewSummaryGoesBeforeEverySectionThenStaysWhereItIs() throws Exception {
		Path report = this.folder.resolve("benchmarks.md");
		BenchmarkReport.write(report, "freeze", "freeze 1");
		BenchmarkReport.write(report, "all", "summary 1", true);
		String text = Files.readString(report);
		assertThat(text.indexOf("<!-- bench:all -->")).isLessThan(text.indexOf("<!-- bench:freeze -->"));
		assertThat(text.indexOf("# Benchmarks")).isLessThan(text.indexOf("<!-- bench:all -->"));
		BenchmarkReport.write(report, "freeze", "freeze 2");
		BenchmarkReport.write(report, "all", "summary 2", true);
		text = Files.readString(report);
		assertThat(text).contains("summary 2", "freeze 2").doesNotContain("summary 1", "freeze 1");
		assertThat(text.indexOf("summary 2")).isLessThan(text.indexOf("freeze 2"));
		assertThat(List.of(text.split("<!-- bench:all -->", -1))).hasSize(2);
	}

	@Test
	void statsRowsQuoteMedianP99MinMaxAndCount() {
		Stats stats = Stats.of(List.of(3.0, 1.0, 2.0, 10.0));
		assertThat(stats.median()).isEqualTo(2.5);
		assertThat(stats.row("thaw", "<= 20 ms")).isEqualTo("| thaw | 2.5 ms | 10.0 ms | 1.0 ms | 10.0 ms | 4 | <= 20 ms |");
		assertThat(Stats.of(List.of(0.0, 0.0, 1.0)).countRow("failed", "0")).isEqualTo("| failed | 0 | 1 | 0 | 1 | 3 | 0 |");
	}

}
