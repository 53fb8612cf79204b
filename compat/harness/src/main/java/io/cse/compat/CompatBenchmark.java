package io.cse.compat;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.cse.node.agent.Agent;
import io.cse.node.agent.AgentClient;
import io.cse.node.agent.AgentServer;
import io.cse.node.agent.ApiResponse;
import io.cse.node.image.Image;
import io.cse.node.instance.NodeContext;
import io.cse.snapshot.ImageManifest;

/**
 * The figures of docs/compatibility.md, measured per cell, never by the tests: cold start
 * to the first 200 on {@code GET /greeting} (a row of PostgreSQL) on the caller's clock,
 * from the start of {@code java} (so the JVM's own start counts); with root and CRIU, the
 * size of a dump's image beside the service's resident memory when it was dumped, and the
 * restore to the first 200 on {@code /greeting}, two ways: the whole
 * {@code java -jar cse-exec.jar restore} command as a script runs it (the start of its JVM
 * counts), and {@code POST /restores} to the node agent's API on its Unix socket, as a
 * platform calls it (the agent served by this JVM, as cse-bench does). Each image is
 * restored once each way. Each cell runs one more time than measured: the first run warms
 * the disk cache and this JVM, and is not counted.
 * <p>
 * {@code java -jar compat/harness/target/compat-harness-0.1.0-SNAPSHOT-exec.jar [--runs N]
 * [--cells id,id] [--output FILE] [--jvm-options OPTIONS]} after {@code mvn -B -pl compat/harness -am package
 * -DskipTests}; run as root with CRIU for the restore columns.
 */
public final class CompatBenchmark {

	private static final Duration START_TIMEOUT = Duration.ofMinutes(3);

	private final Options options;

	private final Path work;

	private final CompatDatabase database;

	private final boolean snapshots;

	private final AgentClient agent;

	private CompatBenchmark(Options options, Path work, CompatDatabase database, AgentClient agent) {
		this.options = options;
		this.work = work;
		this.database = database;
		this.agent = agent;
		this.snapshots = SnapshotHost.missing().isEmpty();
	}

	public static void main(String[] args) throws Exception {
		Options options = Options.parse(args);
		Path work = Files.createTempDirectory("cse-compat-bench-");
		System.out.println("Work folder (service logs, images): " + work);
		Path socket = work.resolve("agent.sock");
		Agent.Settings settings = new Agent.Settings(work.resolve("agent-state"), work.resolve("images"), null, "csecmb");
		try (CompatDatabase database = CompatDatabase.start(options.postgresJar);
				AgentServer server = new Agent(NodeContext.local(), settings).serve(socket, null)) {
			String loadBefore = loadAverage();
			CompatBenchmark benchmark = new CompatBenchmark(options, work, database, new AgentClient(socket));
			if (!benchmark.snapshots) {
				System.out.println("No restore figures: snapshots need " + String.join(", ", SnapshotHost.missing()));
			}
			Map<Cell, Figures> figures = new LinkedHashMap<>();
			for (Cell cell : options.cells) {
				figures.put(cell, benchmark.measure(cell));
			}
			String extra = System.getProperty(ServiceProcess.EXTRA_JVM_OPTIONS_PROPERTY, "").trim();
			String table = markdown(figures, options.runs, benchmark.snapshots)
					+ (extra.isEmpty() ? "" : "\nEvery service ran with " + extra + " added to its JVM options.\n")
					+ "\nMachine: "
					+ Runtime.getRuntime().availableProcessors() + " cores; load average (1 min) " + loadBefore
					+ " before the runs, " + loadAverage() + " after.\n";
			Files.writeString(options.output, table, StandardCharsets.UTF_8);
			System.out.println();
			System.out.print(table);
			System.out.println("Wrote " + options.output);
		}
	}

	private Figures measure(Cell cell) throws Exception {
		Figures figures = new Figures();
		for (int run = 0; run <= this.options.runs; run++) {
			Figures into = (run == 0) ? new Figures() : figures;
			measureOnce(cell, run, into);
			System.out.printf(Locale.ROOT, "%s run %d/%d%s: cold start %.0f ms%s%n", cell.id(), run, this.options.runs,
					(run == 0) ? " (warm-up, not counted)" : "", last(into.coldStart),
					this.snapshots ? String.format(Locale.ROOT, ", image %.0f MB, restore %.0f ms (cse restore), %.0f ms (API)",
							last(into.imageBytes) / 1e6, last(into.restore), last(into.apiRestore)) : "");
		}
		return figures;
	}

	private void measureOnce(Cell cell, int run, Figures figures) throws Exception {
		String name = cell.id();
		this.database.putGreeting(name, "hello from " + cell);
		Path images = this.work.resolve("images");
		List<String> arguments = new ArrayList<>(List.of("--spring.datasource.url=" + this.database.jdbcUrl("127.0.0.1"),
				"--compat.name=" + name, "--cse.images.root=" + images));
		arguments.addAll(cell.line().endpointSwitch());
		long start = System.nanoTime();
		try (ServiceProcess service = ServiceProcess.launch(cell, this.work.resolve(name + "-" + run + ".log"),
				arguments)) {
			ServiceHttp http = service.http();
			figures.coldStart.add(awaitFirst200(http, service::isAlive, start, service.logFile()));
			if (!this.snapshots) {
				return;
			}
			String image = name + "-" + run;
			HttpResponse<String> dump = http.postJson("/actuator/cse/dump", "{\"image\": \"" + image + "\"}");
			if (dump.statusCode() != 202) {
				throw new IllegalStateException(cell + ": POST /actuator/cse/dump answered " + dump.statusCode() + ": "
						+ dump.body());
			}
			Path folder = images.resolve(image);
			awaitDumped(service, folder);
		}
		Path folder = images.resolve(name + "-" + run);
		figures.imageBytes.add((double) Image.open(folder).bytes());
		String instance = name + "-r" + run;
		CseCommand cse = CseCommand.fromProperty(this.work.resolve("state"));
		ImageManifest manifest = Image.open(folder).manifest();
		figures.residentBytes.add((double) manifest.residentBytes());
		ServiceHttp restored = new ServiceHttp("127.0.0.1", manifest.application().port());
		try {
			// The agent's restore first: the agent reaps what it stopped, so that the pid is free
			// again for the command's restore (whose process no one here reaps).
			String apiInstance = instance + "-api";
			long apiStart = System.nanoTime();
			ApiResponse answer = this.agent.call("POST", "/restores",
					Map.of("image", folder.toString(), "name", apiInstance, "timeout", "120s"));
			try {
				if (answer.status() != 201) {
					throw new IllegalStateException("POST /restores answered " + answer.status() + ": " + answer.bodyText());
				}
				figures.apiRestore.add(awaitFirst200(restored, () -> true, apiStart, folder));
			}
			finally {
				this.agent.call("DELETE", "/instances/" + apiInstance, null);
			}
			awaitPidFree(manifest.pid());
			long commandStart = System.nanoTime();
			succeed(cse.run(Duration.ofMinutes(2), "restore", folder.toString(), "--name", instance, "--timeout", "120s"));
			try {
				figures.restore.add(awaitFirst200(restored, () -> true, commandStart, folder));
			}
			finally {
				succeed(cse.run(Duration.ofMinutes(1), "stop", instance));
			}
		}
		finally {
			// An image is 100 MB or more: keep only the logs
			delete(folder);
		}
	}

	/** A restore in the host's namespaces needs the image's pid: wait until the last one is reaped. */
	private static void awaitPidFree(long pid) throws InterruptedException {
		long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
		while (Files.exists(Path.of("/proc", Long.toString(pid)))) {
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException("PID " + pid + " is still taken 30 s after its instance stopped");
			}
			Thread.sleep(10);
		}
	}

	private static void succeed(CseCommand.Result result) {
		if (result.exitCode() != 0) {
			throw new IllegalStateException(result.toString());
		}
	}

	private static void delete(Path folder) throws IOException {
		try (var paths = Files.walk(folder)) {
			for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
				Files.delete(path);
			}
		}
	}

	private static double awaitFirst200(ServiceHttp http, java.util.function.BooleanSupplier alive, long start, Path log)
			throws InterruptedException {
		long deadline = start + START_TIMEOUT.toNanos();
		while (System.nanoTime() < deadline) {
			if (!alive.getAsBoolean()) {
				throw new IllegalStateException("The service exited before it served; see " + log);
			}
			try {
				if (http.get("/greeting").statusCode() == 200) {
					return (System.nanoTime() - start) / 1e6;
				}
			}
			catch (java.io.UncheckedIOException ex) {
				// not listening yet
			}
			Thread.sleep(5);
		}
		throw new IllegalStateException("No 200 on " + http.base() + "/greeting after " + START_TIMEOUT + "; see " + log);
	}

	private static void awaitDumped(ServiceProcess service, Path image) throws InterruptedException {
		long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
		while (service.isAlive() || !Files.exists(image.resolve(Image.MANIFEST))) {
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException("The dump of " + image + " did not finish in 2 minutes; see "
						+ service.logFile());
			}
			Thread.sleep(20);
		}
	}

	static String markdown(Map<Cell, Figures> figures, int runs, boolean snapshots) {
		StringBuilder table = new StringBuilder();
		table.append("| Spring Boot | JDK | cold start to first 200 | restore to first 200: `cse restore` | restore to first 200: agent API | image | resident when dumped |\n");
		table.append("|---|---|---|---|---|---|---|\n");
		figures.forEach((cell, measured) -> table.append("| ")
			.append(cell.line().version())
			.append(" | ")
			.append(cell.jdk().specificationVersion())
			.append(" | ")
			.append(summary(measured.coldStart, 1, "ms"))
			.append(" | ")
			.append(snapshots ? summary(measured.restore, 1, "ms") : "no CRIU")
			.append(" | ")
			.append(snapshots ? summary(measured.apiRestore, 1, "ms") : "no CRIU")
			.append(" | ")
			.append(snapshots ? summary(measured.imageBytes, 1e6, "MB") : "no CRIU")
			.append(" | ")
			.append(snapshots ? summary(measured.residentBytes, 1e6, "MB") : "no CRIU")
			.append(" |\n"));
		table.append("\nMedian (min to max) of ").append(runs).append(" runs per cell, after one warm-up run; ")
			.append("first 200 on GET /greeting (a row of PostgreSQL) on the caller's clock: cold start from the ")
			.append("start of `java -jar`, restore from the start of `java -jar cse-exec.jar restore` (its JVM start ")
			.append("included) or from the call of POST /restores on the agent's socket. Written by ")
			.append("io.cse.compat.CompatBenchmark.\n");
		return table.toString();
	}

	private static String summary(List<Double> values, double unit, String suffix) {
		double[] sorted = values.stream().mapToDouble((value) -> value / unit).sorted().toArray();
		int n = sorted.length;
		double median = (n % 2 == 1) ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
		return String.format(Locale.ROOT, "%.0f %s (%.0f to %.0f)", median, suffix, sorted[0], sorted[n - 1]);
	}

	/** The machine's load: the figures of a shared machine mean little without it. */
	private static String loadAverage() {
		try {
			return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
		}
		catch (IOException ex) {
			return "unknown";
		}
	}

	private static double last(List<Double> values) {
		return values.isEmpty() ? Double.NaN : values.get(values.size() - 1);
	}

	/** What one cell measured, run by run. */
	static final class Figures {

		final List<Double> coldStart = new ArrayList<>();

		final List<Double> restore = new ArrayList<>();

		final List<Double> apiRestore = new ArrayList<>();

		final List<Double> imageBytes = new ArrayList<>();

		final List<Double> residentBytes = new ArrayList<>();

	}

	/** The command line: {@code --runs N}, {@code --cells id,id}, {@code --output FILE}, and where the jars are. */
	static final class Options {

		int runs = 5;

		List<Cell> cells = Cell.all();

		Path output = Path.of("compatibility-figures.md");

		Path postgresJar;

		static Options parse(String[] args) throws IOException {
			Options options = new Options();
			Path compat = Path.of(System.getProperty(BootLine.HOME_PROPERTY, "compat"));
			options.postgresJar = compat.resolve("../samples/embedded-postgres/target/embedded-postgres-0.1.0-SNAPSHOT-exec.jar");
			for (String arg : args) {
				String value = arg.substring(arg.indexOf('=') + 1);
				if (arg.startsWith("--runs=")) {
					options.runs = Integer.parseInt(value);
				}
				else if (arg.startsWith("--cells=")) {
					options.cells = Cell.named(Arrays.asList(value.split(",")));
				}
				else if (arg.startsWith("--output=")) {
					options.output = Path.of(value);
				}
				else if (arg.startsWith("--jvm-options=")) {
					System.setProperty(ServiceProcess.EXTRA_JVM_OPTIONS_PROPERTY, value);
				}
				else if (arg.startsWith("--postgres-jar=")) {
					options.postgresJar = Path.of(value);
				}
				else {
					System.err.println("Unknown option '" + arg + "'. Options: --runs=N (default 5) --cells=ID,ID (default "
							+ "all: " + Cell.all().stream().map(Cell::id).toList() + ") --output=FILE (default "
							+ "compatibility-figures.md) --jvm-options='-XX:+UseG1GC ...' (added to every service's) --postgres-jar=JAR; "
							+ "run from the repository's root");
					System.exit(2);
				}
			}
			if (options.runs < 5) {
				System.err.println("--runs must be at least 5 (a median of fewer says little), not " + options.runs);
				System.exit(2);
			}
			if (!Files.isRegularFile(options.postgresJar)) {
				throw new IOException("No embedded-postgres jar at " + options.postgresJar + ": run from the repository's "
						+ "root after 'mvn -B -pl compat/harness -am package -DskipTests', or pass --postgres-jar=JAR");
			}
			System.setProperty(BootLine.HOME_PROPERTY, compat.toAbsolutePath().normalize().toString());
			if (System.getProperty(CseCommand.JAR_PROPERTY) == null) {
				System.setProperty(CseCommand.JAR_PROPERTY,
						compat.resolve("../cse-node/target/cse-exec.jar").toAbsolutePath().normalize().toString());
			}
			return options;
		}

	}

}
