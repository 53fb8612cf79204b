package io.cse.bench;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import io.cse.node.instance.Thawed;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code cse-bench thaw-api}: a thaw as a platform sees it, from the send of
 * {@code POST /instances/{name}/thaw} to the first 200 on {@code /} that the platform's own
 * client gets after the answer.
 */
@Command(name = "thaw-api", mixinStandardHelpOptions = true,
		description = { "Start a service through the agent's API, then freeze and thaw it --runs times plainly and "
				+ "--runs times after a squeeze, each thaw timed by this program from the send of POST "
				+ "/instances/{name}/thaw to its own first 200 on / after the answer. Needs root, cgroup v1 and zram "
				+ "(or swap).", "Starts a real PostgreSQL in a process of its own for the service." })
final class ApiThawBenchmark implements Callable<Integer> {

	private static final String NAME = Workbench.name("bench-thaw-api");

	@Mixin
	BenchOptions options = new BenchOptions();

	@Option(names = "--runs", description = "Thaws measured, each way (default: ${DEFAULT-VALUE}).", defaultValue = "7")
	int runs;

	@Option(names = "--requests", description = "Requests sent before each freeze (default: ${DEFAULT-VALUE}).",
			defaultValue = "50")
	int requests;

	@Spec
	CommandSpec spec;

	private final BenchHttp http = new BenchHttp();

	@Override
	public Integer call() throws Exception {
		validate();
		return Workbench.run("thaw-api", this.options, false, (workbench) -> section(measure(workbench)));
	}


	void validate() {
		BenchOptions.requireRuns(this.spec, this.runs);
		this.options.requireBuilt();
	}

	/**
	 * Start the service, freeze and thaw it each way (one more time first, unmeasured), and
	 * stop it.
	 * @param workbench the database and the agent
	 * @return what was measured
	 */
	Result measure(Workbench workbench) throws Exception {
		AgentSession agent = workbench.agent();
		int port = Workbench.freePort();
		agent.run(NAME, port, workbench.serviceCommand(this.options, port), Duration.ofSeconds(180));
		URI root = URI.create("http://127.0.0.1:" + port + "/");
		try {
			Result result = new Result();
			for (boolean squeeze : new boolean[] { false, true }) {
				// One more thaw than measured: the first pays for loading classes on both sides.
				for (int run = 0; run <= this.runs; run++) {
					thaw(agent, root, squeeze, (run == 0) ? new Result() : result, run);
				}
			}
			return result;
		}
		finally {
			agent.stopQuietly(List.of(NAME));
		}
	}

	private void thaw(AgentSession agent, URI root, boolean squeeze, Result result, int run) throws IOException {
		for (int i = 0; i < this.requests; i++) {
			this.http.post(root.resolve("/visits"), null);
		}
		agent.freeze(NAME, squeeze);
		long start = System.nanoTime();
		AgentSession.Timed<Thawed> thawed = agent.thaw(NAME);
		int status = this.http.get(root).statusCode();
		double millis = (System.nanoTime() - start) / 1e6;
		if (status != 200) {
			throw new IOException("the service answered " + status + " on / after its thaw");
		}
		(squeeze ? result.squeezedFirst200 : result.first200).add(millis);
		(squeeze ? result.squeezedCall : result.call).add(thawed.millis());
		(squeeze ? result.squeezedAgent : result.agent).add(thawed.answer().first200Millis());
		System.out.printf(Locale.ROOT, "%s %d/%d: API thaw to first 200 %.1f ms (call %.1f ms, agent %.1f ms)%n",
				squeeze ? "squeezed" : "plain", run, this.runs, millis, thawed.millis(), thawed.answer().first200Millis());
	}

	Section section(Result result) {
		return new Section("thaw-api", "A thaw through the agent's API: send to first 200, as a platform sees it")
			.source("`cse-bench thaw-api --runs " + this.runs + "`, Spring Boot "
					+ BenchmarkReport.springBootVersion(this.options.jar), BenchmarkReport.machine(this.options.java))
			.paragraph("The sample runs as `POST /instances` starts it (`-Xmx256m`, cgroups of its own). Each cycle "
					+ "sends it " + this.requests + " requests, freezes it with `POST /instances/{name}/freeze` (then "
					+ "the same with `\"squeeze\": true`), and thaws it with `POST /instances/{name}/thaw`, timed by "
					+ "the caller from the send of the thaw to the 200 of its own `GET /` sent after the answer: what "
					+ "a platform that thaws an instance and then routes to it sees. The agent answers a thaw once the "
					+ "service serves, which its 200 to the thaw says (its `first200Millis`, in a row of its own). A first, unmeasured "
					+ "cycle each way warms both sides up.")
			.millis("API thaw to first 200: send of the thaw to the caller's first 200 on `/`", result.first200,
					"<= 20 ms")
			.millis("of which the `POST /instances/{name}/thaw` round trip", result.call, "")
			.millis("of which the agent's own thaw, until the service serves (`first200Millis`)", result.agent, "")
			.millis("API thaw to first 200, after a squeeze", result.squeezedFirst200, "")
			.millis("of which the round trip, after a squeeze", result.squeezedCall, "")
			.millis("of which the agent's own, after a squeeze", result.squeezedAgent, "");
	}

	static final class Result {

		final List<Double> first200 = new ArrayList<>();

		final List<Double> call = new ArrayList<>();

		final List<Double> agent = new ArrayList<>();

		final List<Double> squeezedFirst200 = new ArrayList<>();

		final List<Double> squeezedCall = new ArrayList<>();

		final List<Double> squeezedAgent = new ArrayList<>();

	}

}
