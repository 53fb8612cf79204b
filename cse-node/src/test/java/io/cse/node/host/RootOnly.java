package io.cse.node.host;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.cse.node.linux.LocalHost;

import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The gate of the tests that change this machine: they need root, CRIU 4.2 at
 * {@code /opt/cse/criu/bin/criu}, python3, ip and unshare. Without them the tests are
 * skipped, unless {@code CSE_REQUIRE_ROOT_TESTS=1}: then they fail, so that a CI machine
 * that should run them cannot silently skip them.
 */
public final class RootOnly {

	public static final Path CRIU = Path.of("/opt/cse/criu/bin/criu");

	private RootOnly() {
	}

	public static void require() {
		List<String> missing = new ArrayList<>();
		if (!new LocalHost().isRoot()) {
			missing.add("root (run the tests as root)");
		}
		if (!Files.isExecutable(CRIU)) {
			missing.add(CRIU + " (install it with scripts/install-criu.sh)");
		}
		if (python().isEmpty()) {
			missing.add("python3");
		}
		for (String tool : List.of("ip", "unshare", "setsid")) {
			if (new LocalHost().findExecutable(tool).isEmpty()) {
				missing.add(tool);
			}
		}
		if (new LocalHost().findExecutable("nft").isEmpty()) {
			missing.add("nft (install it with scripts/install-nftables.sh)");
		}
		gate(missing);
	}

	/**
	 * The gate of the freezing tests: root, the cgroup v1 {@code freezer} and {@code memory}
	 * hierarchies, and swap to squeeze into (active, or a {@code zram0} device to set up).
	 */
	public static void requireFreezing() {
		List<String> missing = new ArrayList<>();
		if (!new LocalHost().isRoot()) {
			missing.add("root (run the tests as root)");
		}
		for (String hierarchy : List.of("freezer", "memory")) {
			if (!Files.exists(Path.of("/sys/fs/cgroup", hierarchy, "cgroup.procs"))) {
				missing.add("the cgroup v1 '" + hierarchy + "' hierarchy at /sys/fs/cgroup/" + hierarchy);
			}
		}
		if (!Files.exists(Path.of("/dev/zram0")) && !hasActiveSwap()) {
			missing.add("a /dev/zram0 device or active swap");
		}
		gate(missing);
	}

	/**
	 * The JDKs the end-to-end snapshot tests run their service on: the tests' own, and
	 * Temurin 25 ({@code CSE_JDK25}).
	 */
	static List<String> snapshotJdks() {
		return List.of(System.getProperty("java.home"),
				System.getenv().getOrDefault("CSE_JDK25", "/usr/lib/jvm/temurin-25-jdk-amd64"));
	}

	/**
	 * The {@code java} command of a JDK the test needs, through the same gate: skipped
	 * without it, or failed under {@code CSE_REQUIRE_ROOT_TESTS=1}.
	 */
	public static Path java(String javaHome) {
		Path java = Path.of(javaHome, "bin", "java");
		if (!Files.isExecutable(java)) {
			gate(List.of("a JDK at " + javaHome + " (set CSE_JDK25)"));
		}
		return java;
	}

	private static boolean hasActiveSwap() {
		try {
			return Files.readAllLines(Path.of("/proc/swaps")).size() > 1;
		}
		catch (java.io.IOException ex) {
			return false;
		}
	}

	private static void gate(List<String> missing) {
		if (missing.isEmpty()) {
			return;
		}
		String reason = "tests on the real host need " + String.join(", ", missing);
		if ("1".equals(System.getenv("CSE_REQUIRE_ROOT_TESTS"))) {
			fail(reason + "; CSE_REQUIRE_ROOT_TESTS=1 makes this a failure, not a skip");
		}
		assumeTrue(false, reason + " (set CSE_REQUIRE_ROOT_TESTS=1 to fail instead of skipping)");
	}

	static String python() {
		// the system's python, not a pyenv shim: the dumped process must be python itself
		if (Files.isExecutable(Path.of("/usr/bin/python3"))) {
			return "/usr/bin/python3";
		}
		return new LocalHost().findExecutable("python3").map(Path::toString).orElse("");
	}

}
