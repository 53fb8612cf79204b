package io.cse.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
		description = { "Run the freeze, snapshots and burst benchmarks on one service (see their --help), write "
				+ "their sections of --output, a summary section at its top and a chart beside it (--chart): the "
				+ "time to the first HTTP 200 of a cold start, a thaw with and without --squeeze, a thaw on request, "
				+ "a restore, clone fan-outs and the burst.",
				"Takes under 10 minutes on a busy 2-core machine with the defaults, and prints its progress. Needs "
						+ "root, cgroup v1, zram (or swap) and CRIU 4.2. Stops everything it started when it ends or "
						+ "fails." })
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

	@Option(names = "--chart", paramLabel = "FILE",
			description = "The SVG chart to write (default: benchmarks.svg beside --output).")
	Path chart;

	@Spec
	CommandSpec spec;

	@Override
	public Integer call() throws Exception {
		Scenarios scenarios = scenarios();
		Path chartFile = chartFile();
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
			BenchmarkReport.write(this.options.output, "burst", scenarios.burst.markdown(burst));
			List<Bar> bars = bars(freeze, snapshots, burst, scenarios.burst.instances());
			String machine = BenchmarkReport.machine(this.options.java);
			Files.createDirectories(chartFile.toAbsolutePath().getParent());
			Files.writeString(chartFile, SvgChart.render("samples/hello-web: time to the first HTTP 200, "
					+ "every way to get a serving instance", "cse-bench all; " + machine, bars));
			BenchmarkReport.write(this.options.output, "all", summary(bars, machine, load.stop(), chartFile), true);
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
		try {
			freeze.validate();
			snapshots.validate();
			burst.validate();
		}
		catch (ParameterException ex) {
			// said in the words of the scenario's option; name this command's
			throw new ParameterException(this.spec.commandLine(), "cse-bench all: " + ex.getMessage());
		}
		return new Scenarios(freeze, snapshots, burst);
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

	String summary(List<Bar> bars, String machine, Stats load, Path chartFile) {
		StringBuilder out = new StringBuilder();
		out.append("## Every way to get a serving instance of samples/hello-web\n\n");
		out.append("`cse-bench all` (freeze, snapshots and burst below, one after the other), Spring Boot ")
			.append(BenchmarkReport.springBootVersion(this.options.jar)).append(".\n");
		out.append("Machine: ").append(machine).append(".\n");
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
				+ "frozen instance, and from the load's step up for the burst.\n\n");
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
		System.out.printf(Locale.ROOT, "%n[%d/3] %s (%.1f min so far)%n", step, what, (System.nanoTime() - start) / 60e9);
	}

	record Scenarios(FreezeBenchmark freeze, SnapshotBenchmark snapshots, BurstBenchmark burst) {
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
