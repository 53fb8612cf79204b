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

	@Mixin
	LoadOptions load = new LoadOptions();

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
			section(result).writeTo(this.options.output);
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
		this.load.validate(this.spec);
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
		LoadGenerator.Load load = this.load.generator().start(this.load.steps(), backends);
		String prefix = NAME + "-c" + run;
		List<URI> thawedBases = new ArrayList<>();
		List<URI> cloneBases = new ArrayList<>();
		ExecutorService scaler = Executors.newCachedThreadPool();
		try {
			long burstStart = load.awaitStep(1, this.load.idle.plusSeconds(10));
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
			List<LoadGenerator.StepTally> tallies = load.awaitEnd(this.load.endTimeout());
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
			long[] sentAndFailed = result.load.add(tallies);
			System.out.printf(Locale.ROOT, "burst %d/%d: all %d instances serve %.0f ms after the step up; "
					+ "%d requests, %d failed%s%n", run, this.runs, instances(), allServe, sentAndFailed[0], sentAndFailed[1],
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
		return section(result).markdown();
	}

	Section section(Result result) {
		Section section = new Section("burst", "Burst on samples/hello-web: from 1 serving instance to " + instances()
				+ " under load")
			.source("`cse-bench burst --runs " + this.runs + " --frozen " + this.frozen + " --clones " + this.clones
					+ (this.squeeze ? "" : " --no-squeeze") + "` (or `cse-bench all`), Spring Boot "
					+ BenchmarkReport.springBootVersion(this.options.jar) + ", CRIU engine",
					BenchmarkReport.machine(this.options.java))
			.paragraph(this.load.describe() + "The requests go round-robin to the instances in the rotation, which "
					+ "holds one instance (`cse run`) while the load is idle. When it steps up, the benchmark scales "
					+ "at once (it knows the schedule; a real autoscaler would first have to notice the load): "
					+ this.frozen + " instances that `cse run` started and `cse freeze"
					+ (this.squeeze ? " --squeeze" : "") + "` froze enter the rotation right away, before their "
					+ "thaw, and are thawed through the agent's API as `cse thaw` does (a request that reaches one "
					+ "first waits in the kernel's accept queue, and the starter's gate holds it until the service "
					+ "has resumed); at the same time `cse clone --count " + this.clones + "` (`POST /clones`) "
					+ "restores a warmed-up template into namespaces on the bridge, and its clones enter the "
					+ "rotation once the command has seen all of them answer. Each burst ends with the clones "
					+ "stopped and the thawed instances frozen again; a first, unmeasured burst warms the agent up. "
					+ "\"Serves\" is the first 200 that an instance gave the load, timed from the step up.");
		if (!result.thawServes.isEmpty()) {
			section.millis("step up to a thawed instance serving", result.thawServes, "")
				.millis("thaw in the agent (`POST /instances/{name}/thaw`), from its start until the service serves "
						+ "(its 200 to the thaw)", result.agentThaw, "")
				.millis("`POST /instances/{name}/thaw` round trip, from the step up's scaler", result.thawCall, "");
		}
		if (!result.cloneServes.isEmpty()) {
			section.millis("step up to a clone serving", result.cloneServes, "")
				.millis("`POST /clones` with count " + this.clones + ", from the step up until its answer (all "
						+ "answered)", result.cloneCommand, "");
		}
		section.millis("step up until all " + instances() + " instances serve", result.allServe, "");
		return result.load.addTo(section, instances(), this.runs)
			.note("On 2 cores the added instances do not add processor time: they share the same 2 cores with the "
					+ "first one and the load generator. What the burst shows is how fast the capacity comes and "
					+ "that no request is lost on the way, not more throughput.");
	}

	static final class Result {

		final List<Double> thawServes = new ArrayList<>();

		final List<Double> agentThaw = new ArrayList<>();

		final List<Double> thawCall = new ArrayList<>();

		final List<Double> cloneServes = new ArrayList<>();

		final List<Double> cloneCommand = new ArrayList<>();

		final List<Double> allServe = new ArrayList<>();

		final LoadTally load = new LoadTally();

	}

}
