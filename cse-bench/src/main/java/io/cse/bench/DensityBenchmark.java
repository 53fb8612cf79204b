package io.cse.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;

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

	private static final Path SELF_STATUS = Path.of("/proc/self/status");

	private static final int WARM_UP_INSTANCES = 2;

	private static final Path ZRAM_MM_STAT = Path.of("/sys/block/zram0/mm_stat");

	private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(2);

	private static final Duration SETTLE_POLL = Duration.ofMillis(100);

	@Mixin
	BenchOptions options = new BenchOptions();

	@Option(names = "--instances", description = "Services started, frozen and squeezed per run (default: "
			+ "${DEFAULT-VALUE}).", defaultValue = "10")
	int instances;

	@Option(names = "--runs", description = "Runs, each with --instances new services (default: ${DEFAULT-VALUE}).",
			defaultValue = "3")
	int runs;

	@Option(names = "--class-archive",
			description = "Run the services from their extracted jar with an archive of their classes (AppCDS) "
					+ "mapped where it was made, as docs/snapshots.md recommends for smaller images: the archive's "
					+ "pages are shared by every instance. Writes a section of its own.")
	boolean classArchive;

	@Spec
	CommandSpec spec;

	private Deployment deployment;

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
	 * stop them; --runs times, after a run of two that warms the agent up.
	 * @param workbench the database and the agent
	 * @return what was measured
	 */
	Result measure(Workbench workbench) throws Exception {
		this.deployment = SnapshotBenchmark.deployment(this.options, this.classArchive, workbench,
				SnapshotBenchmark.serviceArguments(workbench));
		// The first operations of the agent load its classes and grow its heap: not the instances'
		run(workbench, 0, WARM_UP_INSTANCES, new Result());
		Result result = new Result();
		for (int run = 1; run <= this.runs; run++) {
			run(workbench, run, this.instances, result);
		}
		return result;
	}

	private void run(Workbench workbench, int run, int instances, Result result) throws Exception {
		AgentSession agent = workbench.agent();
		List<String> names = new ArrayList<>();
		try {
			long ownBefore = settleOwnMemory();
			long before = memAvailable();
			for (int i = 1; i <= instances; i++) {
				String name = Workbench.name("density" + run + "-" + i);
				names.add(name);
				int port = Workbench.freePort();
				agent.run(name, port, workbench.serviceCommand(this.options, this.deployment, port),
						Duration.ofSeconds(300));
			}
			long ownRunning = settleOwnMemory();
			long running = memAvailable();
			for (String name : names) {
				agent.freeze(name, true);
			}
			long ownFrozen = settleOwnMemory();
			long frozen = memAvailable();
			long zram = zramMemoryUsed();
			agent.stop(names);
			names.clear();
			settleOwnMemory();
			long after = memAvailable();
			// What the harness itself took meanwhile is not the instances' memory
			long ownGrowth = ownFrozen - ownBefore;
			double perRunning = mebibytes(before - running - (ownRunning - ownBefore)) / instances;
			double perFrozen = mebibytes(before - frozen - ownGrowth) / instances;
			result.running.add(perRunning);
			result.frozen.add(perFrozen);
			result.perGib.add(1024 / perFrozen);
			result.zram.add(mebibytes(zram) / instances);
			result.ownGrowth.add(mebibytes(ownGrowth));
			result.drift.add(mebibytes(before - after));
			System.out.printf(Locale.ROOT, "density %s: %d instances, running %.0f MiB each, frozen and squeezed "
					+ "%.0f MiB each (%.1f per GiB), %.0f MiB of it in zram; the benchmark's own process grew by %.0f "
					+ "MiB (subtracted); MemAvailable %.0f MiB lower after they stopped than before%n",
					(run == 0) ? "warm-up" : run + "/" + this.runs, instances, perRunning, perFrozen, 1024 / perFrozen,
					mebibytes(zram) / instances, mebibytes(ownGrowth), mebibytes(before - after));
		}
		finally {
			agent.stopQuietly(names);
		}
	}

	/**
	 * Give this process's garbage back to the host before a reading. The agent runs in it
	 * (unless --agent-socket names another), and its heap, which has no limit of its own,
	 * grows with every call: without a collection that growth, hundreds of MiB in a run,
	 * counts as the instances' memory. G1 gives the memory back on a thread of its own
	 * after the collection, so this waits until its anonymous memory stops falling.
	 * @return this process's anonymous resident memory once settled, in bytes: what it
	 * takes from {@code MemAvailable} (its file pages are page cache, which counts as
	 * available)
	 */
	static long settleOwnMemory() throws IOException {
		System.gc();
		long resident = ownAnonymousMemory();
		long deadline = System.nanoTime() + SETTLE_TIMEOUT.toNanos();
		while (System.nanoTime() - deadline < 0) {
			LockSupport.parkNanos(SETTLE_POLL.toNanos());
			long now = ownAnonymousMemory();
			if (now >= resident) {
				return now;
			}
			resident = now;
		}
		return resident;
	}

	private static long ownAnonymousMemory() throws IOException {
		return anonymousMemory(Files.readAllLines(SELF_STATUS));
	}

	static long anonymousMemory(List<String> status) throws IOException {
		return kibibytes(status, "RssAnon", "/proc/self/status (a kernel older than 4.5?)");
	}

	/**
	 * What the zram device takes from the host: its compressed pages and its own
	 * bookkeeping ({@code mem_used_total}, the third field of {@code mm_stat}).
	 * @return it in bytes, or 0 without the device
	 */
	static long zramMemoryUsed() throws IOException {
		return Files.isRegularFile(ZRAM_MM_STAT) ? zramMemoryUsed(Files.readString(ZRAM_MM_STAT)) : 0;
	}

	static long zramMemoryUsed(String mmStat) throws IOException {
		String[] fields = mmStat.strip().split("\\s+");
		if (fields.length < 3) {
			throw new IOException("Unexpected " + ZRAM_MM_STAT + ": '" + mmStat.strip() + "'");
		}
		return Long.parseLong(fields[2]);
	}

	Section section(Result result) {
		Section section = this.classArchive
				? new Section("density-class-archive", "Density with the extracted jar and its class archive")
				: new Section("density", "Density: frozen, squeezed instances of samples/hello-web per GiB of host memory");
		section.source("`cse-bench density --instances " + this.instances + " --runs " + this.runs
				+ (this.classArchive ? " --class-archive" : "") + "`, Spring Boot "
				+ BenchmarkReport.springBootVersion(this.options.jar), BenchmarkReport.machine(this.options.java));
		section.paragraph("Each run reads `MemAvailable` from `/proc/meminfo`, starts " + this.instances
				+ " instances of the sample one after the other with `POST /instances` (`-Xmx256m`, cgroups of their own, one "
					+ "database), reads it again, freezes and squeezes each with `POST /instances/{name}/freeze` "
					+ "(`\"squeeze\": true`: its memory pushed into zram), reads it again, then stops them all and "
					+ "reads it a last time. The host memory an instance costs is the drop of `MemAvailable` from "
					+ "before the first start, divided by the count: what zram holds compressed and what stays "
					+ "resident count, shared pages (the JDK's libraries, the jar) count once, as the host pays them. "
					+ "Per-process resident memory would count the shared pages in every process and miss zram. "
					+ "The agent runs in the benchmark's own JVM, whose heap has no limit of its own: before each "
					+ "reading the benchmark collects its garbage and waits until its anonymous memory stops "
					+ "falling, subtracts what that memory grew by since the first reading (a row below says how "
					+ "much), and a first run of " + WARM_UP_INSTANCES + " instances, not counted, warms the agent up.");
		if (this.classArchive) {
			section.paragraph("Each instance runs from the sample's extracted jar with an archive of its classes, "
					+ "trained against the same database and mapped where it was made (`-XX:SharedArchiveFile`, "
					+ "`-XX:ArchiveRelocationMode=0`), as [the snapshots guide](snapshots.md) recommends for "
					+ "smaller images: the archive's pages are a file's, shared by every instance and kept once in "
					+ "the page cache, instead of metaspace that each instance pushes into zram.");
		}
		return section
			.mebibytes("host memory per running instance ((drop of MemAvailable - the harness's growth) / "
					+ this.instances + ")", result.running, "")
			.mebibytes("host memory per frozen, squeezed instance ((drop of MemAvailable - the harness's growth) / "
					+ this.instances + ")", result.frozen, "")
			.number("frozen, squeezed instances per GiB (1024 MiB / the row above)", result.perGib, ">= 20")
			.mebibytes("of which zram, compressed (its `mem_used_total` after the last squeeze / " + this.instances
					+ ")", result.zram, "")
			.mebibytes("the harness's growth: the benchmark's own anonymous memory (the agent in it), first reading to "
					+ "the frozen one", result.ownGrowth, "")
			.mebibytes("MemAvailable after the instances stopped, below its value before they started", result.drift,
					"")
			.note("The last row is the noise: other work on a shared machine (builds, tests) and the page cache "
					+ "the services' jars and libraries left behind move `MemAvailable` too. A drift that is large against "
					+ this.instances + " times the per-instance figure makes that run's figure unreliable.");
	}

	/**
	 * The host's {@code MemAvailable}.
	 * @return it, in bytes
	 */
	static long memAvailable() throws IOException {
		return memAvailable(Files.readAllLines(MEMINFO));
	}

	static long memAvailable(List<String> meminfo) throws IOException {
		return kibibytes(meminfo, "MemAvailable", "/proc/meminfo (a kernel older than 3.14?)");
	}

	/**
	 * A field of a {@code /proc} file that gives it in kB ({@code "MemAvailable:  20000 kB"}).
	 * @return it, in bytes
	 */
	private static long kibibytes(List<String> lines, String field, String source) throws IOException {
		for (String line : lines) {
			if (line.startsWith(field + ":")) {
				return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
			}
		}
		throw new IOException("No " + field + " in " + source);
	}

	private static double mebibytes(long bytes) {
		return bytes / 1048576.0;
	}

	static final class Result {

		final List<Double> running = new ArrayList<>();

		final List<Double> frozen = new ArrayList<>();

		final List<Double> perGib = new ArrayList<>();

		final List<Double> zram = new ArrayList<>();

		final List<Double> ownGrowth = new ArrayList<>();

		final List<Double> drift = new ArrayList<>();

	}

}
