package io.cse.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.cse.node.instance.Frozen;
import io.cse.node.instance.Thawed;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code cse-bench freeze}: thaw to first 200 with and without a squeeze, and the frozen
 * footprint against the running service's memory.
 */
@Command(name = "freeze", mixinStandardHelpOptions = true,
		description = { "Start a service through the agent's API (POST /instances), then freeze and thaw it --runs times plainly and --runs "
				+ "times with --squeeze, timing each thaw to the first 200 on / and measuring what the frozen "
				+ "service costs. Needs root, cgroup v1 and zram (or swap).",
				"Starts a real PostgreSQL in a process of its own for the service." })
final class FreezeBenchmark implements Callable<Integer> {

	private static final String NAME = Workbench.name("bench-freeze");

	@Mixin
	BenchOptions options = new BenchOptions();

	@Option(names = "--runs", description = "Freezes and thaws measured, each way (default: ${DEFAULT-VALUE}).",
			defaultValue = "10")
	int runs;

	@Option(names = "--requests", description = "Requests sent before each freeze (default: ${DEFAULT-VALUE}).",
			defaultValue = "200")
	int requests;

	@Option(names = "--port", description = "The service's port (default: a free port chosen at run time).",
			defaultValue = "0")
	int port;

	@Spec
	CommandSpec spec;

	private final BenchHttp http = new BenchHttp();

	private String loadBefore;

	@Override
	public Integer call() throws Exception {
		validate();
		try (Workbench workbench = Workbench.open("cse-bench-freeze-", this.options, false)) {
			Result result = measure(workbench);
			BenchmarkReport.write(this.options.output, "freeze", markdown(result));
			System.out.println("Wrote " + this.options.output + " (service log in " + workbench.state().resolve("logs")
					+ ")");
		}
		return 0;
	}

	/**
	 * Refuse options that would make the figures meaningless, and services not built.
	 */
	void validate() {
		BenchOptions.requireRuns(this.spec, this.runs);
		this.options.requireBuilt();
	}

	/**
	 * Start the service under {@code cse run}, freeze and thaw it each way, and stop it.
	 * @param workbench the database and the agent to work with
	 * @return what was measured
	 */
	Result measure(Workbench workbench) throws Exception {
		this.loadBefore = loadAverage();
		if (this.port == 0) {
			this.port = Workbench.freePort();
		}
		AgentSession services = workbench.agent();
		services.run(NAME, this.port, List.of(this.options.java.toString(), "-Xmx256m", "-jar",
				this.options.jar.toString(), "--server.port=" + this.port, "--spring.datasource.url=" + workbench.jdbcUrl()),
				Duration.ofSeconds(180));
		try {
			Result result = new Result();
			// One more cycle than measured, each way: the first pays for loading the agent's own classes.
			for (int i = 0; i <= this.runs; i++) {
				cycle(services, false, (i == 0) ? new Result() : result, i);
			}
			for (int i = 0; i <= this.runs; i++) {
				cycle(services, true, (i == 0) ? new Result() : result, i);
			}
			for (int i = 0; i <= this.runs; i++) {
				onRequest(services, (i == 0) ? new Result() : result, i);
			}
			return result;
		}
		finally {
			services.stopQuietly(List.of(NAME));
		}
	}

	private void cycle(AgentSession services, boolean squeeze, Result result, int run) throws IOException {
		for (int i = 0; i < this.requests; i++) {
			this.http.post(uri("/visits"), null);
		}
		Frozen frozen = services.freeze(NAME, squeeze).answer();
		long start = System.nanoTime();
		Thawed thawed = services.thaw(NAME).answer();
		if (this.http.get(uri("/")).statusCode() != 200) {
			throw new IOException("the service does not serve after its thaw");
		}
		// on the caller's clock: the thaw call, then the caller's own request
		(squeeze ? result.thawSqueezed : result.thaw).add((System.nanoTime() - start) / 1e6);
		(squeeze ? result.cgroupThawSqueezed : result.cgroupThaw).add(thawed.cgroupThawedMillis());
		if (!squeeze) {
			result.serviceThaw.add(thawed.resumedMillis() - thawed.cgroupThawedMillis());
		}
		if (squeeze) {
			// All of zram, as the service is the only one squeezed into it here; what a thaw left
			// there (pages the service has not touched since) counts too.
			long compressed = Math.max(0, frozen.after().compressedBytes());
			result.frozenResident.add((double) (frozen.after().residentBytes() + compressed));
			result.frozenCharged.add((double) (frozen.after().chargedBytes() + compressed));
		}
		else {
			// Running with all its pages in: before a plain freeze (a squeezed cycle starts with
			// pages still in zram).
			result.running.add((double) frozen.before().residentBytes());
		}
		System.out.printf(Locale.ROOT, "%s %d/%d: thaw to first 200 %.1f ms (cgroup %.1f ms)%s%n",
				squeeze ? "squeezed" : "plain", run, this.runs, thawed.first200Millis(), thawed.cgroupThawedMillis(),
				squeeze ? String.format(Locale.ROOT, ", frozen: resident %d MiB, charged %d MiB, compressed %d MiB",
						frozen.after().residentBytes() >> 20, frozen.after().chargedBytes() >> 20,
						Math.max(0, frozen.after().compressedBytes()) >> 20)
						: String.format(Locale.ROOT, ", running resident %d MiB", frozen.before().residentBytes() >> 20));
	}

	/**
	 * A request to the frozen service, with the agent waiting to thaw it on demand: timed
	 * from the client's send to its 200.
	 */
	private void onRequest(AgentSession services, Result result, int run) throws Exception {
		services.freeze(NAME, false);
		CompletableFuture<Void> thaw = CompletableFuture.runAsync(() -> {
			try {
				services.thawOnRequest(NAME, Duration.ofMinutes(1));
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		});
		// let the agent start watching; the request would wait in the queue anyway
		TimeUnit.MILLISECONDS.sleep(200);
		long start = System.nanoTime();
		HttpResponse<String> response = this.http.get(uri("/"));
		double millis = (System.nanoTime() - start) / 1e6;
		thaw.get(1, TimeUnit.MINUTES);
		if (response.statusCode() != 200) {
			throw new IOException("the request that thawed the service got " + response.statusCode());
		}
		result.onRequest.add(millis);
		System.out.printf(Locale.ROOT, "on request %d/%d: request to a frozen service answered 200 after %.1f ms%n",
				run, this.runs, millis);
	}

	String markdown(Result result) {
		StringBuilder out = new StringBuilder();
		out.append("## Freezing samples/hello-web: thaw to first 200, frozen footprint\n\n");
		out.append("`cse-bench freeze --runs ").append(this.runs).append("` (or `cse-bench all`), Spring Boot ")
			.append(BenchmarkReport.springBootVersion(this.options.jar)).append(".\n");
		out.append("Machine: ").append(BenchmarkReport.machine(this.options.java)).append("; load average (1 min) ")
			.append(this.loadBefore).append(" before the run, ").append(loadAverage())
			.append(" after it (other work on the machine makes every figure slower).\n\n");
		out.append("The sample runs as `cse run` starts it (`POST /instances` on the agent's API: cgroup v1 freezer and ")
			.append("memory groups of its own, `-Xmx256m`). Each cycle sends it ").append(this.requests)
			.append(" requests, freezes it through the agent's API as `cse freeze` does (`POST /instances/{name}/freeze`: ")
			.append("`POST /actuator/cse/freeze`, then the cgroup), and thaws it as `cse thaw` does ")
			.append("(`POST /instances/{name}/thaw`: limit restored, cgroup thawed, `POST /actuator/cse/thaw`), ")
			.append("timed by the benchmark from its send of the thaw to the 200 of its own `GET /` sent after ")
			.append("the answer; then the same with ")
			.append("`--squeeze` (memory pushed to zram); then a plain freeze with the agent waiting as ")
			.append("`cse thaw --on-request` does, and one request, timed by its client from its send to its 200. ")
			.append("A first, unmeasured cycle each way warms the agent up. ")
			.append("The frozen footprint is the squeezed service's resident memory (or the memory its cgroup is ")
			.append("charged) plus all that zram holds compressed, against its resident memory while it ran (before ")
			.append("the plain freezes). Resident memory counts the shared libraries it maps (the JDK's, about ")
			.append("20 MB), which no squeeze pushes out; the cgroup is charged only for what it touched first.\n\n");
		out.append("| measure | median | p99 | min | max | n | target |\n|---|---|---|---|---|---|---|\n");
		out.append(Stats.of(result.thaw).row("thaw to first 200", "<= 20 ms")).append('\n');
		out.append(Stats.of(result.cgroupThaw).row("of which the cgroup thaw", "")).append('\n');
		out.append(Stats.of(result.serviceThaw).row("of which `POST /actuator/cse/thaw` (the starter's resume)", ""))
			.append('\n');
		out.append(Stats.of(result.thawSqueezed).row("thaw to first 200, after `--squeeze`", "<= 60 ms")).append('\n');
		out.append(Stats.of(result.cgroupThawSqueezed).row("of which limit restore and cgroup thaw", "")).append('\n');
		out.append(Stats.of(result.onRequest)
			.row("request to a frozen service, `cse thaw --on-request` waiting: send to 200", ""))
			.append('\n');
		out.append(megabytes("running service, resident", result.running, "")).append('\n');
		out.append(megabytes("frozen and squeezed: resident + compressed", result.frozenResident, "")).append('\n');
		out.append(megabytes("frozen and squeezed: charged + compressed", result.frozenCharged, "")).append('\n');
		List<Double> residentRatio = new ArrayList<>();
		List<Double> chargedRatio = new ArrayList<>();
		double running = Stats.of(result.running).median();
		for (int i = 0; i < result.frozenResident.size(); i++) {
			residentRatio.add(100 * result.frozenResident.get(i) / running);
			chargedRatio.add(100 * result.frozenCharged.get(i) / running);
		}
		out.append(Stats.of(residentRatio).percentRow("frozen (resident + compressed) / median running resident",
				"<= 20 %"))
			.append('\n');
		out.append(Stats.of(chargedRatio).percentRow("frozen (charged + compressed) / median running resident",
				"<= 20 %"))
			.append('\n');
		return out.toString();
	}

	private static String loadAverage() {
		return BenchmarkReport.loadAverage();
	}

	private static String megabytes(String name, List<Double> bytes, String target) {
		Stats stats = Stats.of(bytes);
		return String.format(Locale.ROOT, "| %s | %.1f MB | %.1f MB | %.1f MB | %.1f MB | %d | %s |", name,
				stats.median() / 1048576, stats.p99() / 1048576, stats.min() / 1048576, stats.max() / 1048576,
				stats.count(), target);
	}

	private URI uri(String path) {
		return URI.create("http://127.0.0.1:" + this.port + path);
	}

	static final class Result {

		final List<Double> thaw = new ArrayList<>();

		final List<Double> cgroupThaw = new ArrayList<>();

		final List<Double> thawSqueezed = new ArrayList<>();

		final List<Double> cgroupThawSqueezed = new ArrayList<>();

		final List<Double> onRequest = new ArrayList<>();

		final List<Double> serviceThaw = new ArrayList<>();

		final List<Double> running = new ArrayList<>();

		final List<Double> frozenResident = new ArrayList<>();

		final List<Double> frozenCharged = new ArrayList<>();

	}

}
