package io.cse.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import io.cse.node.pool.Taken;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code cse-bench pool-take}: a clone taken from a pool of frozen clones, as a platform
 * sees it, from the send of {@code POST /pools/{name}/take} to the first 200 on {@code /}
 * that its own client gets from the clone; plainly frozen clones, then squeezed ones.
 */
@Command(name = "pool-take", mixinStandardHelpOptions = true,
		description = { "Make a clone template of the service, fill a pool of --size frozen clones of it (POST /pools), "
				+ "take a clone --runs times (POST /pools/{name}/take), each take followed by this program's own GET / "
				+ "to the clone; then the same with a pool of squeezed clones. Before each take the pool is full "
				+ "again (GET /pools/{name} polled), so that every take thaws a frozen clone.",
				"Needs root, cgroup v1, zram (or swap) and CRIU 4.2. Starts a real PostgreSQL in a process of its "
						+ "own, reachable from the clones through a bridge of the benchmark's own ("
						+ Workbench.BRIDGE + ", " + Workbench.SUBNET + ")." })
final class PoolTakeBenchmark implements Callable<Integer> {

	private static final Duration REFILL_TIMEOUT = Duration.ofMinutes(3);

	@Mixin
	BenchOptions options = new BenchOptions();

	@Option(names = "--runs", description = "Takes measured from each pool (default: ${DEFAULT-VALUE}).",
			defaultValue = "7")
	int runs;

	@Option(names = "--size", description = "Frozen clones each pool keeps (default: ${DEFAULT-VALUE}).",
			defaultValue = "7")
	int size;

	@Option(names = "--requests", description = "Requests sent to the service before its template is written "
			+ "(default: ${DEFAULT-VALUE}).", defaultValue = "500")
	int requests;

	@Spec
	CommandSpec spec;

	private final BenchHttp http = new BenchHttp();

	@Override
	public Integer call() throws Exception {
		validate();
		return Workbench.run("pool-take", this.options, true, (workbench) -> {
			Path template = SnapshotBenchmark.makeTemplate(this.options, Deployment.plain(this.options.jar), workbench,
					SnapshotBenchmark.serviceArguments(workbench), this.requests);
			return section(measure(workbench, template));
		});
	}


	void validate() {
		BenchOptions.requireRuns(this.spec, this.runs);
		if (this.size < 1 || this.size > 50) {
			throw new ParameterException(this.spec.commandLine(), "--size takes 1 to 50 clones, not " + this.size);
		}
		this.options.requireBuilt();
	}

	/**
	 * Fill a plain pool and take from it, then a squeezed one; each pool is deleted, and
	 * each taken clone stopped, before the next.
	 * @param workbench the database, the bridge and the agent (which serves the pools)
	 * @param template a clone template of the service
	 * @return what was measured
	 */
	Result measure(Workbench workbench, Path template) throws Exception {
		AgentSession agent = workbench.agent();
		Result result = new Result();
		for (boolean squeeze : new boolean[] { false, true }) {
			String pool = Workbench.name(squeeze ? "ptake-s" : "ptake");
			Takes takes = squeeze ? result.squeezed : result.plain;
			AgentSession.Timed<?> created = agent.createPool(pool, template, this.size, squeeze,
					Duration.ofSeconds(120));
			System.out.printf(Locale.ROOT, "%s pool of %d filled in %.0f ms%n", squeeze ? "squeezed" : "plain",
					this.size, created.millis());
			try {
				// One more take than measured: the first pays for loading classes on both sides.
				for (int run = 0; run <= this.runs; run++) {
					Takes into = (run == 0) ? new Takes() : takes;
					into.refill.add(agent.awaitPoolFull(pool, REFILL_TIMEOUT));
					take(agent, pool, into, run, squeeze);
				}
			}
			finally {
				agent.deletePool(pool);
			}
		}
		return result;
	}

	private void take(AgentSession agent, String pool, Takes takes, int run, boolean squeeze) throws IOException {
		long start = System.nanoTime();
		AgentSession.Timed<Taken> taken = agent.take(pool);
		String clone = taken.answer().instance().name();
		try {
			URI base = AgentSession.base(taken.answer().instance());
			int status = this.http.get(base.resolve("/")).statusCode();
			double millis = (System.nanoTime() - start) / 1e6;
			if (status != 200) {
				throw new IOException("clone " + clone + " answered " + status + " on / after its take");
			}
			if (!taken.answer().fromPool()) {
				// the pool was full before the take: a restore here means the agent lost a clone
				throw new IOException("take " + run + " from " + pool + " got a clone restored for it, not a frozen "
						+ "one of the pool: see the agent's log");
			}
			takes.first200.add(millis);
			takes.call.add(taken.millis());
			takes.agent.add(taken.answer().millis());
			takes.cgroup.add(taken.answer().thawed().cgroupThawedMillis());
			takes.resumed.add(taken.answer().thawed().resumedMillis());
			takes.agentFirst200.add(taken.answer().thawed().first200Millis());
			System.out.printf(Locale.ROOT, "%s %d/%d: take to first 200 %.1f ms (take %.1f ms, thaw %.1f ms)%n",
					squeeze ? "squeezed" : "plain", run, this.runs, millis, taken.millis(),
					taken.answer().thawed().first200Millis());
		}
		finally {
			// a clone taken serves until stopped: stopped at once, so that the runs do not add up in memory
			agent.stop(List.of(clone));
		}
	}

	Section section(Result result) {
		Section section = new Section("pool-take", "A clone taken from a pool of frozen clones: send to first 200")
			.source("`cse-bench pool-take --runs " + this.runs + " --size " + this.size
					+ "` (or `cse-bench all`), Spring Boot " + BenchmarkReport.springBootVersion(this.options.jar)
					+ ", CRIU engine", BenchmarkReport.machine(this.options.java))
			.paragraph("A warmed-up sample (" + this.requests + " requests) writes a clone template; `POST /pools` "
					+ "makes a pool of " + this.size + " clones of it, each restored in namespaces and cgroups of "
					+ "its own on the benchmark's bridge, warmed up to its first 200 and frozen (then the same with "
					+ "`\"squeeze\": true`, each clone's memory pushed to zram once frozen). Each take is "
					+ "`POST /pools/{name}/take`, which thaws the pool's oldest clone and answers after the clone's "
					+ "first 200 on `/`, timed by the caller from its send to the 200 of its own `GET /` sent to the "
					+ "clone's address after the answer: what a platform that takes an instance and routes to it "
					+ "sees. Before each take the benchmark polls `GET /pools/{name}` until the agent's background "
					+ "refill has made the pool full again, so that every take thaws a frozen clone, never one "
					+ "restored for it; each taken clone is stopped after its `GET /`. A first, unmeasured take "
					+ "from each pool warms both sides up.");
		rows(section, result.plain, "", "<= 30 ms");
		rows(section, result.squeezed, ", squeezed", "<= 70 ms");
		return section.note("The refill between takes (one restore, its warm-up, freeze"
				+ " and squeeze in the agent's background) is not part of any figure: it is the price of keeping the "
				+ "pool full, paid while no one waits.");
	}

	private static void rows(Section section, Takes takes, String which, String target) {
		section.millis("take to first 200" + which + ": send of the take to the caller's first 200 on `/`",
				takes.first200, target)
			.millis("of which the `POST /pools/{name}/take` round trip" + which, takes.call, "")
			.millis("of which the agent's take (`millis`)" + which, takes.agent, "")
			.millis("of which the thaw until the cgroup runs (`cgroupThawedMillis`)" + which, takes.cgroup, "")
			.millis("of which the thaw until the service resumed (`resumedMillis`)" + which, takes.resumed, "")
			.millis("of which the thaw until its first 200 (`first200Millis`)" + which, takes.agentFirst200, "")
			.millis("wait until the pool was full again, polled before the take (not part of it)" + which, takes.refill, "");
	}

	static final class Result {

		final Takes plain = new Takes();

		final Takes squeezed = new Takes();

	}

	/**
	 * What the takes from one pool gave.
	 */
	static final class Takes {

		final List<Double> first200 = new ArrayList<>();

		final List<Double> call = new ArrayList<>();

		final List<Double> agent = new ArrayList<>();

		final List<Double> cgroup = new ArrayList<>();

		final List<Double> resumed = new ArrayList<>();

		final List<Double> agentFirst200 = new ArrayList<>();

		final List<Double> refill = new ArrayList<>();

	}

}
