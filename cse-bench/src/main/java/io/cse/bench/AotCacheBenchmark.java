package io.cse.bench;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import io.cse.node.image.Image;
import io.cse.node.instance.Started;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code cse-bench aot-cache}: the peer a user would pick instead of snapshots, the JDK's
 * own AOT cache (JDK 25: a training run with {@code -XX:AOTCacheOutput}, then runs with
 * {@code -XX:AOTCache}), against a plain cold start on the same JDK and against a restore of
 * a snapshot of the service running with that cache.
 */
@Command(name = "aot-cache", mixinStandardHelpOptions = true,
		description = { "On JDK 25 (--aot-java): cold starts of the service as built, cold starts from its extracted "
				+ "jar with an AOT cache made by a training run (-XX:AOTCacheOutput, then -XX:AOTCache), and restores "
				+ "(POST /restores on the agent's API) of a dump of the service running with that cache, with the "
				+ "image's size. Needs root and CRIU 4.2.",
				"Starts a real PostgreSQL in a process of its own for the service." })
final class AotCacheBenchmark implements Callable<Integer> {

	private static final List<String> JVM_OPTIONS = List.of("-XX:-UsePerfData", "-Xmx256m");

	@Mixin
	BenchOptions options = new BenchOptions();

	@Option(names = "--aot-java", paramLabel = "PATH",
			description = "A JDK 25's java, which runs the service here (default: ${DEFAULT-VALUE}).",
			defaultValue = "/usr/lib/jvm/temurin-25-jdk-amd64/bin/java")
	Path aotJava;

	@Option(names = "--runs", description = "Cold starts each way and restores measured (default: ${DEFAULT-VALUE}).",
			defaultValue = "7")
	int runs;

	@Option(names = "--requests", description = "Requests sent before each dump (default: ${DEFAULT-VALUE}).",
			defaultValue = "500")
	int requests;

	@Option(names = "--archive-at-fixed-address",
			description = "Train and run with -XX:ArchiveRelocationMode=0, so that the cache is mapped where it was "
					+ "made and its read-only pages stay clean file pages, which CRIU leaves out of the image. Writes a "
					+ "section of its own.")
	boolean fixedAddress;

	@Spec
	CommandSpec spec;

	private final BenchHttp http = new BenchHttp();

	Deployment deployment;

	@Override
	public Integer call() throws Exception {
		validate();
		return Workbench.run("aot-cache", this.options, false, (workbench) -> section(measure(workbench)));
	}


	void validate() {
		BenchOptions.requireRuns(this.spec, this.runs);
		this.options.requireBuilt();
		if (!Files.isExecutable(this.aotJava)) {
			throw new ParameterException(this.spec.commandLine(), "No java at " + this.aotJava + ": pass a JDK 25's "
					+ "bin/java with --aot-java (see 'ls /usr/lib/jvm')");
		}
	}

	/**
	 * Train the cache, then cold-start the service each way, dump it and restore it, each
	 * run (and one more first, unmeasured).
	 * @param workbench the database and the agent
	 * @return what was measured
	 */
	Result measure(Workbench workbench) throws Exception {
		List<String> arguments = SnapshotBenchmark.serviceArguments(workbench);
		System.out.println("aot-cache: extracting the jar and training its AOT cache on " + this.aotJava);
		this.deployment = Deployment.prepareAotCache(this.aotJava, this.options.jar,
				workbench.work().resolve("aot-deployment"), JVM_OPTIONS, this.fixedAddress, arguments,
				workbench.work().resolve("aot-training.log"));
		Result result = new Result();
		result.cacheBytes = Files.size(this.deployment.archive());
		for (int run = 0; run <= this.runs; run++) {
			measureOnce(workbench, arguments, run, (run == 0) ? new Result() : result);
		}
		return result;
	}

	private void measureOnce(Workbench workbench, List<String> arguments, int run, Result result) throws Exception {
		Path work = workbench.work();
		try (ServiceProcess plain = workbench.started(ServiceProcess.start(this.aotJava, JVM_OPTIONS,
				List.of("-jar", this.options.jar.toString()), arguments, work.resolve("plain-" + run + ".log")))) {
			result.plainStart.add(plain.awaitFirst200("/", Duration.ofMinutes(3)));
		}
		String image = "aot-" + run;
		List<String> jvmOptions = new ArrayList<>(JVM_OPTIONS);
		jvmOptions.addAll(this.deployment.jvmOptions());
		ServiceProcess service = workbench.started(ServiceProcess.start(this.aotJava, jvmOptions,
				this.deployment.classpathOrJar(), arguments, work.resolve(image + ".log")));
		try {
			result.cachedStart.add(service.awaitFirst200("/", Duration.ofMinutes(3)));
			SnapshotBenchmark.exercise(this.http, service, this.requests);
			result.resident.add((double) SnapshotBenchmark.resident(service.pid()));
			HttpResponse<String> dump = this.http.post(service.uri("/actuator/cse/dump"),
					"{\"image\": \"" + image + "\"}");
			if (dump.statusCode() != 202) {
				throw new IOException("dump answered " + dump.statusCode() + ": " + dump.body());
			}
			Path folder = workbench.images().resolve(image);
			SnapshotBenchmark.awaitFile(folder.resolve(Image.MANIFEST), Duration.ofMinutes(2));
			SnapshotBenchmark.awaitExit(service.pid(), Duration.ofMinutes(1));
			result.image.add((double) Image.open(folder).bytes());
			String name = Workbench.name("aot-restore" + run);
			AgentSession.Timed<Started> restore = workbench.agent().restore(folder, name, Duration.ofSeconds(120));
			result.restore.add(restore.answer().first200Millis());
			result.restoreCall.add(restore.millis());
			workbench.agent().stop(List.of(name));
			System.out.printf(Locale.ROOT, "aot-cache %d/%d: cold start %.0f ms, with the cache %.0f ms, restore %.0f ms, "
					+ "image %d MB of %d MB resident%n", run, this.runs, last(result.plainStart),
					last(result.cachedStart), last(result.restore), Math.round(last(result.image) / 1e6),
					Math.round(last(result.resident) / 1e6));
		}
		finally {
			service.close();
		}
	}

	Section section(Result result) {
		String java = BenchmarkReport.machine(this.aotJava);
		List<Double> ratios = new ArrayList<>();
		for (int i = 0; i < result.image.size(); i++) {
			ratios.add(100 * result.image.get(i) / result.resident.get(i));
		}
		Section section = new Section(this.fixedAddress ? "aot-cache-fixed-address" : "aot-cache",
				"The JDK's own AOT cache (JDK 25) against a snapshot of samples/hello-web"
						+ (this.fixedAddress ? ", the cache mapped where it was made" : ""))
			.source("`cse-bench aot-cache --runs " + this.runs + (this.fixedAddress ? " --archive-at-fixed-address" : "")
					+ "`, Spring Boot " + BenchmarkReport.springBootVersion(this.options.jar) + ", CRIU engine", java)
			.paragraph("What a user would pick instead of snapshots: the service's jar extracted "
					+ "(`-Djarmode=tools extract`) and an AOT cache made by a training run that stops once the "
					+ "application context is refreshed (`-XX:AOTCacheOutput=application.aot`, "
					+ String.format(Locale.ROOT, "%.0f MB", result.cacheBytes / 1e6) + "), then `"
					+ this.deployment.commandLine(JVM_OPTIONS) + "`. Each run cold-starts the jar as built on the same "
					+ "JDK (`java -XX:-UsePerfData -Xmx256m -jar`), then the service with its cache, both timed from "
					+ "the process start to the first 200 on `/`; sends the second one " + this.requests
					+ " requests, reads its resident memory, dumps it (`POST /actuator/cse/dump`) and restores the "
					+ "image with `POST /restores` on the agent's API, timed by the agent from its start to the "
					+ "first 200 (`first200Millis`). A first, unmeasured run warms everything up.")
			.millis("cold start on JDK 25, the jar as built: process start to first 200", result.plainStart, "")
			.millis("cold start on JDK 25 with the AOT cache: process start to first 200", result.cachedStart, "")
			.millis("restore of a snapshot taken on JDK 25 with the cache: the agent's start to first 200",
					result.restore, "")
			.millis("`POST /restores` round trip", result.restoreCall, "")
			.mebibytes("image", mib(result.image), "")
			.mebibytes("resident memory of the running service, before the dump", mib(result.resident), "")
			.percent("image / resident memory", ratios, "<= 60 %");
		section.note(String.format(Locale.ROOT, "The restore is **%.0fx** faster than a cold start with the AOT cache, "
				+ "which is %.1fx faster than one without (medians).", Stats.of(result.cachedStart).median()
						/ Stats.of(result.restore).median(),
				Stats.of(result.plainStart).median() / Stats.of(result.cachedStart).median()));
		section.note("Why the cache shrinks the image little against a snapshot of the jar as built: CRIU copies "
				+ "every page a process wrote to, and leaves out only clean pages of files it can map again on "
				+ "restore. By default the JVM maps the cache at a random address (`ArchiveRelocationMode=1`) and "
				+ "relocates its pointers, which writes to nearly every page of it: the cache's pages become "
				+ "private, dirty copies, dumped like the metaspace they replace. What would keep them out: mapping "
				+ "the cache where it was made (`-XX:+UnlockDiagnosticVMOptions -XX:ArchiveRelocationMode=0`, in "
				+ "the training run and the runs; `--archive-at-fixed-address` measures it, in a section of its "
				+ "own), which leaves the read-only part clean and shared with the file; clones of one image share "
				+ "every address anyway, so a fixed one costs them nothing. The read-write part (class state the JVM "
				+ "updates as it runs) and the archived heap objects, which are copied into the Java heap, are "
				+ "written in any case and stay in the image.");
		return section;
	}

	private static List<Double> mib(List<Double> bytes) {
		return bytes.stream().map((value) -> value / 1048576).toList();
	}

	private static double last(List<Double> values) {
		return values.get(values.size() - 1);
	}

	static final class Result {

		long cacheBytes;

		final List<Double> plainStart = new ArrayList<>();

		final List<Double> cachedStart = new ArrayList<>();

		final List<Double> restore = new ArrayList<>();

		final List<Double> restoreCall = new ArrayList<>();

		final List<Double> image = new ArrayList<>();

		final List<Double> resident = new ArrayList<>();

	}

}
