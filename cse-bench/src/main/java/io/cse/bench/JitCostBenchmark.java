package io.cse.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.cse.node.cli.DurationConverter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code cse-bench jit-cost}: what a pool template's compiler choice costs once its clones
 * serve. A template that runs C1 only ({@value #C1_ONLY}) makes the burst with a pool fast,
 * because its clones have no C2 code to throw away and recompile when they meet what their
 * template never did; this measures the price, the throughput and latency of an instance
 * that will never have C2 code, against one with the JVM's default compilers.
 */
@Command(name = "jit-cost", mixinStandardHelpOptions = true, sortOptions = false,
		description = { "Start the service twice through the agent's API, with the JVM's default compilers (C1, then "
				+ "C2) and with C1 only (" + JitCostBenchmark.C1_ONLY + ", as burst-pools' template runs), warm both "
				+ "up for --warm-up, then measure --runs windows of --window each, taking turns: GET / sent back to "
				+ "back by --clients client threads, answered per second, and the latency of each.",
				"Needs root and cgroup v1 (the agent runs the instances). Starts a real PostgreSQL in a process of "
						+ "its own for the service." })
final class JitCostBenchmark implements Callable<Integer> {

	/** The JVM option that keeps a service to C1, the compiler that needs no profile. */
	static final String C1_ONLY = "-XX:TieredStopAtLevel=1";

	private static final String NAME = Workbench.name("jit");

	@Mixin
	BenchOptions options = new BenchOptions();

	@Option(names = "--runs", description = "Windows measured for each compiler choice (default: ${DEFAULT-VALUE}).",
			defaultValue = "7")
	int runs;

	@Option(names = "--window", paramLabel = "TIME", description = "How long each window lasts, as 3s "
			+ "(default: ${DEFAULT-VALUE}).", defaultValue = "3s", converter = DurationConverter.class)
	Duration window;

	@Option(names = "--warm-up", paramLabel = "TIME", description = "How long each instance is sent requests "
			+ "before the windows, so that its compilers are done (default: ${DEFAULT-VALUE}).", defaultValue = "20s",
			converter = DurationConverter.class)
	Duration warmUp;

	@Option(names = "--clients", paramLabel = "N", description = "Client threads, each sending its next request when "
			+ "the last is answered (default: ${DEFAULT-VALUE}).", defaultValue = "4")
	int clients;

	@Spec
	CommandSpec spec;

	@Override
	public Integer call() throws Exception {
		validate();
		return Workbench.run("jit-cost", this.options, false, (workbench) -> section(measure(workbench)));
	}

	void validate() {
		BenchOptions.requireRuns(this.spec, this.runs);
		if (this.clients < 1 || this.clients > 64) {
			throw new ParameterException(this.spec.commandLine(), "--clients takes 1 to 64, not " + this.clients);
		}
		if (this.window.toMillis() < 500) {
			throw new ParameterException(this.spec.commandLine(), "--window must be at least 500 ms, not "
					+ this.window.toMillis() + " ms");
		}
		if (this.warmUp.toSeconds() < 5) {
			// an instance still compiling would be measured against one that is done
			throw new ParameterException(this.spec.commandLine(), "--warm-up must be at least 5 s, so that both "
					+ "instances are compiled before the windows, not " + this.warmUp.toMillis() + " ms");
		}
		this.options.requireBuilt();
	}

	/**
	 * Start one instance each way, warm both up, measure their windows in turns, and stop
	 * them.
	 * @param workbench the database and the agent
	 * @return what was measured
	 */
	Result measure(Workbench workbench) throws Exception {
		AgentSession agent = workbench.agent();
		List<Compilers> all = List.of(Compilers.DEFAULT, Compilers.C1_ONLY);
		List<URI> roots = new ArrayList<>();
		try {
			for (Compilers compilers : all) {
				int port = Workbench.freePort();
				System.out.println("jit-cost: starting " + compilers.instance() + " (" + compilers.description + ")");
				agent.run(compilers.instance(), port, workbench.serviceCommand(this.options,
						Deployment.plain(this.options.jar), compilers.jvmOptions, port), Duration.ofSeconds(180));
				roots.add(URI.create("http://127.0.0.1:" + port + "/"));
			}
			HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
				.connectTimeout(Duration.ofSeconds(5))
				.build();
			for (int i = 0; i < all.size(); i++) {
				Window warm = window(http, roots.get(i), this.warmUp);
				System.out.printf(Locale.ROOT, "jit-cost: %s warmed up: %.0f requests per second over the warm-up%n",
						all.get(i).instance(), warm.perSecond());
			}
			Result result = new Result();
			for (int run = 1; run <= this.runs; run++) {
				// taking turns, each first every other run: a machine that gets busier halfway
				// through weighs on both the same
				Window[] windows = new Window[all.size()];
				for (int turn = 0; turn < all.size(); turn++) {
					int i = (run % 2 == 1) ? turn : all.size() - 1 - turn;
					windows[i] = window(http, roots.get(i), this.window);
				}
				result.add(windows[0], windows[1]);
				System.out.printf(Locale.ROOT, "window %d/%d: default %.0f/s, C1 only %.0f/s (%.0f %%)%n", run,
						this.runs, windows[0].perSecond(), windows[1].perSecond(),
						100 * windows[1].perSecond() / windows[0].perSecond());
			}
			return result;
		}
		finally {
			agent.stopQuietly(all.stream().map(Compilers::instance).toList());
		}
	}

	/**
	 * Send {@code GET /} back to back from every client for the given time.
	 */
	private Window window(HttpClient http, URI root, Duration duration) throws Exception {
		HttpRequest request = HttpRequest.newBuilder(root).timeout(Duration.ofSeconds(10)).GET().build();
		ExecutorService clients = Executors.newFixedThreadPool(this.clients);
		try {
			long start = System.nanoTime();
			long end = start + duration.toNanos();
			List<Future<List<Double>>> sent = new ArrayList<>();
			for (int i = 0; i < this.clients; i++) {
				sent.add(clients.submit(() -> {
					List<Double> latencies = new ArrayList<>();
					while (System.nanoTime() < end) {
						long send = System.nanoTime();
						HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
						if (response.statusCode() != 200) {
							throw new IOException(root + " answered " + response.statusCode());
						}
						latencies.add((System.nanoTime() - send) / 1e6);
					}
					return latencies;
				}));
			}
			List<Double> latencies = new ArrayList<>();
			for (Future<List<Double>> client : sent) {
				latencies.addAll(client.get(duration.toSeconds() + 60, TimeUnit.SECONDS));
			}
			double seconds = (System.nanoTime() - start) / 1e9;
			return new Window(latencies.size() / seconds, latencies);
		}
		finally {
			clients.shutdownNow();
		}
	}

	Section section(Result result) {
		return new Section("jit-cost", "What a C1-only template costs once its clones serve, on samples/hello-web")
			.source("`cse-bench jit-cost --runs " + this.runs + "`, Spring Boot "
					+ BenchmarkReport.springBootVersion(this.options.jar), BenchmarkReport.machine(this.options.java))
			.paragraph("A pool's template that runs with `" + C1_ONLY + "` makes the burst with a pool faster: its "
					+ "clones have no C2 code to throw away and compile again, all at once, when they meet what the "
					+ "template never met. This is what it costs them once they serve. Two instances run as `POST /instances` starts them (`-Xmx256m`, "
					+ "cgroups of their own): one with the JVM's default compilers (C1, then C2), one with `"
					+ C1_ONLY + "`. Each is first sent `GET /` for " + seconds(this.warmUp) + " so that its compilers "
					+ "are done; then " + this.runs + " windows of " + seconds(this.window) + " each, taking turns, "
					+ "in which " + this.clients + " client threads of the benchmark send `GET /` back to back over "
					+ "kept-alive connections (HTTP/1.1). The figures are requests answered per second by one "
					+ "instance, and the latency of each request from its send to its answer.")
			.number("`GET /` answered per second, default compilers", result.defaultPerSecond, "")
			.number("`GET /` answered per second, C1 only", result.c1PerSecond, "")
			.percent("C1 only against default, window by window", result.ratio, "")
			.millis("latency of `GET /`, default compilers", result.defaultLatency, "")
			.millis("latency of `GET /`, C1 only", result.c1Latency, "")
			.note("The clients run on the same 2 cores as the instance they load, so neither figure is the "
					+ "instance's alone; both instances face the same clients. `GET /` is the sample's cheapest "
					+ "path, all framework code (Tomcat, Spring MVC, Micrometer), where the compiler matters most; a "
					+ "request that waits on a database spends less of its time in compiled code.");
	}

	private static String seconds(Duration duration) {
		return String.format(Locale.ROOT, "%.0f s", duration.toMillis() / 1000.0);
	}

	/** The two ways the service runs. */
	private enum Compilers {

		DEFAULT("default", "the JVM's default compilers, C1 then C2", List.of()),

		C1_ONLY("c1", "C1 only, " + JitCostBenchmark.C1_ONLY, List.of(JitCostBenchmark.C1_ONLY));

		private final String suffix;

		private final String description;

		private final List<String> jvmOptions;

		Compilers(String suffix, String description, List<String> jvmOptions) {
			this.suffix = suffix;
			this.description = description;
			this.jvmOptions = jvmOptions;
		}

		String instance() {
			return NAME + "-" + this.suffix;
		}

	}

	private record Window(double perSecond, List<Double> latencies) {
	}

	static final class Result {

		final List<Double> defaultPerSecond = new ArrayList<>();

		final List<Double> c1PerSecond = new ArrayList<>();

		final List<Double> ratio = new ArrayList<>();

		final List<Double> defaultLatency = new ArrayList<>();

		final List<Double> c1Latency = new ArrayList<>();

		void add(Window defaultCompilers, Window c1Only) {
			this.defaultPerSecond.add((double) Math.round(defaultCompilers.perSecond()));
			this.c1PerSecond.add((double) Math.round(c1Only.perSecond()));
			this.ratio.add(100 * c1Only.perSecond() / defaultCompilers.perSecond());
			this.defaultLatency.addAll(defaultCompilers.latencies());
			this.c1Latency.addAll(c1Only.latencies());
		}

	}

}
