package io.cse.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The benchmarks' command lines: the options they share, what {@code cse-bench all} hands
 * down to each scenario, and the refusals of options that would give meaningless figures.
 * Nothing here starts a service or an agent: every refusal comes first.
 */
class BenchCommandLineTests {

	@TempDir
	Path folder;

	@ParameterizedTest
	@ValueSource(strings = { "all", "freeze", "snapshots", "burst", "thaw-api", "thaw-cli", "density", "aot-cache",
			"pool-take", "burst-pools", "jit-cost", "starter" })
	void everyBenchmarkTakesTheSharedOptions(String benchmark) {
		BenchRun run = BenchRun.of(benchmark, "--help");
		assertThat(run.exitCode()).as(run.toString()).isZero();
		assertThat(run.out()).startsWith("Usage: cse-bench " + benchmark)
			.contains("--jar=JAR", "--postgres-jar=JAR", "--java=PATH", "--agent-socket=SOCKET", "--output=FILE");
	}

	@Test
	void aloneItNamesTheBenchmarks() {
		BenchRun run = BenchRun.of();
		assertThat(run.exitCode()).isEqualTo(2);
		assertThat(run.err()).contains("Name a benchmark: 'all' for every scenario, or one of all, freeze, "
				+ "snapshots, burst, thaw-api, thaw-cli, density, aot-cache, pool-take, burst-pools, jit-cost, starter, order-service");
	}

	@Test
	void allHandsItsOptionsDownToEachScenario() throws Exception {
		AllBenchmarks all = new AllBenchmarks();
		Path cseJar = Files.createFile(this.folder.resolve("cse.jar"));
		Path aotJava = Files.createFile(this.folder.resolve("java"));
		aotJava.toFile().setExecutable(true);
		new CommandLine(all).parseArgs(built("--runs", "7", "--clone-runs", "2", "--clone-counts", "1,3",
				"--burst-runs", "4", "--frozen", "2", "--clones", "3", "--pool-size", "3", "--pool-burst-runs", "3",
				"--density-runs", "2", "--cse-jar", cseJar.toString(), "--aot-java", aotJava.toString(), "--output",
				"out/report.md"));
		AllBenchmarks.Scenarios scenarios = all.scenarios();
		assertThat(scenarios.freeze().runs).isEqualTo(7);
		assertThat(scenarios.snapshots().runs).isEqualTo(7);
		assertThat(scenarios.snapshots().cloneRuns).isEqualTo(2);
		assertThat(scenarios.snapshots().cloneCounts).containsExactly(1, 3);
		assertThat(scenarios.burst().runs).isEqualTo(4);
		assertThat(scenarios.burst().instances()).isEqualTo(6);
		// the scenarios 'all' did not run before, with fewer runs where they are slow
		assertThat(scenarios.thawApi().runs).isEqualTo(7);
		assertThat(scenarios.thawCli().runs).isEqualTo(7);
		assertThat(scenarios.thawCli().cseJar).isEqualTo(cseJar);
		assertThat(scenarios.poolTake().runs).isEqualTo(7);
		assertThat(scenarios.poolTake().size).isEqualTo(3);
		assertThat(scenarios.poolBurst().runs).isEqualTo(3);
		assertThat(scenarios.poolBurst().instances()).isEqualTo(4);
		assertThat(scenarios.jitCost().runs).isEqualTo(7);
		assertThat(scenarios.density().runs).isEqualTo(2);
		assertThat(scenarios.aotCache().runs).isEqualTo(7);
		assertThat(scenarios.aotCache().aotJava).isEqualTo(aotJava);
		assertThat(List.of(scenarios.freeze().options, scenarios.snapshots().options, scenarios.burst().options,
				scenarios.thawApi().options, scenarios.thawCli().options, scenarios.poolTake().options,
				scenarios.poolBurst().options, scenarios.jitCost().options, scenarios.density().options, scenarios.aotCache().options))
			.allSatisfy((options) -> {
				assertThat(options.jar).isEqualTo(this.folder.resolve("service.jar"));
				assertThat(options.postgresJar).isEqualTo(this.folder.resolve("postgres.jar"));
				assertThat(options.output).isEqualTo(Path.of("out/report.md"));
			});
		// the scenarios' own defaults for what 'all' does not set
		assertThat(scenarios.freeze().requests).isEqualTo(200);
		assertThat(scenarios.burst().load.highRate).isEqualTo(200);
		assertThat(all.chartFile()).isEqualTo(Path.of("out/benchmarks.svg").toAbsolutePath());
	}

	@Test
	void orderServiceTakesItsOwnOptions() {
		BenchRun run = BenchRun.of("order-service", "--help");
		assertThat(run.exitCode()).as(run.toString()).isZero();
		assertThat(run.out()).startsWith("Usage: cse-bench order-service")
			.contains("--jar=JAR", "--postgres-jar=JAR", "--kafka-classpath=FILE", "--java=PATH", "--output=FILE",
					"--cycles", "--warmup");
	}

	@Test
	void orderServiceRefusesTooFewCyclesBeforeStartingAnything() {
		BenchRun run = BenchRun.of("order-service", "--cycles", "3");
		assertThat(run.exitCode()).isEqualTo(2);
		assertThat(run.err()).contains("--cycles must be at least 10 for a meaningful median, not 3");
	}

	@Test
	void allRefusesTooFewRunsBeforeStartingAnything() throws Exception {
		BenchRun run = BenchRun.of(built("all", "--runs", "3"));
		assertThat(run.exitCode()).isEqualTo(2);
		assertThat(run.err()).contains("cse-bench all: --runs must be at least 5 for a meaningful median, not 3");
	}

	@Test
	void allRefusesCloneCountsOutOfRange() throws Exception {
		BenchRun run = BenchRun.of(built("all", "--clone-counts", "1,0"));
		assertThat(run.exitCode()).isEqualTo(2);
		assertThat(run.err()).contains("--clone-counts takes counts from 1 to 32");
	}

	@Test
	void burstRefusesNothingToScaleTo() throws Exception {
		BenchRun run = BenchRun.of(built("burst", "--frozen", "0", "--clones", "0"));
		assertThat(run.exitCode()).isEqualTo(2);
		assertThat(run.err()).contains("at least one of them must be 1 or more");
	}

	@Test
	void burstRefusesALoadThatDoesNotStepUp() throws Exception {
		BenchRun run = BenchRun.of(built("burst", "--idle-rate", "50", "--high-rate", "10"));
		assertThat(run.exitCode()).isEqualTo(2);
		assertThat(run.err()).contains("a burst needs 0 < --idle-rate < --high-rate, not 50.0 and 10.0");
	}

	@Test
	void burstRefusesABadDuration() {
		BenchRun run = BenchRun.of("burst", "--high", "soon");
		assertThat(run.exitCode()).isEqualTo(2);
		assertThat(run.err()).contains("'soon' is no duration");
	}

	@Test
	void aServiceThatIsNotBuiltIsNamedWithTheBuildThatMakesIt() {
		BenchRun run = BenchRun.of("all", "--jar", this.folder.resolve("missing.jar").toString());
		assertThat(run.exitCode()).isEqualTo(1);
		assertThat(run.err()).contains("No file at " + this.folder.resolve("missing.jar"),
				"build it with 'mvn -B package -DskipTests'");
	}

	@ParameterizedTest
	@ValueSource(strings = { "thaw-api", "thaw-cli", "aot-cache", "pool-take" })
	void theNewScenariosRefuseTooFewRunsBeforeStartingAnything(String benchmark) throws Exception {
		BenchRun run = BenchRun.of(built(benchmark, "--runs", "3"));
		assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
		assertThat(run.err()).contains("--runs must be at least 5 for a meaningful median, not 3");
	}

	@Test
	void burstPoolsRefusesTooFewBursts() throws Exception {
		BenchRun run = BenchRun.of(built("burst-pools", "--runs", "2"));
		assertThat(run.exitCode()).isEqualTo(2);
		assertThat(run.err()).contains("--runs must be at least 3 for a median, not 2");
	}

	@ParameterizedTest
	@ValueSource(strings = { "pool-take", "burst-pools" })
	void thePoolScenariosRefuseAPoolTheAgentWouldRefuse(String benchmark) throws Exception {
		BenchRun run = BenchRun.of(built(benchmark, "--size", "51"));
		assertThat(run.exitCode()).isEqualTo(2);
		assertThat(run.err()).contains("--size takes 1 to 50 clones, not 51");
	}

	@Test
	void burstPoolsRehearsesTheTemplateAtMostTenTimes() throws Exception {
		BenchRun run = BenchRun.of(built("burst-pools", "--rehearse", "11"));
		assertThat(run.exitCode()).isEqualTo(2);
		assertThat(run.err()).contains("--rehearse takes 0 to 10, not 11");
	}

	@Test
	void burstPoolsTemplateRunsC1OnlyUnlessToldOtherwise() throws Exception {
		PoolBurstBenchmark byDefault = new PoolBurstBenchmark();
		new CommandLine(byDefault).parseArgs();
		assertThat(byDefault.templateJvmOptions()).containsExactly("-XX:TieredStopAtLevel=1");
		PoolBurstBenchmark jvmDefault = new PoolBurstBenchmark();
		new CommandLine(jvmDefault).parseArgs("--template-jvm-options=");
		assertThat(jvmDefault.templateJvmOptions()).isEmpty();
		PoolBurstBenchmark two = new PoolBurstBenchmark();
		new CommandLine(two).parseArgs("--template-jvm-options=-XX:TieredStopAtLevel=1  -XX:+UseSerialGC");
		assertThat(two.templateJvmOptions()).containsExactly("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");
	}

	@Test
	void burstPoolsRefusesTemplateOptionsThatAreNotJvmOptions() throws Exception {
		BenchRun run = BenchRun.of(built("burst-pools", "--template-jvm-options=-Xss1m TieredStopAtLevel=1"));
		assertThat(run.exitCode()).isEqualTo(2);
		assertThat(run.err()).contains("--template-jvm-options takes JVM options, each starting with '-' "
				+ "(as -XX:TieredStopAtLevel=1), not 'TieredStopAtLevel=1'");
	}

	@Test
	void jitCostRefusesAWindowTooShortToCount() throws Exception {
		BenchRun run = BenchRun.of(built("jit-cost", "--window", "100ms"));
		assertThat(run.exitCode()).isEqualTo(2);
		assertThat(run.err()).contains("--window must be at least 500 ms, not 100 ms");
	}

	@Test
	void jitCostRefusesAWarmUpTooShortForTheCompilers() throws Exception {
		BenchRun run = BenchRun.of(built("jit-cost", "--warm-up", "0s"));
		assertThat(run.exitCode()).isEqualTo(2);
		assertThat(run.err()).contains("--warm-up must be at least 5 s, so that both instances are compiled before "
				+ "the windows, not 0 ms");
	}

	@Test
	void burstPoolsTakesTheBurstsLoadOptions() throws Exception {
		BenchRun run = BenchRun.of(built("burst-pools", "--idle-rate", "50", "--high-rate", "10"));
		assertThat(run.exitCode()).isEqualTo(2);
		assertThat(run.err()).contains("a burst needs 0 < --idle-rate < --high-rate, not 50.0 and 10.0");
	}

	@Test
	void densityRefusesASingleInstance() throws Exception {
		BenchRun run = BenchRun.of(built("density", "--instances", "1"));
		assertThat(run.exitCode()).isEqualTo(2);
		assertThat(run.err()).contains("--instances takes 2 to 50");
	}

	@Test
	void thawCliNamesTheBuildOfAMissingCseJar() throws Exception {
		BenchRun run = BenchRun.of(built("thaw-cli", "--cse-jar", this.folder.resolve("cse.jar").toString()));
		assertThat(run.exitCode()).isEqualTo(2);
		assertThat(run.err()).contains("No cse jar at " + this.folder.resolve("cse.jar"),
				"'mvn -B -pl cse-node -am package -DskipTests'");
	}

	@Test
	void aotCacheNamesAMissingJdk25() throws Exception {
		BenchRun run = BenchRun.of(built("aot-cache", "--aot-java", this.folder.resolve("java").toString()));
		assertThat(run.exitCode()).isEqualTo(2);
		assertThat(run.err()).contains("No java at " + this.folder.resolve("java"), "--aot-java");
	}

	@Test
	void theEntryPointIsTheBenchmarksOwnProgram() {
		BenchRun run = BenchRun.of("--help");
		assertThat(run.exitCode()).isZero();
		assertThat(run.out()).startsWith("Usage: cse-bench").contains("thaw-api", "thaw-cli", "density", "aot-cache",
				"Exit codes:");
	}

	/**
	 * The arguments, with a service and a database jar that exist (empty files: nothing
	 * here runs them).
	 */
	private String[] built(String... args) throws Exception {
		Path jar = Files.createFile(this.folder.resolve("service.jar"));
		Path postgres = Files.createFile(this.folder.resolve("postgres.jar"));
		List<String> all = new ArrayList<>(List.of(args));
		all.addAll(List.of("--jar", jar.toString(), "--postgres-jar", postgres.toString()));
		return all.toArray(String[]::new);
	}

}
