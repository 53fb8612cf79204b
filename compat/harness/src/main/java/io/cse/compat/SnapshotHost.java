package io.cse.compat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What dumps, restores and clones need of this machine: root, CRIU 4.2 where the project's
 * script installs it, the tools {@code cse clone} uses, and a cgroup hierarchy for
 * {@code cse run}.
 */
public final class SnapshotHost {

	/** Where scripts/install-criu.sh installs CRIU. */
	public static final Path CRIU = Path.of("/opt/cse/criu/bin/criu");

	private SnapshotHost() {
	}

	/**
	 * Return what this machine lacks to take and restore snapshots, each with what to do.
	 * @return nothing when it has all it needs
	 */
	public static List<String> missing() {
		List<String> missing = new ArrayList<>();
		if (!"root".equals(System.getProperty("user.name"))) {
			missing.add("root (run the suite as root)");
		}
		if (!Files.isExecutable(CRIU)) {
			missing.add(CRIU + " (install it with scripts/install-criu.sh)");
		}
		for (String tool : List.of("ip", "unshare", "setsid")) {
			if (!onPath(tool)) {
				missing.add(tool + " (iproute2, util-linux)");
			}
		}
		boolean v1 = Files.exists(Path.of("/sys/fs/cgroup/freezer/cgroup.procs"));
		boolean v2 = Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers"));
		if (!v1 && !v2) {
			missing.add("a cgroup hierarchy for 'cse run' (v1 freezer and memory, or v2)");
		}
		return missing;
	}

	private static boolean onPath(String tool) {
		for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
			if (Files.isExecutable(Path.of(dir, tool))) {
				return true;
			}
		}
		return false;
	}

}
