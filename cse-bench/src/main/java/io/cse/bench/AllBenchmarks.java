package io.cse.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.cse.bench.SvgChart.Bar;
import io.cse.bench.SvgChart.Group;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code cse-bench all}: every way to get a serving instance, on one service, one after
 * the other on one database and one bridge, and a chart that compares them.
 */
@Command(name = "all", mixinStandardHelpOptions = true, sortOptions = false,
		description = { "Run the freeze, snapshots, burst, thaw-api, thaw-cli, pool-take, burst-pools, jit-cost, "
				+ "density and aot-cache benchmarks on one service (see their --help), write their sections of --output, a "
				+ "summary section at its top and a chart beside it (--chart): the time to the first HTTP 200 of a "
				+ "cold start, a thaw with and without --squeeze, a thaw on request, a restore, clone fan-outs, "
				+ "takes from pools, and the bursts.",
				"Takes under 20 minutes on a busy 2-core machine with the defaults (the slow scenarios run fewer "
						+ "times than alone: see --pool-burst-runs and --density-runs), and prints its progress. "
						+ "Needs root, cgroup v1, zram (or swap), CRIU 4.2, the cse jar (--cse-jar) and a JDK 25 "
						+ "(--aot-java). Stops everything it started when it ends or fails." })
final class AllBenchmarks implements Callable<Integer> {

	@Mixin
	BenchOptions options = new BenchOptions();

	@Option(names = "--runs", description = "Thaws each way, cold starts and restores measured (default: "
			+ "${DEFAULT-VALUE}).", defaultValue = "5")
	int runs;

	@Option(names = "--clone-runs", description = "Fan-outs measured for each count (default: ${DEFAULT-VALUE}).",
			defaultValue = "3")
	int cloneRuns;

	@Option(names = "--clone-counts", split = ",", paramLabel = "N,N...",
			description = "How many clones each fan-out makes (default: ${DEFAULT-VALUE}).", defaultValue = "1,2,4,8")
	List<Integer> cloneCounts;

	@Option(names = "--burst-runs", description = "Bursts measured (default: ${DEFAULT-VALUE}).", defaultValue = "5")
	int burstRuns;

	@Option(names = "--frozen", paramLabel = "N", description = "Frozen instances thawed at a burst (default: "
			+ "${DEFAULT-VALUE}).", defaultValue = "3")
	int frozen;

	@Option(names = "--clones", paramLabel = "N", description = "Clones made at a burst (default: ${DEFAULT-VALUE}).",
			defaultValue = "4")
	int clones;

	@Option(names = "--pool-size", paramLabel = "N", description = "Frozen clones in each pool, of pool-take and "
			+ "burst-pools (default: ${DEFAULT-VALUE}).", defaultValue = "7")
	int poolSize;

	@Option(names = "--pool-burst-runs", description = "Bursts with a pool measured: each costs a refill of the "
			+ "whole pool (default: ${DEFAULT-VALUE}).", defaultValue = "3")
	int poolBurstRuns;

	@Option(names = "--density-runs", description = "Density runs, each of 10 cold starts (default: "
			+ "${DEFAULT-VALUE}).", defaultValue = "1")
	int densityRuns;

	@Option(names = "--cse-jar", paramLabel = "JAR", description = "The cse command's jar, for thaw-cli "
			+ "(default: ${DEFAULT-VALUE}).", defaultValue = "cse-node/target/cse-exec.jar")
	Path cseJar;

	@Option(names = "--aot-java", paramLabel = "PATH", description = "A JDK 25's java, for aot-cache "
			+ "(default: ${DEFAULT-VALUE}).", defaultValue = "/usr/lib/jvm/temurin-25-jdk-amd64/bin/java")
	Path aotJava;

	@Option(names = "--chart", paramLabel = "FILE",
			description = "The SVG chart to write (default: benchmarks.svg beside --output).")
	Path chart;

	@Spec
	CommandSpec spec;

	@Override
	public Integer call() throws Exception {
		Scenarios scenarios = scenarios();
		Path chartFile = chartFile();
		HostSpeed before = HostSpeed.measure();
		LoadSampler load = new LoadSampler();
		long start = System.nanoTime();
		try (Workbench workbench = Workbench.open("cse-bench-all-", this.options, true)) {
			progress(1, "freeze: thaw to first 200, plain and squeezed, and on request", start);
			FreezeBenchmark.Result freeze = scenarios.freeze.measure(workbench);
			BenchmarkReport.write(this.options.output, "freeze", scenarios.freeze.markdown(freeze));
			progress(2, "snapshots: cold starts, dumps and restores, clone fan-outs", start);
			SnapshotBenchmark.Result snapshots = scenarios.snapshots.measure(workbench);
			BenchmarkReport.write(this.options.output, "snapshots", scenarios.snapshots.markdown(snapshots));
			progress(3, "burst: from 1 serving instance to " + scenarios.burst.instances() + " under load", start);
			BurstBenchmark.Result burst = scenarios.burst.measure(workbench, snapshots.template);
			scenarios.burst.section(burst).writeTo(this.options.output);
			progress(4, "thaw-api: a thaw as a platform sees it", start);
			scenarios.thawApi.section(scenarios.thawApi.measure(workbench)).writeTo(this.options.output);
			progress(5, "thaw-cli: a thaw as a user at a shell sees it", start);
			scenarios.thawCli.section(scenarios.thawCli.measure(workbench)).writeTo(this.options.output);
			progress(6, "pool-take: a clone taken from a pool of frozen clones, plain and squeezed", start);
			PoolTakeBenchmark.Result poolTake = scenarios.poolTake.measure(workbench, snapshots.template);
			scenarios.poolTake.section(poolTake).writeTo(this.options.output);
			progress(7, "burst-pools: from 1 serving instance to " + scenarios.poolBurst.instances()
					+ " under load, from a pool", start);
			// the pool's own template, rehearsed as docs/agent-api.md says for a pool
			PoolBurstBenchmark.Result poolBurst = scenarios.poolBurst.measure(workbench,
					scenarios.poolBurst.template(workbench));
			scenarios.poolBurst.section(poolBurst).writeTo(this.options.output);
			progress(8, "jit-cost: what the pool template's C1-only compiling costs once its clones serve", start);
			scenarios.jitCost.section(scenarios.jitCost.measure(workbench)).writeTo(this.options.output);
			progress(9, "density: frozen and squeezed instances per GiB", start);
			scenarios.density.section(scenarios.density.measure(workbench)).writeTo(this.options.output);
			progress(10, "aot-cache: the JDK's AOT cache, cold start and restore", start);
			scenarios.aotCache.section(scenarios.aotCache.measure(workbench)).writeTo(this.options.output);
			List<Bar> bars = bars(freeze, snapshots, burst, scenarios.burst.instances());
			bars.addAll(poolBars(poolTake, poolBurst, scenarios.poolBurst.instances()));
			// a stable sort: each group's bars stay in the order they were measured
			bars.sort(Comparator.comparing(Bar::group));
			String machine = BenchmarkReport.machine(this.options.java);
			Files.createDirectories(chartFile.toAbsolutePath().getParent());
			Files.writeString(chartFile, SvgChart.render("samples/hello-web: time to the first HTTP 200, "
					+ "every way to get a serving instance", "cse-bench all; " + machine, bars));
			BenchmarkReport.write(this.options.output, "all", summary(bars, machine, before, load.stop(), chartFile),
					true);
			System.out.printf(Locale.ROOT, "Wrote %s and %s after %.1f min%n", this.options.output, chartFile,
					(System.nanoTime() - start) / 60e9);
		}
		finally {
			load.stop();
		}
		return 0;
	}

	/**
	 * The three scenarios, each with the options of its own command as this one's set them
	 * (and its own defaults for the rest), validated before anything starts.
	 */
	Scenarios scenarios() {
		if (this.cloneCounts.isEmpty()) {
			throw new ParameterException(this.spec.commandLine(), "--clone-counts needs at least one count");
		}
		List<String> shared = List.of("--jar", this.options.jar.toString(), "--postgres-jar",
				this.options.postgresJar.toString(), "--java", this.options.java.toString(), "--output",
				this.options.output.toString());
		FreezeBenchmark freeze = parse(new FreezeBenchmark(), shared, "--runs", Integer.toString(this.runs));
		SnapshotBenchmark snapshots = parse(new SnapshotBenchmark(), shared, "--runs", Integer.toString(this.runs),
				"--clone-runs", Integer.toString(this.cloneRuns), "--clone-counts",
				String.join(",", this.cloneCounts.stream().map(String::valueOf).toList()));
		BurstBenchmark burst = parse(new BurstBenchmark(), shared, "--runs", Integer.toString(this.burstRuns),
				"--frozen", Integer.toString(this.frozen), "--clones", Integer.toString(this.clones));
		String runs = Integer.toString(this.runs);
		ApiThawBenchmark thawApi = parse(new ApiThawBenchmark(), shared, "--runs", runs);
		CliThawBenchmark thawCli = parse(new CliThawBenchmark(), shared, "--runs", runs, "--cse-jar",
				this.cseJar.toString());
		PoolTakeBenchmark poolTake = parse(new PoolTakeBenchmark(), shared, "--runs", runs, "--size",
				Integer.toString(this.poolSize));
		PoolBurstBenchmark poolBurst = parse(new PoolBurstBenchmark(), shared, "--runs",
				Integer.toString(this.poolBurstRuns), "--size", Integer.toString(this.poolSize));
		JitCostBenchmark jitCost = parse(new JitCostBenchmark(), shared, "--runs", runs);
		DensityBenchmark density = parse(new DensityBenchmark(), shared, "--runs", Integer.toString(this.densityRuns));
		AotCacheBenchmark aotCache = parse(new AotCacheBenchmark(), shared, "--runs", runs, "--aot-java",
				this.aotJava.toString());
		try {
			freeze.validate();
			snapshots.validate();
			burst.validate();
			thawApi.validate();
			thawCli.validate();
			poolTake.validate();
			poolBurst.validate();
			jitCost.validate();
			density.validate();
			aotCache.validate();
		}
		catch (ParameterException ex) {
			// said in the words of the scenario's option; name this command's
			throw new ParameterException(this.spec.commandLine(), "cse-bench all: " + ex.getMessage());
		}
		return new Scenarios(freeze, snapshots, burst, thawApi, thawCli, poolTake, poolBurst, jitCost, density,
				aotCache);
	}

	private static <T> T parse(T scenario, List<String> shared, String... own) {
		List<String> args = new ArrayList<>(shared);
		args.addAll(List.of(own));
		new CommandLine(scenario).parseArgs(args.toArray(String[]::new));
		return scenario;
	}

	Path chartFile() {
		if (this.chart != null) {
			return this.chart;
		}
		return this.options.output.toAbsolutePath().resolveSibling("benchmarks.svg");
	}

	static List<Bar> bars(FreezeBenchmark.Result freeze, SnapshotBenchmark.Result snapshots,
			BurstBenchmark.Result burst, int instances) {
		List<Bar> bars = new ArrayList<>();
		bars.add(new Bar("cold start: java -jar", Group.COLD, Stats.of(snapshots.coldStart)));
		bars.add(new Bar("thaw of a frozen instance", Group.FREEZE, Stats.of(freeze.thaw)));
		bars.add(new Bar("thaw after --squeeze", Group.FREEZE, Stats.of(freeze.thawSqueezed)));
		bars.add(new Bar("request to a frozen instance (--on-request)", Group.FREEZE, Stats.of(freeze.onRequest)));
		bars.add(new Bar("restore of a dump", Group.SNAPSHOT, Stats.of(snapshots.restore)));
		snapshots.fanOut.forEach((count, millis) -> bars.add(new Bar(
				"clone fan-out, N = " + count + ", until all answer", Group.SNAPSHOT, Stats.of(millis))));
		if (!burst.thawServes.isEmpty()) {
			bars.add(new Bar("burst: a thawed instance serves", Group.BURST, Stats.of(burst.thawServes)));
		}
		if (!burst.cloneServes.isEmpty()) {
			bars.add(new Bar("burst: a clone serves", Group.BURST, Stats.of(burst.cloneServes)));
		}
		bars.add(new Bar("burst: all " + instances + " instances serve", Group.BURST, Stats.of(burst.allServe)));
		return bars;
	}

	static List<Bar> poolBars(PoolTakeBenchmark.Result poolTake, PoolBurstBenchmark.Result poolBurst, int instances) {
		return List.of(new Bar("take from a pool of frozen clones", Group.FREEZE, Stats.of(poolTake.plain.first200)),
				new Bar("take from a pool of squeezed clones", Group.FREEZE, Stats.of(poolTake.squeezed.first200)),
				new Bar("burst with a pool: all " + instances + " instances serve", Group.BURST,
						Stats.of(poolBurst.allServe)));
	}

	String summary(List<Bar> bars, String machine, HostSpeed before, Stats load, Path chartFile) {
		StringBuilder out = new StringBuilder();
		out.append("## Every way to get a serving instance of samples/hello-web\n\n");
		out.append("`cse-bench all` (freeze, snapshots, burst, thaw-api, thaw-cli, pool-take, burst-pools, jit-cost, "
				+ "density and aot-cache below, one after the other), Spring Boot ")
			.append(BenchmarkReport.springBootVersion(this.options.jar)).append(".\n");
		out.append("Machine: ").append(machine).append(" (after the run; before it, ").append(before.describe())
			.append(").\n");
		int cores = Runtime.getRuntime().availableProcessors();
		out.append(String.format(Locale.ROOT, "Load average (1 min), read every 10 s during the run: median %.2f, "
				+ "max %.2f on %d cores (n = %d). %s%n%n", load.median(), load.max(), cores, load.count(),
				(load.median() > cores / 2.0)
						? "The machine was busy: the benchmark's own services and load are part of it, other work on "
								+ "the shared machine (builds) the rest; every figure is slower than on an idle machine."
						: "The machine was mostly quiet."));
		String relative = this.options.output.toAbsolutePath().getParent().relativize(chartFile.toAbsolutePath())
			.toString();
		out.append("![Time to first HTTP 200, every way](").append(relative).append(")\n\n");
		out.append("Time to the first HTTP 200, in the order of the chart: from the process start for a cold start, "
				+ "from the agent's command for a thaw, restore or clone, from the client's send for a request to a "
				+ "frozen instance or a take from a pool (to its own `GET /`), and from the load's step up for the "
				+ "bursts.\n\n");
		out.append("| way | median | p99 | min | max | n |\n|---|---|---|---|---|---|\n");
		for (Bar bar : bars) {
			Stats stats = bar.millis();
			out.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %d |%n", bar.label(),
					Stats.ms(stats.median()), Stats.ms(stats.p99()), Stats.ms(stats.min()), Stats.ms(stats.max()),
					stats.count()));
		}
		return out.toString();
	}

	private void progress(int step, String what, long start) {
		System.out.printf(Locale.ROOT, "%n[%d/10] %s (%.1f min so far)%n", step, what, (System.nanoTime() - start) / 60e9);
	}

	record Scenarios(FreezeBenchmark freeze, SnapshotBenchmark snapshots, BurstBenchmark burst,
			ApiThawBenchmark thawApi, CliThawBenchmark thawCli, PoolTakeBenchmark poolTake,
			PoolBurstBenchmark poolBurst, JitCostBenchmark jitCost, DensityBenchmark density,
			AotCacheBenchmark aotCache) {
	}

	/**
	 * Reads the load average every 10 s while the benchmarks run.
	 */
	private static final class LoadSampler {

		private final List<Double> samples = new ArrayList<>();

		private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "cse-bench-load");
			thread.setDaemon(true);
			return thread;
		});

		LoadSampler() {
			this.timer.scheduleAtFixedRate(this::sample, 0, 10, TimeUnit.SECONDS);
		}

		private void sample() {
			try {
				double load = Double.parseDouble(BenchmarkReport.loadAverage());
				synchronized (this.samples) {
					this.samples.add(load);
				}
			}
			catch (NumberFormatException ex) {
				// no /proc/loadavg: the summary says n = 0
			}
		}

		Stats stop() {
			this.timer.shutdownNow();
			synchronized (this.samples) {
				return this.samples.isEmpty() ? new Stats(0, 0, 0, 0, 0) : Stats.of(this.samples);
			}
		}

	}

}
