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
 * The smallest scenario, {@code thaw-api}, with one measured run each way on the real
 * {@code samples/hello-web}: the benchmarks' path through a real agent on a socket of their
 * own, a real database, cgroups and zram works end to end. Skipped, with the reason,
 * where it cannot run (not root, no cgroup v1, no zram or swap, samples not built).
 */
@Timeout(120)
class ApiThawSmokeTests {

	@Test
	void oneRunOfTheApiThawGivesItsFigures() throws Exception {
		Path jar = Path.of(System.getProperty("cse.hello-web.jar", "missing"));
		Path postgresJar = Path.of(System.getProperty("cse.postgres.jar", "missing"));
		requireFreezingHost(jar, postgresJar);
		ApiThawBenchmark thaw = new ApiThawBenchmark();
		new CommandLine(thaw).parseArgs("--jar", jar.toString(), "--postgres-jar", postgresJar.toString(), "--requests",
				"5");
		thaw.runs = 1;
		ApiThawBenchmark.Result result;
		try (Workbench workbench = Workbench.open("cse-bench-smoke-", thaw.options, false)) {
			result = thaw.measure(workbench);
			assertThat(workbench.agent().started()).isEmpty();
		}
		assertThat(result.first200).singleElement().satisfies((millis) -> assertThat(millis).isPositive());
		assertThat(result.squeezedFirst200).hasSize(1);
		// the caller's view holds the agent's: the call's round trip, then its own GET
		assertThat(result.first200.get(0)).isGreaterThanOrEqualTo(result.call.get(0));
		assertThat(result.call.get(0)).isGreaterThanOrEqualTo(result.agent.get(0));
		assertThat(thaw.section(result).markdown()).contains("| API thaw to first 200");
	}

	private static void requireFreezingHost(Path jar, Path postgresJar) {
		List<String> missing = new ArrayList<>();
		if (!new LocalHost().isRoot()) {
			missing.add("root");
		}
		for (String hierarchy : List.of("freezer", "memory")) {
			if (!Files.exists(Path.of("/sys/fs/cgroup", hierarchy, "cgroup.procs"))) {
				missing.add("the cgroup v1 '" + hierarchy + "' hierarchy");
			}
		}
		if (!Files.exists(Path.of("/dev/zram0"))) {
			missing.add("a /dev/zram0 device");
		}
		for (Path file : List.of(jar, postgresJar)) {
			if (!Files.isRegularFile(file)) {
				missing.add(file + " (mvn -B -pl samples/hello-web,samples/embedded-postgres -am package -DskipTests)");
			}
		}
		String reason = "The smoke test of the benchmarks needs " + String.join(", ", missing);
		// in CI (CSE_REQUIRE_ROOT_TESTS=1) a missing prerequisite fails the test, never skips it
		assertThat(missing.isEmpty() || !"1".equals(System.getenv("CSE_REQUIRE_ROOT_TESTS"))).as(reason).isTrue();
		assumeTrue(missing.isEmpty(), reason);
	}

}
