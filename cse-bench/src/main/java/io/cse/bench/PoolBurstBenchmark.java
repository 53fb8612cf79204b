package io.cse.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.cse.node.instance.Started;
import io.cse.node.pool.Taken;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code cse-bench burst-pools}: the burst of {@link BurstBenchmark}, served by taking every
 * clone of a pool of frozen clones at once when the load steps up; how long until all
 * instances serve, and how many requests failed.
 */
@Command(name = "burst-pools", mixinStandardHelpOptions = true, sortOptions = false,
		description = { "Serve a load that steps from idle to high with one instance, and grow to 1 + --size "
				+ "instances when it steps up by taking every clone of a pool of --size frozen clones at once "
				+ "(POST /pools/{name}/take, in parallel). Reports how long until every instance answered the "
				+ "benchmark's own GET /, and every request of the load that failed (the target is none).",
				"A taken clone enters the load's rotation once it answered that GET /. Between bursts the taken "
						+ "clones are stopped and the pool is refilled (GET /pools/{name} polled until full).",
				"Needs root, cgroup v1 and CRIU 4.2 (and zram or swap with --squeeze). Starts a real PostgreSQL in "
						+ "a process of its own, reachable from the clones through a bridge of the benchmark's own ("
						+ Workbench.BRIDGE + ", " + Workbench.SUBNET + ")." })
final class PoolBurstBenchmark implements Callable<Integer> {

	private static final String NAME = Workbench.name("pburst");

	private static final Duration REFILL_TIMEOUT = Duration.ofMinutes(5);

	@Mixin
	BenchOptions options = new BenchOptions();

	@Option(names = "--runs", description = "Bursts measured, after one that warms the agent up "
			+ "(default: ${DEFAULT-VALUE}).", defaultValue = "5")
	int runs;

	@Option(names = "--size", paramLabel = "N", description = "Frozen clones in the pool, all taken at the burst "
			+ "(default: ${DEFAULT-VALUE}).", defaultValue = "7")
	int size;

	@Option(names = "--rehearse", paramLabel = "N", description = "How many times the agent freezes and thaws the "
			+ "template before its image ('cse snapshot --template --rehearse N'; 0: the template is made without "
			+ "the agent, as before; default: ${DEFAULT-VALUE}).", defaultValue = "3")
	int rehearse;

	@Option(names = "--template-jvm-options", paramLabel = "OPTIONS", description = "JVM options of the template, "
			+ "and so of every clone, beside -Xmx256m (default: ${DEFAULT-VALUE}: C1 only, so that the taken clones do "
			+ "not all throw away and recompile their template's C2 code at once; \"\" for the JVM's default "
			+ "compilers; 'cse-bench jit-cost' measures what C1 only costs once they serve).",
			defaultValue = JitCostBenchmark.C1_ONLY)
	String templateJvmOptions;

	@Option(names = "--squeeze", negatable = true, defaultValue = "false", fallbackValue = "true",
			description = "Whether the pool's clones are squeezed into zram once frozen (default: ${DEFAULT-VALUE}).")
	boolean squeeze;

	@Mixin
	LoadOptions load = new LoadOptions();

	@Spec
	CommandSpec spec;

	private final BenchHttp http = new BenchHttp();

	@Override
	public Integer call() throws Exception {
		validate();
		return Workbench.run("burst-pools", this.options, true, (workbench) -> {
			return section(measure(workbench, template(workbench)));
		});
	}


	/**
	 * Make the pool's template: warmed up with 500 requests and, unless {@code --rehearse 0},
	 * rehearsed by the agent.
	 * @param workbench the database and agent
	 * @return the template's folder
	 */
	Path template(Workbench workbench) throws Exception {
		return (this.rehearse > 0)
				? SnapshotBenchmark.makeRehearsedTemplate(this.options, workbench, templateJvmOptions(), 500,
						this.rehearse)
				: SnapshotBenchmark.makeTemplate(this.options, Deployment.plain(this.options.jar), templateJvmOptions(),
						workbench, SnapshotBenchmark.serviceArguments(workbench), 500);
	}

	List<String> templateJvmOptions() {
		String options = this.templateJvmOptions.strip();
		return options.isEmpty() ? List.of() : List.of(options.split("\\s+"));
	}

	void validate() {
		if (this.runs < 3) {
			throw new ParameterException(this.spec.commandLine(),
					"--runs must be at least 3 for a median, not " + this.runs);
		}
		if (this.size < 1 || this.size > 50) {
			throw new ParameterException(this.spec.commandLine(), "--size takes 1 to 50 clones, not " + this.size);
		}
		if (this.rehearse < 0 || this.rehearse > 10) {
			throw new ParameterException(this.spec.commandLine(), "--rehearse takes 0 to 10, not " + this.rehearse);
		}
		for (String option : templateJvmOptions()) {
			if (!option.startsWith("-")) {
				throw new ParameterException(this.spec.commandLine(), "--template-jvm-options takes JVM options, "
						+ "each starting with '-' (as -XX:TieredStopAtLevel=1), not '" + option + "'");
			}
		}
		this.load.validate(this.spec);
		this.options.requireBuilt();
	}

	/** The instances at the burst: one serving, the pool's clones taken when it comes. */
	int instances() {
		return 1 + this.size;
	}

	/**
	 * Start the serving instance and fill the pool, then burst --runs times (and once more
	 * first, unmeasured); the pool is deleted and every instance stopped at the end.
	 * @param workbench the database, bridge and agent (it must have a bridge)
	 * @param template a clone template of the service
	 * @return what was measured
	 */
	Result measure(Workbench workbench, Path template) throws Exception {
		AgentSession agent = workbench.agent();
		int port = Workbench.freePort();
		List<String> command = new ArrayList<>(List.of(this.options.java.toString(), "-Xmx256m", "-jar",
				this.options.jar.toString(), "--server.port=" + port));
		command.addAll(SnapshotBenchmark.serviceArguments(workbench));
		String serving = NAME + "-0";
		String pool = NAME + "-pool";
		try {
			System.out.println("burst-pools: starting " + serving + " as 'cse run' does");
			Started started = agent.run(serving, port, command, Duration.ofSeconds(180)).answer();
			AgentSession.Timed<?> created = agent.createPool(pool, template, this.size, this.squeeze,
					Duration.ofSeconds(120));
			System.out.printf(Locale.ROOT, "burst-pools: pool of %d filled in %.0f ms%n", this.size, created.millis());
			Result result = new Result();
			for (int run = 0; run <= this.runs; run++) {
				agent.awaitPoolFull(pool, REFILL_TIMEOUT);
				burst(agent, AgentSession.base(started.instance()), pool, run, (run == 0) ? new Result() : result);
			}
			return result;
		}
		finally {
			agent.deletePool(pool);
			agent.stopQuietly(List.of(serving));
		}
	}

	private void burst(AgentSession agent, URI serving, String pool, int run, Result result) throws Exception {
		Backends backends = new Backends();
		backends.add(serving);
		LoadGenerator.Load load = this.load.generator().start(this.load.steps(), backends);
		ExecutorService scaler = Executors.newFixedThreadPool(this.size);
		List<String> taken = new ArrayList<>();
		try {
			long burstStart = load.awaitStep(1, this.load.idle.plusSeconds(10));
			// The scaler reacts at the step itself: it knows the schedule (see the burst's notes).
			List<Future<Take>> takes = new ArrayList<>();
			for (int i = 0; i < this.size; i++) {
				takes.add(scaler.submit(() -> take(agent, pool, backends, burstStart)));
			}
			double allServe = 0;
			List<Take> done = new ArrayList<>();
			for (Future<Take> future : takes) {
				Take take = future.get(3, TimeUnit.MINUTES);
				done.add(take);
				taken.add(take.taken().answer().instance().name());
				allServe = Math.max(allServe, take.ownFirst200());
			}
			List<LoadGenerator.StepTally> tallies = load.awaitEnd(this.load.endTimeout());
			long[] sentAndFailed = result.load.add(tallies);
			for (Take take : done) {
				result.takeCall.add(take.taken().millis());
				result.agentTake.add(take.taken().answer().millis());
				result.agentThaw.add(take.taken().answer().thawed().first200Millis());
				result.ownFirst200.add(take.ownFirst200());
				long loadFirst200 = backends.served(take.base()).first200Nanos.get();
				if (loadFirst200 != 0) {
					result.servesLoad.add((loadFirst200 - burstStart) / 1e6);
				}
			}
			result.allServe.add(allServe);
			System.out.printf(Locale.ROOT, "burst %d/%d: all %d instances serve %.0f ms after the step up; "
					+ "%d requests, %d failed%s%n", run, this.runs, instances(), allServe, sentAndFailed[0],
					sentAndFailed[1], (run == 0) ? " (warm-up, not counted)" : "");
		}
		finally {
			load.stop();
			scaler.shutdownNow();
			agent.stopQuietly(taken);
		}
	}

	/**
	 * Take a clone, get its own first 200 on {@code /}, and put it in the rotation.
	 */
	private Take take(AgentSession agent, String pool, Backends backends, long burstStart) throws IOException {
		AgentSession.Timed<Taken> taken = agent.take(pool);
		if (!taken.answer().fromPool()) {
			throw new IOException("a take from " + pool + " got a clone restored for it, not a frozen one of the "
					+ "pool, which was full at the step up: see the agent's log");
		}
		URI base = AgentSession.base(taken.answer().instance());
		int status = this.http.get(base.resolve("/")).statusCode();
		double ownFirst200 = (System.nanoTime() - burstStart) / 1e6;
		if (status != 200) {
			throw new IOException("clone " + taken.answer().instance().name() + " answered " + status + " on /");
		}
		backends.add(base);
		return new Take(taken, base, ownFirst200);
	}

	Section section(Result result) {
		Section section = new Section("burst-pools", "Burst with a pool on samples/hello-web: from 1 serving "
				+ "instance to " + instances() + " under load")
			.source("`cse-bench burst-pools --runs " + this.runs + " --size " + this.size
					+ (this.squeeze ? " --squeeze" : "") + ((this.rehearse != 3) ? " --rehearse " + this.rehearse : "")
					+ (templateJvmOptions().equals(List.of(JitCostBenchmark.C1_ONLY)) ? ""
							: " --template-jvm-options \"" + String.join(" ", templateJvmOptions()) + "\"")
					+ "` (or `cse-bench all`), Spring Boot "
					+ BenchmarkReport.springBootVersion(this.options.jar) + ", CRIU engine",
					BenchmarkReport.machine(this.options.java))
			.paragraph(this.load.describe() + "The requests go round-robin to the instances in the rotation, which "
					+ "holds one instance (`POST /instances`) while the load is idle. Beside it, `POST /pools` keeps "
					+ this.size + " clones of a template frozen" + (this.squeeze ? " and squeezed" : "")
					+ " in namespaces of their own on the bridge. When the load steps up, the benchmark scales at once "
					+ "(it knows the schedule; a real autoscaler would first have to notice the load): it sends "
					+ this.size + " `POST /pools/{name}/take` in parallel, and each taken clone enters the rotation "
					+ "once it answered the benchmark's own `GET /` sent after the take's answer. \"All serve\" is "
					+ "the last of those 200s, timed from the step up. Each burst ends with the taken clones stopped; "
					+ "before the next, `GET /pools/{name}` is polled until the agent's background refill has made "
					+ "the pool full again. A first, unmeasured burst warms the agent up. " + templateText())
			.millis("step up until all " + instances() + " instances serve (each answered the benchmark's `GET /`)",
					result.allServe, "<= 150 ms")
			.millis("step up to a clone's own first 200", result.ownFirst200, "")
			.millis("`POST /pools/{name}/take` round trip, " + this.size + " at once", result.takeCall, "")
			.millis("the agent's take (`millis`), " + this.size + " at once", result.agentTake, "")
			.millis("of which the thaw until its first 200 (`thawed.first200Millis`)", result.agentThaw, "");
		if (!result.servesLoad.isEmpty()) {
			section.millis("step up to a clone's first 200 to the load", result.servesLoad, "");
		}
		return result.load.addTo(section, instances(), this.runs)
			.note("The takes run at once on 2 cores, with the serving instance, the load generator and the agent. "
					+ "The agent refills the pool one restore at a time, starting 1 s after a take, so no restore "
					+ "shares the processor with the takes of a burst that is over within that second.");
	}

	private String templateText() {
		String made = (this.rehearse == 0)
				? "The template is the service started with `java -jar`, warmed up with 500 `POST /visits`, then "
						+ "asked for its image (`POST /actuator/cse/clone`), never frozen."
				: "The template is made as docs/agent-api.md says for a pool: the agent runs the service "
						+ "(`POST /instances`), 500 `POST /visits` warm it up, and `POST /instances/{name}/snapshot` "
						+ "with `\"template\": true, \"rehearse\": " + this.rehearse + "` freezes and thaws it "
						+ this.rehearse + " times, each thaw followed by 50 `GET /`, before it takes the image.";
		List<String> jvmOptions = templateJvmOptions();
		if (jvmOptions.isEmpty()) {
			return made + " It runs with the JVM's default compilers (C1, then C2), and so do its clones.";
		}
		return made + " It runs with `" + String.join(" ", jvmOptions) + "` beside `-Xmx256m`, and so do its clones"
				+ (jvmOptions.equals(List.of(JitCostBenchmark.C1_ONLY))
						? " (C1 only, as docs/agent-api.md recommends for a pool that absorbs bursts: what it costs "
								+ "once the clones serve is the jit-cost section's)."
						: ".");
	}

	private record Take(AgentSession.Timed<Taken> taken, URI base, double ownFirst200) {
	}

	static final class Result {

		final List<Double> allServe = new ArrayList<>();

		final List<Double> ownFirst200 = new ArrayList<>();

		final List<Double> takeCall = new ArrayList<>();

		final List<Double> agentTake = new ArrayList<>();

		final List<Double> agentThaw = new ArrayList<>();

		final List<Double> servesLoad = new ArrayList<>();

		final LoadTally load = new LoadTally();

	}

}
