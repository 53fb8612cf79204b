package io.cse.bench;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import io.cse.node.image.Image;
import io.cse.node.instance.Snapshot;
import io.cse.node.instance.Started;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code cse-bench snapshots}: cold start against restore of a dump, image size against
 * the running service's memory, and a fan-out of clones.
 */
@Command(name = "snapshots", mixinStandardHelpOptions = true,
		description = { "Compare the cold start of a service with the restore of its dump, its image with its "
				+ "resident memory, and time 'cse clone --count N' for each of --clone-counts. Needs root and CRIU 4.2.",
				"Starts a real PostgreSQL in a process of its own, reachable from the clones through a bridge of the "
						+ "benchmark's own (" + Workbench.BRIDGE + ", " + Workbench.SUBNET + ")." })
final class SnapshotBenchmark implements Callable<Integer> {

	private static final List<String> JVM_OPTIONS = List.of("-XX:-UsePerfData", "-Xmx256m");

	@Mixin
	BenchOptions options = new BenchOptions();

	@Option(names = "--runs", description = "Cold starts, dumps and restores measured (default: ${DEFAULT-VALUE}).",
			defaultValue = "5")
	int runs;

	@Option(names = "--clone-runs", description = "Fan-outs measured for each count (default: ${DEFAULT-VALUE}).",
			defaultValue = "3")
	int cloneRuns;

	@Option(names = "--clone-counts", split = ",", paramLabel = "N,N...",
			description = "How many clones each fan-out makes, one count after the other (default: ${DEFAULT-VALUE}).",
			defaultValue = "1,2,4,8")
	List<Integer> cloneCounts;

	@Option(names = "--requests", description = "Requests sent before each dump, as a running service gets them "
			+ "(default: ${DEFAULT-VALUE}).", defaultValue = "500")
	int requests;

	@Option(names = "--class-archive",
			description = "Run the service from its extracted jar with an archive of its classes (AppCDS) mapped "
					+ "where it was made, cold starts included: smaller images and faster restores (see "
					+ "docs/snapshots.md). Writes a section of its own.")
	boolean classArchive;

	@Spec
	CommandSpec spec;

	private Deployment deployment;

	private final BenchHttp http = new BenchHttp();

	@Override
	public Integer call() throws Exception {
		validate();
		try (Workbench workbench = Workbench.open("cse-bench-snapshots-", this.options, true)) {
			Result result = measure(workbench);
			BenchmarkReport.write(this.options.output, this.classArchive ? "snapshots-class-archive" : "snapshots",
					markdown(result));
			System.out.println("Wrote " + this.options.output + " (service logs in " + workbench.work() + ")");
		}
		return 0;
	}

	/**
	 * Refuse options that would make the figures meaningless, and services not built.
	 */
	void validate() {
		BenchOptions.requireRuns(this.spec, this.runs);
		if (this.cloneRuns < 1) {
			throw new ParameterException(this.spec.commandLine(), "--clone-runs must be at least 1, not "
					+ this.cloneRuns);
		}
		if (this.cloneCounts.isEmpty() || this.cloneCounts.stream().anyMatch((count) -> count < 1 || count > 32)) {
			throw new ParameterException(this.spec.commandLine(),
					"--clone-counts takes counts from 1 to 32 (the bridge's subnet has room for more, the machine "
							+ "rarely does), not " + this.cloneCounts);
		}
		this.options.requireBuilt();
	}

	/**
	 * Cold starts, dumps and restores, then fan-outs of a clone template; the template
	 * stays in the work folder for other scenarios.
	 * @param workbench the database, bridge and agent to work with (it must have a bridge)
	 * @return what was measured
	 */
	Result measure(Workbench workbench) throws Exception {
		List<String> arguments = serviceArguments(workbench);
		this.deployment = deployment(this.options, this.classArchive, workbench, arguments);
		Result result = new Result();
		// One more run than measured: the first pays for loading the agent's own classes.
		for (int i = 0; i <= this.runs; i++) {
			dumpAndRestore(workbench, i, arguments, (i == 0) ? new Result() : result);
		}
		result.template = makeTemplate(this.options, this.deployment, workbench, arguments, this.requests);
		fanOut(workbench, result);
		return result;
	}

	/**
	 * How the service runs: as built, or extracted with a class archive trained against the
	 * benchmark's database.
	 */
	static Deployment deployment(BenchOptions options, boolean classArchive, Workbench workbench,
			List<String> arguments) throws Exception {
		if (!classArchive) {
			return Deployment.plain(options.jar);
		}
		System.out.println("class archive: extracting the jar and training its archive");
		return Deployment.prepare(options.java, options.jar, workbench.work().resolve("deployment"), JVM_OPTIONS,
				arguments, workbench.work().resolve("deployment.log"));
	}

	static List<String> serviceArguments(Workbench workbench) {
		List<String> arguments = new ArrayList<>(List.of("--spring.datasource.url=" + workbench.jdbcUrl()));
		arguments.addAll(templateArguments(workbench));
		return arguments;
	}

	/**
	 * What the service needs beside its database to be a template: a heartbeat every 100 ms
	 * (its scheduler and a database connection are at work when the snapshot comes), and
	 * the images folder it writes to.
	 */
	private static List<String> templateArguments(Workbench workbench) {
		return List.of("--hello.heartbeat-interval=100ms", "--cse.images.root=" + workbench.work().resolve("images"));
	}

	private void dumpAndRestore(Workbench workbench, int run, List<String> arguments, Result result) throws Exception {
		String image = "dump-" + run;
		Path work = workbench.work();
		AgentSession agent = workbench.agent();
		ServiceProcess service = workbench.started(ServiceProcess.start(this.options.java,
				jvmOptions(this.deployment), this.deployment.classpathOrJar(), arguments, work.resolve(image + ".log")));
		try {
			result.coldStart.add(service.awaitFirst200("/", Duration.ofMinutes(3)));
			exercise(this.http, service, this.requests);
			result.resident.add((double) resident(service.pid()));
			HttpResponse<String> dump = this.http.post(service.uri("/actuator/cse/dump"), "{\"image\": \"" + image + "\"}");
			if (dump.statusCode() != 202) {
				throw new IOException("dump answered " + dump.statusCode() + ": " + dump.body());
			}
			Path manifest = work.resolve("images").resolve(image).resolve(Image.MANIFEST);
			awaitFile(manifest, Duration.ofMinutes(2));
			awaitExit(service.pid(), Duration.ofMinutes(1));
			result.image.add((double) Image.open(manifest.getParent()).bytes());
			String name = Workbench.name("restore" + run);
			AgentSession.Timed<Started> restore = agent.restore(manifest.getParent(), name, Duration.ofSeconds(120));
			result.restoreCommand.add(restore.millis());
			result.restore.add(restore.answer().first200Millis());
			result.criuRestore.add(restore.answer().restoreMillis());
			this.http.get(service.uri("/"));
			agent.stop(List.of(name));
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

	/**
	 * Start the service, warm it up, and have it write a clone template; then stop it (an
	 * image is all its clones need).
	 * @param options the service and the JDK
	 * @param deployment how the service runs
	 * @param workbench where the image goes
	 * @param arguments the service's arguments
	 * @param requests how many requests warm it up first
	 * @return the template's folder
	 */
	static Path makeTemplate(BenchOptions options, Deployment deployment, Workbench workbench, List<String> arguments,
			int requests) throws Exception {
		return makeTemplate(options, deployment, List.of(), workbench, arguments, requests);
	}

	/**
	 * Start the service with JVM options of its own, warm it up, and have it write a clone
	 * template; then stop it.
	 * @param options the service and the JDK
	 * @param deployment how the service runs
	 * @param templateJvmOptions JVM options added to the benchmarks' own, which every clone
	 * of the template inherits
	 * @param workbench where the image goes
	 * @param arguments the service's arguments
	 * @param requests how many requests warm it up first
	 * @return the template's folder
	 */
	static Path makeTemplate(BenchOptions options, Deployment deployment, List<String> templateJvmOptions,
			Workbench workbench, List<String> arguments, int requests) throws Exception {
		System.out.println("template: starting the service, warming it up, writing a clone template");
		BenchHttp http = new BenchHttp();
		List<String> jvmOptions = new ArrayList<>(jvmOptions(deployment));
		jvmOptions.addAll(templateJvmOptions);
		try (ServiceProcess service = workbench.started(ServiceProcess.start(options.java, jvmOptions,
				deployment.classpathOrJar(), arguments, workbench.work().resolve("template.log")))) {
			service.awaitFirst200("/", Duration.ofMinutes(3));
			exercise(http, service, requests);
			HttpResponse<String> clone = http.post(service.uri("/actuator/cse/clone"), "{\"image\": \"template\"}");
			if (clone.statusCode() != 202) {
				throw new IOException("clone answered " + clone.statusCode() + ": " + clone.body());
			}
			Path template = workbench.work().resolve("images").resolve("template");
			awaitFile(template.resolve(Image.MANIFEST), Duration.ofMinutes(2));
			return template;
		}
	}

	/**
	 * Make a clone template as a platform would for a pool: the agent runs the service, the
	 * requests warm it up, and the agent freezes and thaws it {@code rehearse} times (each
	 * thaw followed by requests to {@code /}) before it asks for the image.
	 * @param options the service's jar and the JDK
	 * @param workbench the database and agent
	 * @param templateJvmOptions JVM options added to the benchmarks' own, which every clone
	 * of the template inherits
	 * @param requests the {@code POST /visits} sent first
	 * @param rehearse the agent's freezes and thaws before the image
	 * @return the template's folder
	 */
	static Path makeRehearsedTemplate(BenchOptions options, Workbench workbench, List<String> templateJvmOptions,
			int requests, int rehearse) throws Exception {
		System.out.println("template: the agent runs the service, it is warmed up, rehearsed " + rehearse
				+ " times, and writes a clone template");
		AgentSession agent = workbench.agent();
		String name = Workbench.name("template");
		int port = Workbench.freePort();
		List<String> command = workbench.serviceCommand(options, Deployment.plain(options.jar), templateJvmOptions,
				port);
		command.addAll(templateArguments(workbench));
		try {
			Started started = agent.run(name, port, command, Duration.ofMinutes(3)).answer();
			BenchHttp http = new BenchHttp();
			for (int i = 0; i < requests; i++) {
				http.post(AgentSession.base(started.instance()).resolve("/visits"), null);
			}
			// Not "template": in 'cse-bench all' that image, made by the snapshots benchmark, is
			// in the same images folder already, and a service refuses a name in use.
			Snapshot snapshot = agent.template(name, "pool-template", rehearse, Duration.ofMinutes(3)).answer();
			System.out.printf(Locale.ROOT, "template: rehearsed %d times in %.0f ms, image complete %.0f ms later%n",
					snapshot.rehearsals(), snapshot.rehearsalMillis(), snapshot.millis());
			return Path.of(snapshot.folder());
		}
		finally {
			agent.stopQuietly(List.of(name));
		}
	}

	private void fanOut(Workbench workbench, Result result) throws IOException {
		AgentSession agent = workbench.agent();
		for (int i = 0; i < this.cloneRuns; i++) {
			for (int count : this.cloneCounts) {
				String prefix = Workbench.name("fan" + i + "x" + count);
				AgentSession.Timed<List<Started>> clones = agent.clone(result.template, count, prefix, Workbench.BRIDGE,
						Duration.ofSeconds(120));
				// the agent's clock: from its start until the last clone answered
				double millis = clones.answer().stream().mapToDouble(Started::first200Millis).max().orElseThrow();
				result.fanOut.computeIfAbsent(count, (key) -> new ArrayList<>()).add(millis);
				result.fanOutCall.computeIfAbsent(count, (key) -> new ArrayList<>()).add(clones.millis());
				agent.stop(clones.answer().stream().map((clone) -> clone.instance().name()).toList());
				System.out.printf(Locale.ROOT, "fan-out %d/%d: %d clone%s after %.0f ms%n", i + 1,
						this.cloneRuns, count, (count == 1) ? " answers" : "s answer", millis);
			}
		}
	}

	private static List<String> jvmOptions(Deployment deployment) {
		List<String> options = new ArrayList<>(JVM_OPTIONS);
		options.addAll(deployment.jvmOptions());
		return options;
	}

	static void exercise(BenchHttp http, ServiceProcess service, int requests) throws IOException {
		for (int i = 0; i < requests; i++) {
			http.post(service.uri("/visits"), null);
		}
	}

	String markdown(Result result) {
		Stats cold = Stats.of(result.coldStart);
		Stats restore = Stats.of(result.restore);
		List<Double> ratios = new ArrayList<>();
		for (int i = 0; i < result.image.size(); i++) {
			ratios.add(100 * result.image.get(i) / result.resident.get(i));
		}
		Stats ratio = Stats.of(ratios);
		StringBuilder out = new StringBuilder();
		if (this.classArchive) {
			out.append("## Snapshots of samples/hello-web from its extracted jar with a class archive\n\n");
			out.append("`cse-bench snapshots --class-archive --runs ").append(this.runs)
				.append(" --clone-counts ").append(counts()).append("`, Spring Boot ")
				.append(BenchmarkReport.springBootVersion(this.options.jar)).append(", CRIU engine.\n");
		}
		else {
			out.append("## Snapshots of samples/hello-web: dump, restore, clone\n\n");
			out.append("`scripts/bench-snapshots.sh` (that is `cse-bench snapshots --runs ").append(this.runs)
				.append(" --clone-counts ").append(counts()).append("`, or `cse-bench all`), Spring Boot ")
				.append(BenchmarkReport.springBootVersion(this.options.jar)).append(", CRIU engine.\n");
		}
		out.append("Machine: ").append(BenchmarkReport.machine(this.options.java)).append(".\n\n");
		if (this.classArchive) {
			out.append("The same runs as in the section above, with the sample deployed the way its images come out "
					+ "smallest (see [snapshots](snapshots.md#smaller-images-an-extracted-jar-with-a-class-archive)): "
					+ "extracted with `-Djarmode=tools extract`, with an archive of its classes made by a training run "
					+ "against the same database, and `-XX:ArchiveRelocationMode=0`; the cold starts use it too. ");
		}
		out.append("Each run starts the sample from scratch (`").append(this.deployment.commandLine(JVM_OPTIONS))
			.append("`), sends it ")
			.append(this.requests).append(" requests that write through its pool, reads its resident memory, dumps it ")
			.append("through `POST /actuator/cse/dump` and restores the image with `cse restore`, timed as the command ")
			.append("itself reports it, from its start to the first 200 (the agent records the instance and reads its ")
			.append("identity after that: the whole command is in a row of its own); a first, unmeasured run warms ")
			.append("the agent up. The fan-outs ")
			.append("restore a clone template of the warmed-up sample into N network and PID namespaces with `cse ")
			.append("clone --count N` (all restores at once), timed as the command reports it, from its start until ")
			.append("all N answer 200; ")
			.append(this.cloneRuns).append(" fan-outs for each N, then every clone is stopped.\n\n");
		out.append("| measure | median | p99 | min | max | n | target |\n|---|---|---|---|---|---|---|\n");
		out.append(cold.row("cold start: process start to first 200", "")).append('\n');
		out.append(restore.row("restore (`POST /restores`): the agent's start to first 200", "")).append('\n');
		out.append(Stats.of(result.criuRestore).row("of which `criu restore` to first 200", "")).append('\n');
		out.append(Stats.of(result.restoreCommand)
			.row("`POST /restores` round trip, with the agent's bookkeeping after the first 200", ""))
			.append('\n');
		result.fanOut.forEach((count, millis) -> out.append(Stats.of(millis)
			.row("clone fan-out (`POST /clones`, count " + count + "): the agent's start until " + ((count == 1)
					? "it answers" : "all " + count + " answer"), fanOutTarget(count)))
			.append('\n'));
		result.fanOutCall.forEach((count, millis) -> out.append(Stats.of(millis)
			.row("`POST /clones` round trip, count " + count, ""))
			.append('\n'));
		out.append(ratio.percentRow("image / resident memory of the running service", "<= 60 %")).append('\n');
		out.append(String.format(Locale.ROOT, "%nRestore is **%.0fx** faster than a cold start (medians; target: at "
				+ "least 40x). Median image %d MB for a median resident memory of %d MB before the dump.%n",
				cold.median() / restore.median(), Math.round(Stats.of(result.image).median() / 1e6),
				Math.round(Stats.of(result.resident).median() / 1e6)));
		return out.toString();
	}

	private static String fanOutTarget(int count) {
		return switch (count) {
			case 4 -> "<= 1500 ms";
			case 8 -> "<= 2000 ms";
			default -> "";
		};
	}

	private String counts() {
		return String.join(",", this.cloneCounts.stream().map(String::valueOf).toList());
	}

	static long resident(long pid) throws IOException {
		for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
			if (line.startsWith("VmRSS:")) {
				return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
			}
		}
		throw new IOException("No VmRSS for process " + pid);
	}

	static void awaitFile(Path file, Duration timeout) throws IOException, InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (!Files.exists(file)) {
			if (System.nanoTime() > deadline) {
				throw new IOException(file + " did not appear within " + timeout.toSeconds() + " s");
			}
			TimeUnit.MILLISECONDS.sleep(10);
		}
	}

	static void awaitExit(long pid, Duration timeout) throws IOException, InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
			if (System.nanoTime() > deadline) {
				throw new IOException("process " + pid + " did not stop after its dump");
			}
			TimeUnit.MILLISECONDS.sleep(10);
		}
	}

	static final class Result {

		/** The clone template the fan-outs used. */
		Path template;

		final List<Double> coldStart = new ArrayList<>();

		final List<Double> resident = new ArrayList<>();

		final List<Double> image = new ArrayList<>();

		final List<Double> restore = new ArrayList<>();

		final List<Double> criuRestore = new ArrayList<>();

		/** {@code POST /restores} round trips: the restore, then the agent's bookkeeping after the first 200. */
		final List<Double> restoreCommand = new ArrayList<>();

		/** Fan-out times by clone count, in the order the counts were given: the agent's, until all answer. */
		final Map<Integer, List<Double>> fanOut = new LinkedHashMap<>();

		/** The same fan-outs' {@code POST /clones} round trips, as the caller timed them. */
		final Map<Integer, List<Double>> fanOutCall = new LinkedHashMap<>();

	}

}
