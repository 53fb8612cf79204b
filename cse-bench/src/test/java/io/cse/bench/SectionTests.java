package io.cse.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;

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
				"| of which the agent's own thaw, until the service serves (`first200Millis`) | 16.0 ms |");
	}

	@Test
	void theCliThawSectionTimesTheWholeCommand() {
		CliThawBenchmark thaw = new CliThawBenchmark();
		new CommandLine(thaw).parseArgs("--runs", "7", "--cse-jar", "/opt/cse/cse-exec.jar");
		CliThawBenchmark.Result result = new CliThawBenchmark.Result();
		result.jar.exit.addAll(List.of(450.0, 550.0));
		result.jar.first200.addAll(List.of(455.0, 555.0));
		result.installed.exit.addAll(List.of(250.0, 350.0));
		result.installed.first200.addAll(List.of(255.0, 355.0));
		assertThat(thaw.section(result).markdown()).contains("`java -jar cse-exec.jar thaw NAME`", "CSE_AGENT_SOCKET",
				"| `cse thaw` whole command (installed `cse`): process start to exit | 300 ms | 350 ms | 250 ms | 350 ms "
						+ "| 2 | <= 300 ms |",
				"| `java -jar cse-exec.jar thaw`: process start to exit | 500 ms | 550 ms | 450 ms | 550 ms | 2 |  |")
			.doesNotContain("was not installed");
	}

	@Test
	void withoutAnInstalledCseTheJarCarriesTheTarget() {
		CliThawBenchmark thaw = new CliThawBenchmark();
		new CommandLine(thaw).parseArgs("--runs", "7", "--cse-jar", "/opt/cse/cse-exec.jar");
		CliThawBenchmark.Result result = new CliThawBenchmark.Result();
		result.jar.exit.addAll(List.of(450.0, 550.0));
		result.jar.first200.addAll(List.of(455.0, 555.0));
		assertThat(thaw.section(result).markdown()).doesNotContain("installed `cse`")
			.contains("`cse` was not installed on this machine when this ran")
			.contains("| `java -jar cse-exec.jar thaw`: process start to exit | 500 ms | 550 ms | 450 ms | 550 ms | 2 "
					+ "| <= 300 ms |");
	}

	@Test
	void theDensitySectionCountsInstancesPerGibFromMemAvailable() {
		DensityBenchmark density = new DensityBenchmark();
		new CommandLine(density).parseArgs("--instances", "10", "--runs", "1");
		DensityBenchmark.Result result = densityResult(180.0, 51.2, 20.0, 40.5, 12.0, 3.0);
		assertThat(density.section(result).markdown()).contains("`cse-bench density --instances 10 --runs 1`",
				"| host memory per frozen, squeezed instance ((drop of MemAvailable - the harness's growth) / 10) "
						+ "| 51.2 MiB |",
				"| of which zram, compressed (its `mem_used_total` after the last squeeze / 10) | 40.5 MiB |",
				"| the harness's growth: the benchmark's own anonymous memory (the agent in it), first reading to the "
						+ "frozen one | 12.0 MiB |",
				"| frozen, squeezed instances per GiB (1024 MiB / the row above) | 20 | 20 | 20 | 20 | 1 | >= 20 |");
	}

	@Test
	void theDensityWithAClassArchiveHasASectionOfItsOwnThatSaysHowTheInstancesRun() {
		DensityBenchmark density = new DensityBenchmark();
		new CommandLine(density).parseArgs("--instances", "10", "--runs", "5", "--class-archive");
		Section section = density.section(densityResult(116.0, 43.5, 23.5, 31.7, 0.5, 5.0));
		assertThat(section.markdown()).contains("`cse-bench density --instances 10 --runs 5 --class-archive`",
				"extracted jar with an archive of its classes", "-XX:ArchiveRelocationMode=0",
				"| frozen, squeezed instances per GiB (1024 MiB / the row above) | 23.5 |");
		assertThat(section.name()).isEqualTo("density-class-archive");
		assertThat(section.markdown()).startsWith("## Density with the extracted jar and its class archive");
	}

	private static DensityBenchmark.Result densityResult(double running, double frozen, double perGib, double zram,
			double ownGrowth, double drift) {
		DensityBenchmark.Result result = new DensityBenchmark.Result();
		result.running.add(running);
		result.frozen.add(frozen);
		result.perGib.add(perGib);
		result.zram.add(zram);
		result.ownGrowth.add(ownGrowth);
		result.drift.add(drift);
		return result;
	}

	@Test
	void zramsMemoryIsTheThirdFieldOfItsStatistics() throws Exception {
		assertThat(DensityBenchmark.zramMemoryUsed(
				"565252096 238361656 245104640        0 245104640      196        0      248      248\n"))
			.isEqualTo(245104640L);
		assertThatIOException().isThrownBy(() -> DensityBenchmark.zramMemoryUsed("12 34"))
			.withMessageContaining("mm_stat");
	}

	@Test
	void theHarnesssOwnMemoryIsItsAnonymousResidentMemory() throws Exception {
		assertThat(DensityBenchmark.anonymousMemory(List.of("VmRSS:	  330000 kB", "RssAnon:	  280000 kB",
				"RssFile:	   50000 kB"))).isEqualTo(280000L * 1024);
		assertThatIOException().isThrownBy(() -> DensityBenchmark.anonymousMemory(List.of("VmRSS:	  330000 kB")))
			.withMessageContaining("RssAnon");
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

	@Test
	void thePoolTakeSectionHasBothPoolsWithTheirTargetsAndTheThawBreakdown() {
		PoolTakeBenchmark pools = new PoolTakeBenchmark();
		new CommandLine(pools).parseArgs("--runs", "7");
		PoolTakeBenchmark.Result result = new PoolTakeBenchmark.Result();
		for (PoolTakeBenchmark.Takes takes : List.of(result.plain, result.squeezed)) {
			double base = (takes == result.plain) ? 0 : 40;
			takes.first200.addAll(List.of(base + 20.0, base + 24.0));
			takes.call.addAll(List.of(base + 18.0, base + 22.0));
			takes.agent.addAll(List.of(base + 17.0, base + 21.0));
			takes.cgroup.addAll(List.of(1.0, 3.0));
			takes.resumed.addAll(List.of(base + 9.0, base + 11.0));
			takes.agentFirst200.addAll(List.of(base + 16.0, base + 20.0));
			takes.refill.addAll(List.of(900.0, 1100.0));
		}
		assertThat(pools.section(result).markdown()).contains("`cse-bench pool-take --runs 7 --size 7` (or `cse-bench all`)",
				"| take to first 200: send of the take to the caller's first 200 on `/` | 22.0 ms | 24.0 ms | 20.0 ms "
						+ "| 24.0 ms | 2 | <= 30 ms |",
				"| take to first 200, squeezed: send of the take to the caller's first 200 on `/` | 62.0 ms | 64.0 ms "
						+ "| 60.0 ms | 64.0 ms | 2 | <= 70 ms |",
				"| of which the thaw until the cgroup runs (`cgroupThawedMillis`) | 2.0 ms |",
				"| of which the thaw until the service resumed (`resumedMillis`), squeezed | 50.0 ms |",
				"| of which the thaw until its first 200 (`first200Millis`) | 18.0 ms |",
				"| wait until the pool was full again, polled before the take (not part of it) | 1000 ms |",
				"so that every take thaws a frozen clone");
		assertThat(pools.section(result).name()).isEqualTo("pool-take");
	}

	@Test
	void theBurstWithPoolsSectionHasItsTargetsAndEveryFailure() {
		PoolBurstBenchmark burst = new PoolBurstBenchmark();
		new CommandLine(burst).parseArgs("--runs", "3");
		PoolBurstBenchmark.Result result = new PoolBurstBenchmark.Result();
		result.allServe.addAll(List.of(120.0, 140.0, 160.0));
		result.ownFirst200.addAll(List.of(50.0, 160.0));
		result.takeCall.addAll(List.of(40.0, 150.0));
		result.agentTake.addAll(List.of(38.0, 148.0));
		result.agentThaw.addAll(List.of(30.0, 140.0));
		result.load.idleLatency.addAll(List.of(1.0, 2.0));
		result.load.highLatency.addAll(List.of(3.0, 4.0));
		result.load.lag.addAll(List.of(0.1, 0.2));
		result.load.sent.addAll(List.of(3025.0, 3025.0, 3025.0));
		result.load.failed.addAll(List.of(0.0, 1.0, 0.0));
		result.load.failures.put("HTTP 503", 1L);
		String markdown = burst.section(result).markdown();
		assertThat(markdown).contains("## Burst with a pool on samples/hello-web: from 1 serving instance to 8 under load",
				"`cse-bench burst-pools --runs 3 --size 7` (or `cse-bench all`)", "sends 7 `POST /pools/{name}/take` in "
						+ "parallel",
				"`\"template\": true, \"rehearse\": 3` freezes and thaws it 3 times, each thaw followed by 50 `GET /`",
				"| step up until all 8 instances serve (each answered the benchmark's `GET /`) | 140 ms | 160 ms | "
						+ "120 ms | 160 ms | 3 | <= 150 ms |",
				"| failed requests per burst | 0 | 1 | 0 | 1 | 3 | 0 |",
				"9075 requests sent, 9074 answered 200, **1 failed** (1 HTTP 503).")
			.doesNotContain("to the load |", " and squeezed");
	}

}
