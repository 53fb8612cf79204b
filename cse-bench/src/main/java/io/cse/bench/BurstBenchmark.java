package io.cse.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.cse.node.cli.DurationConverter;
import io.cse.node.instance.Started;
import io.cse.node.instance.Thawed;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code cse-bench burst}: a load on the loopback goes from idle to high, and the
 * instances that serve it grow from one to many, by thawing frozen ones and cloning a
 * template; how long until the added instances serve, and how many requests failed.
 */
@Command(name = "burst", mixinStandardHelpOptions = true, sortOptions = false,
		description = { "Serve a load that steps from idle to high with one instance, and grow to 1 + --frozen + "
				+ "--clones instances when it steps up: thaw --frozen instances that 'cse run' started and 'cse freeze' "
				+ "froze, and 'cse clone' a template --clones times. Reports how long until each added instance "
				+ "served its first request of the load, and every request that failed (the target is none).",
				"The load is a fixed number of requests at a fixed rate per step, sent by --clients threads, spread "
						+ "round-robin over the instances in the rotation. Thawed instances enter it when the load "
						+ "steps up, before they are thawed (the kernel holds their requests until then); clones "
						+ "enter it once 'cse clone' has seen them all answer.",
				"Needs root, cgroup v1, zram (or swap) and CRIU 4.2. Starts a real PostgreSQL in a process of its "
						+ "own, reachable from the clones through a bridge of the benchmark's own (" + Workbench.BRIDGE
						+ ", " + Workbench.SUBNET + ")." })
final class BurstBenchmark implements Callable<Integer> {

	private static final String NAME = Workbench.name("burst");

	@Mixin
	BenchOptions options = new BenchOptions();

	@Option(names = "--runs", description = "Bursts measured, after one that warms the agent up "
			+ "(default: ${DEFAULT-VALUE}).", defaultValue = "5")
	int runs;

	@Option(names = "--frozen", paramLabel = "N",
			description = "Instances kept frozen until the burst (default: ${DEFAULT-VALUE}).", defaultValue = "3")
	int frozen;

	@Option(names = "--clones", paramLabel = "N", description = "Clones made at the burst (default: ${DEFAULT-VALUE}).",
			defaultValue = "4")
	int clones;

	@Option(names = "--squeeze", negatable = true, defaultValue = "true", fallbackValue = "true",
			description = "Whether the frozen instances are squeezed into zram, as an idle platform keeps them "
					+ "(default: ${DEFAULT-VALUE}).")
	boolean squeeze;

	@Option(names = "--clients", description = "Requests under way at most (default: ${DEFAULT-VALUE}).",
			defaultValue = "16")
	int clients;

	@Option(names = "--idle-rate", paramLabel = "PER_SECOND",
			description = "Requests per second before the burst (default: ${DEFAULT-VALUE}).", defaultValue = "5")
	double idleRate;

	@Option(names = "--idle", paramLabel = "TIME", converter = DurationConverter.class,
			description = "How long the idle step lasts (default: ${DEFAULT-VALUE}).", defaultValue = "5s")
	Duration idle;

	@Option(names = "--high-rate", paramLabel = "PER_SECOND",
			description = "Requests per second in the burst (default: ${DEFAULT-VALUE}).", defaultValue = "200")
	double highRate;

	@Option(names = "--high", paramLabel = "TIME", converter = DurationConverter.class,
			description = "How long the burst lasts (default: ${DEFAULT-VALUE}).", defaultValue = "15s")
	Duration high;

	@Option(names = "--request-timeout", paramLabel = "TIME", converter = DurationConverter.class,
			description = "A request without an answer after this long counts as failed (default: ${DEFAULT-VALUE}).",
			defaultValue = "10s")
	Duration requestTimeout;

	@Option(names = "--port", description = "The first 'cse run' instance's port; the frozen ones take the next "
			+ "(default: free ports chosen at run time).", defaultValue = "0")
	int port;

	@Spec
	CommandSpec spec;

	@Override
	public Integer call() throws Exception {
		validate();
		try (Workbench workbench = Workbench.open("cse-bench-burst-", this.options, true)) {
			Path template = SnapshotBenchmark.makeTemplate(this.options, Deployment.plain(this.options.jar), workbench,
					SnapshotBenchmark.serviceArguments(workbench), 500);
			Result result = measure(workbench, template);
			BenchmarkReport.write(this.options.output, "burst", markdown(result));
			System.out.println("Wrote " + this.options.output + " (service logs in " + workbench.work() + ")");
		}
		return 0;
	}

	/**
	 * Refuse options that would make the figures meaningless, and services not built.
	 */
	void validate() {
		if (this.runs < 3) {
			throw new ParameterException(this.spec.commandLine(),
					"--runs must be at least 3 for a median, not " + this.runs);
		}
		if (this.frozen < 0 || this.clones < 0 || this.frozen + this.clones < 1) {
			throw new ParameterException(this.spec.commandLine(), "--frozen and --clones add instances at the burst: "
					+ "at least one of them must be 1 or more, and neither negative (--frozen " + this.frozen
					+ ", --clones " + this.clones + ")");
		}
		if (this.clients < 1) {
			throw new ParameterException(this.spec.commandLine(), "--clients must be at least 1, not " + this.clients);
		}
		if (this.idleRate <= 0 || this.highRate <= this.idleRate) {
			throw new ParameterException(this.spec.commandLine(), "a burst needs 0 < --idle-rate < --high-rate, not "
					+ this.idleRate + " and " + this.highRate);
		}
		if (this.port != 0 && (this.port < 1024 || this.port + this.frozen > 65535)) {
			throw new ParameterException(this.spec.commandLine(),
					"--port must leave room for " + (1 + this.frozen) + " ports between 1024 and 65535, not " + this.port);
		}
		this.options.requireBuilt();
	}

	/** The instances at the burst: one serving, the others frozen until it comes. */
	int instances() {
		return 1 + this.frozen + this.clones;
	}

	/**
	 * Start the serving and the frozen instances, then burst --runs times (and once more
	 * first, unmeasured); every instance is stopped at the end.
	 * @param workbench the database, bridge and agent (it must have a bridge)
	 * @param template a clone template of the service
	 * @return what was measured
	 */
	Result measure(Workbench workbench, Path template) throws Exception {
		AgentSession agent = workbench.agent();
		List<String> names = new ArrayList<>();
		Map<String, URI> bases = new TreeMap<>();
		try {
			for (int i = 0; i <= this.frozen; i++) {
				String name = NAME + "-" + i;
				System.out.printf(Locale.ROOT, "burst: starting %s (%d of %d) as 'cse run' does%n", name, i + 1,
						this.frozen + 1);
				names.add(name);
				int port = (this.port == 0) ? Workbench.freePort() : this.port + i;
				Started started = agent.run(name, port, serviceCommand(workbench, port), Duration.ofSeconds(180))
					.answer();
				bases.put(name, AgentSession.base(started.instance()));
			}
			Result result = new Result();
			for (int run = 0; run <= this.runs; run++) {
				freezeSpares(agent, names);
				burst(agent, bases, template, names, run, (run == 0) ? new Result() : result);
			}
			return result;
		}
		finally {
			agent.stopQuietly(names);
		}
	}

	private List<String> serviceCommand(Workbench workbench, int port) {
		List<String> command = new ArrayList<>(List.of(this.options.java.toString(), "-Xmx256m", "-jar",
				this.options.jar.toString(), "--server.port=" + port));
		command.addAll(SnapshotBenchmark.serviceArguments(workbench));
		return command;
	}

	private void freezeSpares(AgentSession agent, List<String> names) throws IOException {
		for (String name : names.subList(1, names.size())) {
			agent.freeze(name, this.squeeze);
		}
	}

	private void burst(AgentSession agent, Map<String, URI> bases, Path template, List<String> names, int run,
			Result result) throws Exception {
		Backends backends = new Backends();
		backends.add(bases.get(names.get(0)));
		LoadGenerator generator = new LoadGenerator(this.clients, this.requestTimeout, "/");
		LoadGenerator.Load load = generator.start(List.of(new LoadGenerator.Step("idle", this.idleRate, this.idle),
				new LoadGenerator.Step("high", this.highRate, this.high)), backends);
		String prefix = NAME + "-c" + run;
		List<URI> thawedBases = new ArrayList<>();
		List<URI> cloneBases = new ArrayList<>();
		ExecutorService scaler = Executors.newCachedThreadPool();
		try {
			long burstStart = load.awaitStep(1, this.idle.plusSeconds(10));
			// The scaler reacts at the step itself: it knows the schedule. A real autoscaler would
			// first have to notice the load (Knative's looks at concurrency every 2 s).
			List<Future<AgentSession.Timed<Thawed>>> thaws = new ArrayList<>();
			for (String name : names.subList(1, names.size())) {
				URI base = bases.get(name);
				// In the rotation before its thaw: the kernel queues its requests until then.
				backends.add(base);
				thawedBases.add(base);
				thaws.add(scaler.submit(() -> agent.thaw(name)));
			}
			Future<Double> cloned = (this.clones == 0) ? CompletableFuture.completedFuture(0.0)
					: scaler.submit(() -> {
						List<Started> clones = agent.clone(template, this.clones, prefix, Workbench.BRIDGE,
								Duration.ofSeconds(120)).answer();
						double millis = (System.nanoTime() - burstStart) / 1e6;
						for (Started clone : clones) {
							URI base = AgentSession.base(clone.instance());
							backends.add(base);
							cloneBases.add(base);
						}
						return millis;
					});
			for (Future<AgentSession.Timed<Thawed>> thaw : thaws) {
				AgentSession.Timed<Thawed> thawed = thaw.get(2, TimeUnit.MINUTES);
				result.agentThaw.add(thawed.answer().first200Millis());
				result.thawCall.add(thawed.millis());
			}
			double cloneMillis = cloned.get(3, TimeUnit.MINUTES);
			if (this.clones > 0) {
				result.cloneCommand.add(cloneMillis);
			}
			List<LoadGenerator.StepTally> tallies = load.awaitEnd(this.idle.plus(this.high).plusMinutes(2));
			double allServe = 0;
			for (URI base : thawedBases) {
				double millis = servedAfter(backends, base, burstStart);
				result.thawServes.add(millis);
				allServe = Math.max(allServe, millis);
			}
			for (URI base : cloneBases) {
				double millis = servedAfter(backends, base, burstStart);
				result.cloneServes.add(millis);
				allServe = Math.max(allServe, millis);
			}
			result.allServe.add(allServe);
			long sent = 0;
			long failed = 0;
			for (LoadGenerator.StepTally tally : tallies) {
				sent += tally.sent();
				failed += tally.failed();
				tally.failures().forEach((reason, count) -> result.failures.merge(reason, count, Long::sum));
				result.lag.addAll(tally.lagMillis());
			}
			result.idleLatency.addAll(tallies.get(0).latencyMillis());
			result.highLatency.addAll(tallies.get(1).latencyMillis());
			result.sent.add((double) sent);
			result.failed.add((double) failed);
			System.out.printf(Locale.ROOT, "burst %d/%d: all %d instances serve %.0f ms after the step up; "
					+ "%d requests, %d failed%s%n", run, this.runs, instances(), allServe, sent, failed,
					(run == 0) ? " (warm-up, not counted)" : "");
		}
		finally {
			load.stop();
			scaler.shutdownNow();
			List<String> clonesOfRun = new ArrayList<>();
			for (int i = 1; i <= this.clones; i++) {
				clonesOfRun.add(prefix + "-" + i);
			}
			if (!clonesOfRun.isEmpty()) {
				agent.stopQuietly(clonesOfRun);
			}
		}
	}

	/**
	 * From the step up to the first 200 that an added instance gave the load.
	 * @throws IllegalStateException if it never served: the burst was too short to tell
	 */
	private double servedAfter(Backends backends, URI base, long burstStart) {
		long first200 = backends.served(base).first200Nanos.get();
		if (first200 == 0) {
			throw new IllegalStateException(base + " entered the rotation but answered no request of the load with "
					+ "200 before it ended: give the burst longer with --high");
		}
		return (first200 - burstStart) / 1e6;
	}

	String markdown(Result result) {
		StringBuilder out = new StringBuilder();
		out.append("## Burst on samples/hello-web: from 1 serving instance to ").append(instances())
			.append(" under load\n\n");
		out.append("`cse-bench burst --runs ").append(this.runs).append(" --frozen ").append(this.frozen)
			.append(" --clones ").append(this.clones).append(this.squeeze ? "" : " --no-squeeze")
			.append("` (or `cse-bench all`), Spring Boot ").append(BenchmarkReport.springBootVersion(this.options.jar))
			.append(", CRIU engine.\n");
		out.append("Machine: ").append(BenchmarkReport.machine(this.options.java)).append(".\n\n");
		out.append(String.format(Locale.ROOT, "A load generator in the agent's JVM sends `GET /` on the loopback and "
				+ "the bridge: %.0f requests per second for %d s (idle), then %.0f per second for %d s (the burst), "
				+ "each request issued on schedule whatever the answers (open loop), sent by at most %d client "
				+ "threads over HTTP/1.1 keep-alive connections, with no retry; a request counts as failed when it "
				+ "is answered with anything but 200, fails to connect or send, or has no answer after %d s. ",
				this.idleRate, this.idle.toSeconds(), this.highRate, this.high.toSeconds(), this.clients,
				this.requestTimeout.toSeconds()));
		out.append("The requests go round-robin to the instances in the rotation, which holds one instance (`cse run`) "
				+ "while the load is idle. When it steps up, the benchmark scales at once (it knows the schedule; a "
				+ "real autoscaler would first have to notice the load): ")
			.append(this.frozen)
			.append(" instances that `cse run` started and `cse freeze").append(this.squeeze ? " --squeeze" : "")
			.append("` froze enter the rotation right away, before their thaw, and are thawed through the agent's API as `cse thaw` does (a "
					+ "request that reaches one first waits in the kernel's accept queue, and the starter's gate "
					+ "holds it until the service has resumed); at the same time `cse clone --count ")
			.append(this.clones)
			.append("` (`POST /clones`) restores a warmed-up template into namespaces on the bridge, and its clones enter the rotation "
					+ "once the command has seen all of them answer. Each burst ends with the clones stopped and the "
					+ "thawed instances frozen again; a first, unmeasured burst warms the agent up. \"Serves\" is the "
					+ "first 200 that an instance gave the load, timed from the step up.\n\n");
		out.append("| measure | median | p99 | min | max | n | target |\n|---|---|---|---|---|---|---|\n");
		if (!result.thawServes.isEmpty()) {
			out.append(Stats.of(result.thawServes).row("step up to a thawed instance serving", "")).append('\n');
			out.append(Stats.of(result.agentThaw).row("thaw in the agent (`POST /instances/{name}/thaw`), from its start "
					+ "to its own first 200 on `/`", ""))
				.append('\n');
			out.append(Stats.of(result.thawCall).row("`POST /instances/{name}/thaw` round trip, from the step up's "
					+ "scaler", "")).append('\n');
		}
		if (!result.cloneServes.isEmpty()) {
			out.append(Stats.of(result.cloneServes).row("step up to a clone serving", "")).append('\n');
			out.append(Stats.of(result.cloneCommand)
				.row("`POST /clones` with count " + this.clones + ", from the step up until its answer (all answered)",
						"")).append('\n');
		}
		out.append(Stats.of(result.allServe).row("step up until all " + instances() + " instances serve", ""))
			.append('\n');
		out.append(Stats.of(result.idleLatency).row("request latency, idle step (1 instance)", "")).append('\n');
		out.append(Stats.of(result.highLatency).row("request latency, burst step (1 to " + instances() + " instances)",
				"")).append('\n');
		out.append(Stats.of(result.lag).row("load generator: request sent after its scheduled time", ""))
			.append('\n');
		out.append(Stats.of(result.sent).countRow("requests per burst", "")).append('\n');
		out.append(Stats.of(result.failed).countRow("failed requests per burst", "0")).append('\n');
		long sent = Math.round(result.sent.stream().mapToDouble(Double::doubleValue).sum());
		long failed = Math.round(result.failed.stream().mapToDouble(Double::doubleValue).sum());
		out.append(String.format(Locale.ROOT, "%nOver the %d measured bursts: %d requests sent, %d answered 200, "
				+ "**%d failed**%s.%n", this.runs, sent, sent - failed, failed,
				result.failures.isEmpty() ? "" : " (" + reasons(result.failures) + ")"));
		out.append("On 2 cores the added instances do not add processor time: they share the same 2 cores with "
				+ "the first one and the load generator. What the burst shows is how fast the capacity comes "
				+ "and that no request is lost on the way, not more throughput.\n");
		return out.toString();
	}

	private static String reasons(Map<String, Long> failures) {
		List<String> parts = new ArrayList<>();
		failures.forEach((reason, count) -> parts.add(count + " " + reason));
		return String.join(", ", parts);
	}

	static final class Result {

		final List<Double> thawServes = new ArrayList<>();

		final List<Double> agentThaw = new ArrayList<>();

		final List<Double> thawCall = new ArrayList<>();

		final List<Double> cloneServes = new ArrayList<>();

		final List<Double> cloneCommand = new ArrayList<>();

		final List<Double> allServe = new ArrayList<>();

		final List<Double> idleLatency = new ArrayList<>();

		final List<Double> highLatency = new ArrayList<>();

		final List<Double> lag = new ArrayList<>();

		final List<Double> sent = new ArrayList<>();

		final List<Double> failed = new ArrayList<>();

		final Map<String, Long> failures = new TreeMap<>();

	}

}
