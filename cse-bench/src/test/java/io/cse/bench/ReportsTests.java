package io.cse.bench;

import java.nio.file.Path;
import java.util.List;

import io.cse.bench.SvgChart.Bar;
import io.cse.bench.SvgChart.Group;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * What the burst and the summary write, from given figures: every failure is reported
 * with its reason, every way gets its row and its bar, and the summary says how busy the
 * machine was.
 */
class ReportsTests {

	@Test
	void theBurstReportsEveryFailedRequestWithItsReason() {
		BurstBenchmark burst = new BurstBenchmark();
		new CommandLine(burst).parseArgs("--runs", "3", "--frozen", "2", "--clones", "1");
		BurstBenchmark.Result result = burstResult();
		result.load.failed.addAll(List.of(0.0, 2.0, 1.0));
		result.load.failures.put("HTTP 503", 2L);
		result.load.failures.put("no answer within 10000 ms", 1L);
		String markdown = burst.markdown(result);
		assertThat(markdown).contains("from 1 serving instance to 4 under load",
				"`cse-bench burst --runs 3 --frozen 2 --clones 1`",
				"| failed requests per burst | 1 | 2 | 0 | 2 | 3 | 0 |",
				"300 requests sent, 297 answered 200, **3 failed** (2 HTTP 503, 1 no answer within 10000 ms)",
				"| step up until all 4 instances serve | 400 ms |");
	}

	@Test
	void aBurstWithoutFailuresSaysSo() {
		BurstBenchmark burst = new BurstBenchmark();
		new CommandLine(burst).parseArgs("--runs", "3", "--frozen", "2", "--clones", "1", "--no-squeeze");
		BurstBenchmark.Result result = burstResult();
		result.load.failed.addAll(List.of(0.0, 0.0, 0.0));
		assertThat(burst.markdown(result)).contains("--no-squeeze", "300 requests sent, 300 answered 200, **0 failed**.")
			.doesNotContain("`cse freeze --squeeze`");
	}

	@Test
	void theSummaryHasARowPerWayLinksTheChartAndSaysTheMachineWasBusy() {
		AllBenchmarks all = new AllBenchmarks();
		new CommandLine(all).parseArgs("--output", "docs/benchmarks.md");
		FreezeBenchmark.Result freeze = new FreezeBenchmark.Result();
		freeze.thaw.addAll(List.of(10.0, 12.0));
		freeze.thawSqueezed.addAll(List.of(60.0, 70.0));
		freeze.onRequest.addAll(List.of(20.0, 30.0));
		SnapshotBenchmark.Result snapshots = new SnapshotBenchmark.Result();
		snapshots.coldStart.addAll(List.of(5000.0, 6000.0));
		snapshots.restore.addAll(List.of(300.0, 400.0));
		snapshots.fanOut.put(1, List.of(500.0));
		snapshots.fanOut.put(8, List.of(2000.0));
		List<Bar> bars = AllBenchmarks.bars(freeze, snapshots, burstResult(), 4);
		assertThat(bars).extracting(Bar::label)
			.containsExactly("cold start: java -jar", "thaw of a frozen instance", "thaw after --squeeze",
					"request to a frozen instance (--on-request)", "restore of a dump",
					"clone fan-out, N = 1, until all answer", "clone fan-out, N = 8, until all answer",
					"burst: a thawed instance serves", "burst: a clone serves", "burst: all 4 instances serve");
		assertThat(bars).extracting(Bar::group).startsWith(Group.COLD).endsWith(Group.BURST);
		String busy = all.summary(bars, "a machine", new HostSpeed(31.25, 48.0), Stats.of(List.of(6.0, 8.0)),
				all.chartFile());
		assertThat(busy).contains("Machine: a machine (after the run; before it, yardstick 31.3 ms to hash 8 MiB, "
				+ "48.0 ms to start 20 processes).", "![Time to first HTTP 200, every way](benchmarks.svg)",
				"| cold start: java -jar | 5500 ms | 6000 ms | 5000 ms | 6000 ms | 2 |",
				"| burst: all 4 instances serve | 400 ms |", "median 7.00, max 8.00", "The machine was busy");
		String quiet = all.summary(bars, "a machine", new HostSpeed(31.25, 48.0), Stats.of(List.of(0.1, 0.2)),
				Path.of("elsewhere/chart.svg"));
		assertThat(quiet).contains("The machine was mostly quiet.", "](../elsewhere/chart.svg)");
	}

	@Test
	void thePoolsBarsAreATakeEachWayAndTheBurstWithAPool() {
		PoolTakeBenchmark.Result poolTake = new PoolTakeBenchmark.Result();
		poolTake.plain.first200.addAll(List.of(20.0, 25.0));
		poolTake.squeezed.first200.addAll(List.of(60.0, 65.0));
		PoolBurstBenchmark.Result poolBurst = new PoolBurstBenchmark.Result();
		poolBurst.allServe.addAll(List.of(140.0));
		assertThat(AllBenchmarks.poolBars(poolTake, poolBurst, 8)).extracting(Bar::label, Bar::group)
			.containsExactly(tuple("take from a pool of frozen clones", Group.FREEZE),
					tuple("take from a pool of squeezed clones", Group.FREEZE),
					tuple("burst with a pool: all 8 instances serve", Group.BURST));
	}

	private static BurstBenchmark.Result burstResult() {
		BurstBenchmark.Result result = new BurstBenchmark.Result();
		result.thawServes.addAll(List.of(100.0, 200.0));
		result.agentThaw.addAll(List.of(150.0, 250.0));
		result.thawCall.addAll(List.of(152.0, 253.0));
		result.cloneServes.addAll(List.of(390.0));
		result.cloneCommand.addAll(List.of(380.0));
		result.allServe.addAll(List.of(400.0));
		result.load.idleLatency.addAll(List.of(1.0, 2.0));
		result.load.highLatency.addAll(List.of(3.0, 4.0));
		result.load.lag.addAll(List.of(0.1, 0.2));
		result.load.sent.addAll(List.of(100.0, 100.0, 100.0));
		return result;
	}

}
