package io.cse.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import io.cse.node.CseException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cse.samples.postgres.PostgresProcess;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code cse-bench starter}: freeze and thaw of a service over many cycles, and its
 * start-up time with and without the starter.
 */
@Command(name = "starter", mixinStandardHelpOptions = true,
		description = { "Freeze and thaw a service built on the starter over many cycles, and compare its start-up "
				+ "time with the same service built without the starter.",
				"Starts a real PostgreSQL in a process of its own for the service's pool." })
final class StarterBenchmark implements Callable<Integer> {

	private static final Pattern STARTED = Pattern.compile("Started \\S+ in ([0-9.]+) seconds");

	private final ObjectMapper json = new ObjectMapper();

	@Mixin
	BenchOptions options = new BenchOptions();

	@Option(names = "--plain-jar",
			description = "The same service built without the starter (default: ${DEFAULT-VALUE}; "
					+ "build it with 'mvn -pl samples/hello-web package -Pwithout-cse -Dmaven.test.skip=true').",
			defaultValue = "samples/hello-web/target/plain-exec/hello-web-0.1.0-SNAPSHOT-plain-exec.jar")
	Path plainJar;

	@Option(names = "--actuator-jar",
			description = "The same service without the starter but with Spring Boot's actuator (default: "
					+ "${DEFAULT-VALUE}; build it with 'mvn -pl samples/hello-web package -Pactuator-only "
					+ "-Dmaven.test.skip=true').",
			defaultValue = "samples/hello-web/target/actuator-exec/hello-web-0.1.0-SNAPSHOT-actuator-exec.jar")
	Path actuatorJar;

	@Option(names = "--cycles", description = "Measured freeze/thaw cycles (default: ${DEFAULT-VALUE}).",
			defaultValue = "50")
	int cycles;

	@Option(names = "--warmup", description = "Cycles run first and not measured (default: ${DEFAULT-VALUE}).",
			defaultValue = "10")
	int warmup;

	@Option(names = "--starts", description = "Start-ups measured per variant (default: ${DEFAULT-VALUE}).",
			defaultValue = "5")
	int starts;

	@Override
	public Integer call() throws Exception {
		this.options.requireBuilt();
		requireFile(this.plainJar, "mvn -B -pl samples/hello-web package -Pwithout-cse -Dmaven.test.skip=true");
		requireFile(this.actuatorJar, "mvn -B -pl samples/hello-web package -Pactuator-only -Dmaven.test.skip=true");
		if (this.cycles < 50) {
			throw new IllegalArgumentException("--cycles must be at least 50 for a meaningful p99");
		}
		Path logs = Files.createTempDirectory("cse-bench-");
		try (PostgresProcess postgres = PostgresProcess.start(this.options.postgresJar, "127.0.0.1")) {
			List<String> arguments = List.of("--spring.datasource.url=" + postgres.getJdbcUrl(),
					"--hello.heartbeat-interval=100ms");
			StartupResult startup = measureStartup(arguments, logs);
			CycleResult cyclesResult = measureCycles(arguments, logs);
			BenchmarkReport.write(this.options.output, "starter", markdown(startup, cyclesResult));
			System.out.println("Wrote " + this.options.output + " (service logs in " + logs + ")");
		}
		return 0;
	}

	private StartupResult measureStartup(List<String> arguments, Path logs) throws Exception {
		Variant with = new Variant();
		Variant actuator = new Variant();
		Variant without = new Variant();
		Variant switchedOff = new Variant();
		List<String> off = new ArrayList<>(arguments);
		off.add("--cse.enabled=false");
		// Alternate the variants, and rotate which one goes first, so that a noisy moment on
		// the machine (or the previous process still shutting down) hits them alike.
		for (int i = 0; i < this.starts; i++) {
			for (int slot = 0; slot < 4; slot++) {
				switch ((i + slot) % 4) {
					case 0 -> startOnce(this.options.jar, arguments, logs.resolve("with-" + i + ".log"), with);
					case 1 -> startOnce(this.actuatorJar, arguments, logs.resolve("actuator-" + i + ".log"), actuator);
					case 2 -> startOnce(this.plainJar, arguments, logs.resolve("without-" + i + ".log"), without);
					default -> startOnce(this.options.jar, off, logs.resolve("off-" + i + ".log"), switchedOff);
				}
			}
			System.out.printf(Locale.ROOT, "start-up %d/%d: with %.0f ms, actuator only %.0f ms, without %.0f ms%n",
					i + 1, this.starts, with.first200.get(i), actuator.first200.get(i), without.first200.get(i));
		}
		return new StartupResult(with, actuator, without, switchedOff);
	}

	private void startOnce(Path jar, List<String> arguments, Path log, Variant variant) throws Exception {
		try (ServiceProcess service = ServiceProcess.start(this.options.java, List.of("-Xmx512m"), List.of("-jar",
				jar.toString()), arguments, log)) {
			variant.first200.add(service.awaitFirst200("/", Duration.ofMinutes(3)));
			Matcher matcher = STARTED.matcher(Files.readString(log));
			if (!matcher.find()) {
				throw new IOException("No 'Started ... in N seconds' line in " + log);
			}
			variant.started.add(Double.parseDouble(matcher.group(1)) * 1000);
		}
	}

	private CycleResult measureCycles(List<String> arguments, Path logs) throws Exception {
		CycleResult result = new CycleResult();
		try (ServiceProcess service = ServiceProcess.start(this.options.java, List.of("-Xmx512m"),
				List.of("-jar", this.options.jar.toString()), arguments, logs.resolve("cycles.log"))) {
			service.awaitFirst200("/health", Duration.ofMinutes(3));
			int total = this.warmup + this.cycles;
			for (int i = 0; i < total; i++) {
				boolean measured = i >= this.warmup;
				cycle(service, measured ? result : new CycleResult());
				if ((i + 1) % 10 == 0) {
					System.out.printf(Locale.ROOT, "cycle %d/%d (%d warm-up)%n", i + 1, total, this.warmup);
				}
			}
		}
		return result;
	}

	private void cycle(ServiceProcess service, CycleResult result) throws Exception {
		HttpClient client = HttpClient.newHttpClient();
		for (int i = 0; i < 3; i++) {
			expect200(client, post(service.uri("/visits")));
		}
		long start = System.nanoTime();
		JsonNode freeze = expect200(client, post(service.uri("/actuator/cse/freeze")));
		result.freeze.add(elapsed(start));
		result.freezeParticipants.add(freeze.path("participantsMs").asDouble());
		result.trim.add(freeze.path("memory").path("trimMs").asDouble());
		start = System.nanoTime();
		JsonNode thaw = expect200(client, post(service.uri("/actuator/cse/thaw")));
		long thawed = System.nanoTime();
		result.thaw.add((thawed - start) / 1e6);
		result.thawParticipants.add(thaw.path("participantsMs").asDouble());
		// The freeze closed every idle connection: the first request after the thaw opens a
		// new one, as a client of a thawed instance would.
		HttpClient fresh = HttpClient.newHttpClient();
		expect200(fresh, HttpRequest.newBuilder(service.uri("/")).build());
		result.firstRequest.add(elapsed(thawed));
		expect200(client, post(service.uri("/actuator/cse/freeze")));
		HttpClient another = HttpClient.newHttpClient();
		start = System.nanoTime();
		expect200(another, HttpRequest.newBuilder(service.uri("/")).build());
		result.thawOnRequest.add(elapsed(start));
	}

	private JsonNode expect200(HttpClient client, HttpRequest request) throws IOException, InterruptedException {
		HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
		if (response.statusCode() != 200) {
			throw new IOException(request.method() + " " + request.uri() + " answered " + response.statusCode() + ": "
					+ response.body());
		}
		String body = response.body();
		return (body.startsWith("{")) ? this.json.readTree(body) : this.json.createObjectNode();
	}

	private static HttpRequest post(URI uri) {
		return HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.noBody()).build();
	}

	private static double elapsed(long start) {
		return (System.nanoTime() - start) / 1e6;
	}

	private String markdown(StartupResult startup, CycleResult cycles) {
		StringBuilder out = new StringBuilder();
		out.append("## Freeze and thaw of samples/hello-web (the starter)\n\n");
		out.append("`scripts/bench-starter.sh` (that is `cse-bench starter --cycles ").append(this.cycles)
			.append("`), Spring Boot ").append(BenchmarkReport.springBootVersion(this.options.jar)).append(".\n");
		out.append("Machine: ").append(BenchmarkReport.machine(this.options.java)).append(".\n\n");
		out.append("Each cycle writes 3 rows through the HikariCP pool, then freezes (traffic gate, executors, ")
			.append("scheduler, lifecycle beans, pool: all connections closed; then the heap trim) and thaws through ")
			.append("`/actuator/cse`, then sends `GET /` on a new connection. A second freeze is then ended by a ")
			.append("plain `GET /` (thaw on request). ").append(this.warmup).append(" warm-up cycles are not counted.\n\n");
		out.append("| measure | median | p99 | min | max | n | target |\n|---|---|---|---|---|---|---|\n");
		out.append(Stats.of(cycles.freezeParticipants).row("freeze, participants only (excluding the heap trim)",
				"<= 50 ms")).append('\n');
		out.append(Stats.of(cycles.trim).row("heap trim (full GC, heap shrink, native trim)", "")).append('\n');
		out.append(Stats.of(cycles.freeze).row("freeze, whole HTTP call", "")).append('\n');
		out.append(Stats.of(cycles.thawParticipants).row("thaw, participants", "")).append('\n');
		out.append(Stats.of(cycles.thaw).row("thaw, whole HTTP call", "<= 10 ms")).append('\n');
		out.append(Stats.of(cycles.firstRequest).row("first `GET /` answered, from the thaw call's return",
				"<= 20 ms")).append('\n');
		out.append(Stats.of(cycles.thawOnRequest).row("`GET /` to a frozen instance (thaw on request)", ""))
			.append('\n');
		out.append("\n### Start-up with and without the starter\n\n");
		out.append("The same sample built three ways, ").append(this.starts)
			.append(" start-ups each, alternated, the first of each round rotating (and a fourth: the starter's jar with "
					+ "`cse.enabled=false`): with the starter (`").append(this.options.jar.getFileName())
			.append("`); without CSE but with Spring Boot's actuator, as most production services have it (`")
			.append(this.actuatorJar.getFileName()).append("`, `-Pactuator-only`); and as the reference article's ")
			.append("demo, with neither (`").append(this.plainJar.getFileName()).append("`, `-Pwithout-cse`).\n\n");
		out.append("| measure | median | p99 | min | max | n | target |\n|---|---|---|---|---|---|---|\n");
		out.append(startup.with.first200().row("process start to first 200: with the starter", "")).append('\n');
		out.append(startup.actuator.first200().row("process start to first 200: actuator, no CSE", "")).append('\n');
		out.append(startup.without.first200().row("process start to first 200: neither", "")).append('\n');
		out.append(startup.switchedOff.first200().row("process start to first 200: starter's jar, cse.enabled=false",
				"")).append('\n');
		out.append(startup.with.started().row("Spring's 'Started in': with the starter", "")).append('\n');
		out.append(startup.actuator.started().row("Spring's 'Started in': actuator, no CSE", "")).append('\n');
		out.append(startup.without.started().row("Spring's 'Started in': neither", "")).append('\n');
		out.append(startup.switchedOff.started().row("Spring's 'Started in': starter's jar, cse.enabled=false", ""))
			.append('\n');
		out.append(String.format(Locale.ROOT, "%nCSE itself (starter vs actuator only) adds %+.1f %% to the time to "
				+ "first 200 and %+.1f %% to Spring's own start-up time (medians; target: at most 3 %%). Against a "
				+ "service without the actuator, which the starter brings along for `/actuator/cse`, the starter adds "
				+ "%+.1f %% and %+.1f %%.%n", overhead(startup.with.first200(), startup.actuator.first200()),
				overhead(startup.with.started(), startup.actuator.started()),
				overhead(startup.with.first200(), startup.without.first200()),
				overhead(startup.with.started(), startup.without.started())));
		out.append(String.format(Locale.ROOT, "Against the same jar with the starter switched off (`cse.enabled=false`: "
				+ "the same classes on the class path, no CSE beans), the starter's beans add %+.1f %% to the time to "
				+ "first 200 and %+.1f %% to Spring's own time. On these shared 2-core machines one start-up varies by "
				+ "about 10 %% from the next: compare the minimums too.%n",
				overhead(startup.with.first200(), startup.switchedOff.first200()),
				overhead(startup.with.started(), startup.switchedOff.started())));
		return out.toString();
	}

	private static double overhead(Stats with, Stats without) {
		return (with.median() / without.median() - 1) * 100;
	}

	private static void requireFile(Path path, String build) {
		if (!Files.isRegularFile(path)) {
			throw new CseException("No file at " + path + ": build it with '" + build
					+ "' from the project root, or pass its path");
		}
	}

	private record StartupResult(Variant with, Variant actuator, Variant without, Variant switchedOff) {
	}

	private static final class Variant {

		final List<Double> first200 = new ArrayList<>();

		final List<Double> started = new ArrayList<>();

		Stats first200() {
			return Stats.of(this.first200);
		}

		Stats started() {
			return Stats.of(this.started);
		}

	}

	private static final class CycleResult {

		final List<Double> freeze = new ArrayList<>();

		final List<Double> freezeParticipants = new ArrayList<>();

		final List<Double> trim = new ArrayList<>();

		final List<Double> thaw = new ArrayList<>();

		final List<Double> thawParticipants = new ArrayList<>();

		final List<Double> firstRequest = new ArrayList<>();

		final List<Double> thawOnRequest = new ArrayList<>();

	}

}
