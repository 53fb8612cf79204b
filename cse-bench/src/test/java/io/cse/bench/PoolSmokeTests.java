package io.cse.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.cse.node.linux.LocalHost;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code pool-take} with one measured take from a pool of one clone, each way, on the real
 * {@code samples/hello-web}: a template, a pool the agent fills, a take, the refill waited
 * for through the API. Skipped, with the reason, where it cannot run (not root, no cgroup
 * v1, no CRIU, no zram, samples not built). {@code -Dcse.bench.burstPoolsSmoke=true} also
 * runs one burst of {@code burst-pools} with a pool of 7 (about two minutes more).
 */
class PoolSmokeTests {

	@Test
	@Timeout(120)
	void oneTakeFromEachPoolGivesItsFigures() throws Exception {
		PoolTakeBenchmark pools = new PoolTakeBenchmark();
		new CommandLine(pools).parseArgs(args("--size", "1", "--requests", "20"));
		requireCloningHost(pools.options);
		pools.runs = 1;
		PoolTakeBenchmark.Result result;
		try (Workbench workbench = Workbench.open("cse-bench-smoke-", pools.options, true)) {
			Path template = SnapshotBenchmark.makeTemplate(pools.options, Deployment.plain(pools.options.jar), workbench,
					SnapshotBenchmark.serviceArguments(workbench), 20);
			result = pools.measure(workbench, template);
			assertThat(workbench.agent().started()).as("taken clones stopped").isEmpty();
		}
		for (PoolTakeBenchmark.Takes takes : List.of(result.plain, result.squeezed)) {
			assertThat(takes.first200).singleElement().satisfies((millis) -> assertThat(millis).isPositive());
			// the caller's view holds the agent's: the take's round trip, then its own GET
			assertThat(takes.first200.get(0)).isGreaterThanOrEqualTo(takes.call.get(0));
			assertThat(takes.call.get(0)).isGreaterThanOrEqualTo(takes.agent.get(0));
			assertThat(takes.agent.get(0)).isGreaterThanOrEqualTo(takes.agentFirst200.get(0));
		}
		System.out.println(pools.section(result).markdown());
	}

	@Test
	@Timeout(300)
	void oneBurstWithAPoolGivesItsFigures() throws Exception {
		assumeTrue(Boolean.getBoolean("cse.bench.burstPoolsSmoke"), "one burst with a pool of 7 takes about two "
				+ "minutes: run it with -Dcse.bench.burstPoolsSmoke=true");
		PoolBurstBenchmark burst = new PoolBurstBenchmark();
		new CommandLine(burst).parseArgs(args("--idle", "2s", "--high", "5s"));
		requireCloningHost(burst.options);
		burst.runs = 1;
		PoolBurstBenchmark.Result result;
		try (Workbench workbench = Workbench.open("cse-bench-smoke-", burst.options, true)) {
			Path template = SnapshotBenchmark.makeTemplate(burst.options, Deployment.plain(burst.options.jar),
					workbench, SnapshotBenchmark.serviceArguments(workbench), 20);
			result = burst.measure(workbench, template);
			assertThat(workbench.agent().started()).isEmpty();
		}
		assertThat(result.allServe).singleElement().satisfies((millis) -> assertThat(millis).isPositive());
		assertThat(result.ownFirst200).hasSize(7);
		assertThat(result.load.sent).singleElement().isEqualTo(1010.0);
		System.out.println(burst.section(result).markdown());
	}

	private static String[] args(String... own) {
		List<String> args = new ArrayList<>(List.of("--jar", System.getProperty("cse.hello-web.jar", "missing"),
				"--postgres-jar", System.getProperty("cse.postgres.jar", "missing")));
		args.addAll(List.of(own));
		return args.toArray(String[]::new);
	}

	private static void requireCloningHost(BenchOptions options) {
		List<String> missing = new ArrayList<>();
		if (!new LocalHost().isRoot()) {
			missing.add("root");
		}
		for (String hierarchy : List.of("freezer", "memory")) {
			if (!Files.exists(Path.of("/sys/fs/cgroup", hierarchy, "cgroup.procs"))) {
				missing.add("the cgroup v1 '" + hierarchy + "' hierarchy");
			}
		}
		if (!Files.isExecutable(Path.of("/opt/cse/criu/bin/criu")) && !onPath("criu")) {
			missing.add("CRIU (/opt/cse/criu/bin/criu or criu on the PATH)");
		}
		if (!Files.exists(Path.of("/dev/zram0"))) {
			missing.add("a /dev/zram0 device");
		}
		for (Path file : List.of(options.jar, options.postgresJar)) {
			if (!Files.isRegularFile(file)) {
				missing.add(file + " (mvn -B -pl samples/hello-web,samples/embedded-postgres -am package -DskipTests)");
			}
		}
		String reason = "The pools' smoke test needs " + String.join(", ", missing);
		// in CI (CSE_REQUIRE_ROOT_TESTS=1) a missing prerequisite fails the test, never skips it
		assertThat(missing.isEmpty() || !"1".equals(System.getenv("CSE_REQUIRE_ROOT_TESTS"))).as(reason).isTrue();
		assumeTrue(missing.isEmpty(), reason);
	}

	private static boolean onPath(String command) {
		for (String folder : System.getenv().getOrDefault("PATH", "").split(":")) {
			if (!folder.isEmpty() && Files.isExecutable(Path.of(folder, command))) {
				return true;
			}
		}
		return false;
	}

}
