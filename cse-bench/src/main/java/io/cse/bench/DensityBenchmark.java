package io.cse.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code cse-bench density}: how many frozen, squeezed instances a host holds, from what
 * the host says it has left ({@code MemAvailable} in {@code /proc/meminfo}) rather than from
 * the processes' resident memory, which counts shared pages once per process and misses
 * what zram holds.
 */
@Command(name = "density", mixinStandardHelpOptions = true,
		description = { "Start --instances services through the agent's API, freeze and squeeze each, and report "
				+ "the host memory each frozen instance costs: the drop of MemAvailable (/proc/meminfo) from before "
				+ "the first start to after the last squeeze, divided by the count. Needs root, cgroup v1 and zram.",
				"Starts a real PostgreSQL in a process of its own for the services." })
final class DensityBenchmark implements Callable<Integer> {

	private static final Path MEMINFO = Path.of("/proc/meminfo");

	@Mixin
	BenchOptions options = new BenchOptions();

	@Option(names = "--instances", description = "Services started, frozen and squeezed per run (default: "
			+ "${DEFAULT-VALUE}).", defaultValue = "10")
	int instances;

	@Option(names = "--runs", description = "Runs, each with --instances new services (default: ${DEFAULT-VALUE}).",
			defaultValue = "3")
	int runs;

	@Spec
	CommandSpec spec;

	@Override
	public Integer call() throws Exception {
		validate();
		return Workbench.run("density", this.options, false, (workbench) -> section(measure(workbench)));
	}


	void validate() {
		if (this.instances < 2 || this.instances > 50) {
			throw new ParameterException(this.spec.commandLine(),
					"--instances takes 2 to 50 (one instance's cost is lost in the host's own noise), not "
							+ this.instances);
		}
		if (this.runs < 1) {
			throw new ParameterException(this.spec.commandLine(), "--runs must be at least 1, not " + this.runs);
		}
		this.options.requireBuilt();
	}

	/**
	 * Start, freeze and squeeze --instances services, read the host's memory at each step,
	 * stop them; --runs times.
	 * @param workbench the database and the agent
	 * @return what was measured
	 */
	Result measure(Workbench workbench) throws Exception {
		Result result = new Result();
		for (int run = 1; run <= this.runs; run++) {
			run(workbench, run, result);
		}
		return result;
	}

	private void run(Workbench workbench, int run, Result result) throws Exception {
		AgentSession agent = workbench.agent();
		List<String> names = new ArrayList<>();
		try {
			long before = memAvailable();
			for (int i = 1; i <= this.instances; i++) {
				String name = Workbench.name("density" + run + "-" + i);
				names.add(name);
				int port = Workbench.freePort();
				agent.run(name, port, workbench.serviceCommand(this.options, port), Duration.ofSeconds(300));
			}
			long running = memAvailable();
			for (String name : names) {
				agent.freeze(name, true);
			}
			long frozen = memAvailable();
			agent.stop(names);
			names.clear();
			long after = memAvailable();
			double perRunning = mebibytes(before - running) / this.instances;
			double perFrozen = mebibytes(before - frozen) / this.instances;
			result.running.add(perRunning);
			result.frozen.add(perFrozen);
			result.perGib.add(1024 / perFrozen);
			result.drift.add(mebibytes(before - after));
			System.out.printf(Locale.ROOT, "density %d/%d: %d instances, running %.0f MiB each, frozen and squeezed "
					+ "%.0f MiB each (%.1f per GiB); MemAvailable %.0f MiB lower after they stopped than before%n", run,
					this.runs, this.instances, perRunning, perFrozen, 1024 / perFrozen, mebibytes(before - after));
		}
		finally {
			agent.stopQuietly(names);
		}
	}

	Section section(Result result) {
		return new Section("density", "Density: frozen, squeezed instances of samples/hello-web per GiB of host memory")
			.source("`cse-bench density --instances " + this.instances + " --runs " + this.runs + "`, Spring Boot "
					+ BenchmarkReport.springBootVersion(this.options.jar), BenchmarkReport.machine(this.options.java))
			.paragraph("Each run reads `MemAvailable` from `/proc/meminfo`, starts " + this.instances + " instances "
					+ "of the sample one after the other with `POST /instances` (`-Xmx256m`, cgroups of their own, one "
					+ "database), reads it again, freezes and squeezes each with `POST /instances/{name}/freeze` "
					+ "(`\"squeeze\": true`: its memory pushed into zram), reads it again, then stops them all and "
					+ "reads it a last time. The host memory an instance costs is the drop of `MemAvailable` from "
					+ "before the first start, divided by the count: what zram holds compressed and what stays "
					+ "resident count, shared pages (the JDK's libraries, the jar) count once, as the host pays them. "
					+ "Per-process resident memory would count the shared pages in every process and miss zram.")
			.mebibytes("host memory per running instance (drop of MemAvailable / " + this.instances + ")",
					result.running, "")
			.mebibytes("host memory per frozen, squeezed instance (drop of MemAvailable / " + this.instances + ")",
					result.frozen, "")
			.number("frozen, squeezed instances per GiB (1024 MiB / the row above)", result.perGib, ">= 20")
			.mebibytes("MemAvailable after the instances stopped, below its value before they started", result.drift,
					"")
			.note("The last row is the noise: other work on a shared machine (builds, tests) moves `MemAvailable` "
					+ "too, and so does the page cache the services' jars and libraries left behind. A drift "
					+ "that is large against " + this.instances + " times the per-instance figure makes that run's "
					+ "figure unreliable.");
	}

	/**
	 * The host's {@code MemAvailable}.
	 * @return it, in bytes
	 */
	static long memAvailable() throws IOException {
		return memAvailable(Files.readAllLines(MEMINFO));
	}

	static long memAvailable(List<String> meminfo) throws IOException {
		for (String line : meminfo) {
			if (line.startsWith("MemAvailable:")) {
				return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
			}
		}
		throw new IOException("No MemAvailable in /proc/meminfo (a kernel older than 3.14?)");
	}

	private static double mebibytes(long bytes) {
		return bytes / 1048576.0;
	}

	static final class Result {

		final List<Double> running = new ArrayList<>();

		final List<Double> frozen = new ArrayList<>();

		final List<Double> perGib = new ArrayList<>();

		final List<Double> drift = new ArrayList<>();

	}

}
