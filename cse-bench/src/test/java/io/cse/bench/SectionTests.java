package io.cse.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the report's sections say, from given figures: the rows of each new scenario with
 * their targets, and a section that replaces its own earlier version in the report.
 */
class SectionTests {

	@TempDir
	Path folder;

	@Test
	void aSectionHasItsSourceItsTableAndItsNotesInThatOrder() {
		String markdown = new Section("pool-take", "Pool take").source("`cse-bench pool --runs 7`", "a machine")
			.paragraph("What was measured.")
			.millis("take to first 200", List.of(10.0, 30.0, 20.0), "<= 30 ms")
			.mebibytes("memory", List.of(1.5, 2.5), "")
			.number("instances per GiB", List.of(20.0, 22.0), ">= 20")
			.percent("ratio", List.of(40.0), "")
			.note("What it means.")
			.markdown();
		assertThat(markdown).isEqualTo("""
				## Pool take

				`cse-bench pool --runs 7`.
				Machine: a machine.

				What was measured.

				| measure | median | p99 | min | max | n | target |
				|---|---|---|---|---|---|---|
				| take to first 200 | 20.0 ms | 30.0 ms | 10.0 ms | 30.0 ms | 3 | <= 30 ms |
				| memory | 2.0 MiB | 2.5 MiB | 1.5 MiB | 2.5 MiB | 2 |  |
				| instances per GiB | 21 | 22 | 20 | 22 | 2 | >= 20 |
				| ratio | 40 % | 40 % | 40 % | 40 % | 1 |  |

				What it means.
				""");
	}

	@Test
	void aSectionReplacesTheOneItWroteBefore() throws Exception {
		Path report = this.folder.resolve("benchmarks.md");
		new Section("thaw-api", "First").millis("a", List.of(1.0), "").writeTo(report);
		new Section("density", "Other").millis("b", List.of(2.0), "").writeTo(report);
		new Section("thaw-api", "Second").millis("a", List.of(3.0), "").writeTo(report);
		String text = Files.readString(report);
		assertThat(text).contains("## Second", "## Other").doesNotContain("## First");
		assertThat(text.indexOf("## Second")).isLessThan(text.indexOf("## Other"));
	}

	@Test
	void theApiThawSectionHasItsTargetAndTheAgentsOwnTime() {
		ApiThawBenchmark thaw = new ApiThawBenchmark();
		new CommandLine(thaw).parseArgs("--runs", "7");
		ApiThawBenchmark.Result result = new ApiThawBenchmark.Result();
		result.first200.addAll(List.of(18.0, 22.0));
		result.call.addAll(List.of(16.0, 20.0));
		result.agent.addAll(List.of(14.0, 18.0));
		result.squeezedFirst200.addAll(List.of(60.0));
		result.squeezedCall.addAll(List.of(58.0));
		result.squeezedAgent.addAll(List.of(55.0));
		assertThat(thaw.section(result).markdown()).contains("`cse-bench thaw-api --runs 7`",
				"| API thaw to first 200: send of the thaw to the caller's first 200 on `/` | 20.0 ms | 22.0 ms | "
						+ "18.0 ms | 22.0 ms | 2 | <= 20 ms |",
				"| of which the agent's own thaw to first 200 (`first200Millis`) | 16.0 ms |");
	}

	@Test
	void theCliThawSectionTimesTheWholeCommand() {
		CliThawBenchmark thaw = new CliThawBenchmark();
		new CommandLine(thaw).parseArgs("--runs", "7", "--cse-jar", "/opt/cse/cse-exec.jar");
		CliThawBenchmark.Result result = new CliThawBenchmark.Result();
		result.exit.addAll(List.of(250.0, 350.0));
		result.first200.addAll(List.of(255.0, 355.0));
		assertThat(thaw.section(result).markdown()).contains("`java -jar cse-exec.jar thaw NAME`", "CSE_AGENT_SOCKET",
				"| `cse thaw` whole command: process start to exit | 300 ms | 350 ms | 250 ms | 350 ms | 2 | <= 300 ms |");
	}

	@Test
	void theDensitySectionCountsInstancesPerGibFromMemAvailable() {
		DensityBenchmark density = new DensityBenchmark();
		new CommandLine(density).parseArgs("--instances", "10", "--runs", "1");
		DensityBenchmark.Result result = new DensityBenchmark.Result();
		result.running.add(180.0);
		result.frozen.add(51.2);
		result.perGib.add(20.0);
		result.drift.add(3.0);
		assertThat(density.section(result).markdown()).contains("`cse-bench density --instances 10 --runs 1`",
				"| host memory per frozen, squeezed instance (drop of MemAvailable / 10) | 51.2 MiB |",
				"| frozen, squeezed instances per GiB (1024 MiB / the row above) | 20 | 20 | 20 | 20 | 1 | >= 20 |");
	}

	@Test
	void memAvailableIsReadInBytes() throws Exception {
		assertThat(DensityBenchmark.memAvailable(List.of("MemTotal:       24000000 kB", "MemFree:  100 kB",
				"MemAvailable:   20000000 kB"))).isEqualTo(20000000L * 1024);
	}

	@Test
	void theAotCacheSectionComparesTheThreeWaysAndSaysWhatKeepsTheCacheOutOfTheImage() {
		AotCacheBenchmark aot = new AotCacheBenchmark();
		new CommandLine(aot).parseArgs("--runs", "7");
		aot.deployment = Deployment.plain(Path.of("application.jar"));
		AotCacheBenchmark.Result result = new AotCacheBenchmark.Result();
		result.cacheBytes = 60_000_000;
		result.plainStart.add(6000.0);
		result.cachedStart.add(3000.0);
		result.restore.add(200.0);
		result.restoreCall.add(260.0);
		result.image.add(121.0 * 1048576);
		result.resident.add(220.0 * 1048576);
		assertThat(aot.section(result).markdown()).contains("## The JDK's own AOT cache",
				"(`-XX:AOTCacheOutput=application.aot`, 60 MB)",
				"| cold start on JDK 25 with the AOT cache: process start to first 200 | 3000 ms |",
				"| image | 121.0 MiB |", "| image / resident memory | 55 % |",
				"**15x** faster than a cold start with the AOT cache, which is 2.0x faster",
				"`-XX:+UnlockDiagnosticVMOptions -XX:ArchiveRelocationMode=0`");
	}

}
