package io.cse.node.bench;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cse.samples.postgres.PostgresProcess;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code cse bench snapshots}: cold start against restore of a dump, image size against
 * the running service's memory, and a fan-out of clones.
 */
@Command(name = "snapshots", mixinStandardHelpOptions = true,
		description = { "Compare the cold start of a service with the restore of its dump, its image with its "
				+ "resident memory, and time 'cse clone --count 4'. Needs root and CRIU 4.2.",
				"Starts a real PostgreSQL in a process of its own, reachable from the clones through a bridge of the "
						+ "benchmark's own." })
final class SnapshotBenchmark implements Callable<Integer> {

	private static final String BRIDGE = "csebench";

	private static final String SUBNET = "10.199.252.0/24";

	private static final String GATEWAY = "10.199.252.1";

	private final ObjectMapper json = new ObjectMapper();

	@Option(names = "--jar", description = "The service, built with the starter (default: ${DEFAULT-VALUE}).",
			defaultValue = "samples/hello-web/target/hello-web-0.1.0-SNAPSHOT-exec.jar")
	Path jar;

	@Option(names = "--postgres-jar", description = "The embedded PostgreSQL server (default: ${DEFAULT-VALUE}).",
			defaultValue = "samples/embedded-postgres/target/embedded-postgres-0.1.0-SNAPSHOT-exec.jar")
	Path postgresJar;

	@Option(names = "--runs", description = "Cold starts, dumps and restores measured (default: ${DEFAULT-VALUE}).",
			defaultValue = "5")
	int runs;

	@Option(names = "--clone-runs", description = "Fan-outs of 4 clones measured (default: ${DEFAULT-VALUE}).",
			defaultValue = "3")
	int cloneRuns;

	@Option(names = "--requests", description = "Requests sent before each dump, as a running service gets them "
			+ "(default: ${DEFAULT-VALUE}).", defaultValue = "500")
	int requests;

	@Option(names = "--java", description = "The JDK's java that runs the service (default: this one's).")
	Path java = Path.of(System.getProperty("java.home"), "bin", "java");

	@Option(names = "--output", description = "The file to write (default: ${DEFAULT-VALUE}).",
			defaultValue = "docs/benchmarks.md")
	Path output;

	private final BenchHttp http = new BenchHttp();

	private Path state;

	private InProcessCse cse;

	@Override
	public Integer call() throws Exception {
		if (this.runs < 5) {
			throw new IllegalArgumentException("--runs must be at least 5 for a meaningful median");
		}
		for (Path file : List.of(this.jar, this.postgresJar)) {
			if (!Files.isRegularFile(file)) {
				throw new IllegalArgumentException("No file at " + file + ": build it with 'mvn -B install -DskipTests' "
						+ "from the project root, or pass its path");
			}
		}
		Path work = Files.createTempDirectory("cse-bench-snapshots-");
		this.state = work.resolve("state");
		this.cse = new InProcessCse(this.state);
		this.cse.run("net", "up", "--bridge", BRIDGE, "--subnet", SUBNET);
		try (PostgresProcess postgres = PostgresProcess.start(this.postgresJar, "127.0.0.1," + GATEWAY,
				List.of(SUBNET))) {
			List<String> arguments = List.of("--spring.datasource.url=" + postgres.getJdbcUrl(GATEWAY),
					"--hello.heartbeat-interval=100ms", "--cse.images.root=" + work.resolve("images"));
			Result result = new Result();
			// One more run than measured: the first pays for loading the agent's own classes.
			for (int i = 0; i <= this.runs; i++) {
				dumpAndRestore(i, arguments, work, (i == 0) ? new Result() : result);
			}
			fanOut(arguments, work, result);
			BenchmarkReport.write(this.output, "snapshots", markdown(result));
			System.out.println("Wrote " + this.output + " (service logs in " + work + ")");
		}
		finally {
			this.cse.runQuietly("stop", "--all", "--timeout", "5s");
			this.cse.runQuietly("net", "down", "--bridge", BRIDGE);
		}
		return 0;
	}

	private void dumpAndRestore(int run, List<String> arguments, Path work, Result result) throws Exception {
		String image = "dump-" + run;
		ServiceProcess service = ServiceProcess.start(this.java, List.of("-XX:-UsePerfData", "-Xmx256m"),
				List.of("-jar", this.jar.toString()), arguments, work.resolve(image + ".log"));
		try {
			result.coldStart.add(service.awaitFirst200("/", Duration.ofMinutes(3)));
			exercise(service);
			result.resident.add((double) resident(service.pid()));
			HttpResponse<String> dump = this.http.post(service.uri("/actuator/cse/dump"), "{\"image\": \"" + image + "\"}");
			if (dump.statusCode() != 202) {
				throw new IOException("dump answered " + dump.statusCode() + ": " + dump.body());
			}
			Path manifest = work.resolve("images").resolve(image).resolve("manifest.json");
			awaitFile(manifest, Duration.ofMinutes(2));
			awaitExit(service.pid(), Duration.ofMinutes(1));
			result.image.add((double) this.json.readTree(manifest.toFile()).path("imageBytes").asLong());
			long start = System.nanoTime();
			String restore = this.cse.run("restore", manifest.getParent().toString(), "--name", "bench-" + run, "--timeout",
					"120s");
			result.restore.add((System.nanoTime() - start) / 1e6);
			result.criuRestore.add(number(restore, "restore\\s+(\\d+) ms"));
			this.http.get(service.uri("/"));
			this.cse.run("stop", "bench-" + run);
			System.out.printf(Locale.ROOT, "run %d/%d: cold start %.0f ms, restore %.0f ms, image %d MB of %d MB%n",
					run, this.runs, result.coldStart.get(result.coldStart.size() - 1),
					result.restore.get(result.restore.size() - 1),
					Math.round(result.image.get(result.image.size() - 1) / 1e6),
					Math.round(result.resident.get(result.resident.size() - 1) / 1e6));
		}
		finally {
			service.close();
		}
	}

	private void fanOut(List<String> arguments, Path work, Result result) throws Exception {
		try (ServiceProcess service = ServiceProcess.start(this.java, List.of("-XX:-UsePerfData", "-Xmx256m"),
				List.of("-jar", this.jar.toString()), arguments, work.resolve("template.log"))) {
			service.awaitFirst200("/", Duration.ofMinutes(3));
			exercise(service);
			HttpResponse<String> clone = this.http.post(service.uri("/actuator/cse/clone"), "{\"image\": \"template\"}");
			if (clone.statusCode() != 202) {
				throw new IOException("clone answered " + clone.statusCode() + ": " + clone.body());
			}
			Path template = work.resolve("images").resolve("template");
			awaitFile(template.resolve("manifest.json"), Duration.ofMinutes(2));
			for (int i = 0; i < this.cloneRuns; i++) {
				long start = System.nanoTime();
				this.cse.run("clone", template.toString(), "--count", "4", "--name-prefix", "fan" + i, "--bridge", BRIDGE,
						"--timeout", "120s");
				result.fanOut.add((System.nanoTime() - start) / 1e6);
				this.cse.run("stop", "--all", "--timeout", "5s");
				System.out.printf(Locale.ROOT, "fan-out %d/%d: 4 clones answer after %.0f ms%n", i + 1, this.cloneRuns,
						result.fanOut.get(i));
			}
		}
	}

	private void exercise(ServiceProcess service) throws IOException {
		for (int i = 0; i < this.requests; i++) {
			this.http.post(service.uri("/visits"), null);
		}
	}

	private String markdown(Result result) {
		Stats cold = Stats.of(result.coldStart);
		Stats restore = Stats.of(result.restore);
		List<Double> ratios = new ArrayList<>();
		for (int i = 0; i < result.image.size(); i++) {
			ratios.add(100 * result.image.get(i) / result.resident.get(i));
		}
		Stats ratio = Stats.of(ratios);
		StringBuilder out = new StringBuilder();
		out.append("## Snapshots of samples/hello-web: dump, restore, clone\n\n");
		out.append("`scripts/bench-snapshots.sh` (that is `cse bench snapshots --runs ").append(this.runs)
			.append("`), Spring Boot ").append(BenchmarkReport.springBootVersion(this.jar)).append(", CRIU engine.\n");
		out.append("Machine: ").append(BenchmarkReport.machine(this.java)).append(".\n\n");
		out.append("Each run starts the sample from scratch (`java -XX:-UsePerfData -Xmx256m -jar`), sends it ")
			.append(this.requests).append(" requests that write through its pool, reads its resident memory, dumps it ")
			.append("through `POST /actuator/cse/dump` and restores the image with `cse restore`, timed in the agent ")
			.append("from the command to the first 200; a first, unmeasured run warms the agent up. The fan-out ")
			.append("clones a template of the running sample into 4 network and PID namespaces with `cse clone ")
			.append("--count 4`, until all 4 answer.\n\n");
		out.append("| measure | median | p99 | min | max | n | target |\n|---|---|---|---|---|---|---|\n");
		out.append(cold.row("cold start: process start to first 200", "")).append('\n');
		out.append(restore.row("`cse restore`: command to first 200", "")).append('\n');
		out.append(Stats.of(result.criuRestore).row("of which `criu restore` to first 200", "")).append('\n');
		out.append(Stats.of(result.fanOut).row("`cse clone --count 4`: command until all 4 answer", "<= 1500 ms"))
			.append('\n');
		out.append(ratio.percentRow("image / resident memory of the running service", "<= 60 %")).append('\n');
		out.append(String.format(Locale.ROOT, "%nRestore is **%.0fx** faster than a cold start (medians; target: at "
				+ "least 40x). Median image %d MB for a median resident memory of %d MB before the dump.%n",
				cold.median() / restore.median(), Math.round(Stats.of(result.image).median() / 1e6),
				Math.round(Stats.of(result.resident).median() / 1e6)));
		return out.toString();
	}

	private static double number(String output, String pattern) {
		Matcher matcher = Pattern.compile(pattern).matcher(output);
		if (!matcher.find()) {
			throw new IllegalStateException("No '" + pattern + "' in: " + output);
		}
		return Double.parseDouble(matcher.group(1));
	}

	private static long resident(long pid) throws IOException {
		for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
			if (line.startsWith("VmRSS:")) {
				return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
			}
		}
		throw new IOException("No VmRSS for process " + pid);
	}

	private static void awaitFile(Path file, Duration timeout) throws IOException, InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (!Files.exists(file)) {
			if (System.nanoTime() > deadline) {
				throw new IOException(file + " did not appear within " + timeout.toSeconds() + " s");
			}
			TimeUnit.MILLISECONDS.sleep(10);
		}
	}

	private static void awaitExit(long pid, Duration timeout) throws IOException, InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
			if (System.nanoTime() > deadline) {
				throw new IOException("process " + pid + " did not stop after its dump");
			}
			TimeUnit.MILLISECONDS.sleep(10);
		}
	}

	private static final class Result {

		final List<Double> coldStart = new ArrayList<>();

		final List<Double> resident = new ArrayList<>();

		final List<Double> image = new ArrayList<>();

		final List<Double> restore = new ArrayList<>();

		final List<Double> criuRestore = new ArrayList<>();

		final List<Double> fanOut = new ArrayList<>();

	}

}
