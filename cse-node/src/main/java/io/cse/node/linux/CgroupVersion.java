package io.cse.node.linux;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import io.cse.node.CseException;

/**
 * Which cgroup hierarchy the node agent drives on a host. The one place that decides it:
 * {@link #detect(Host, Path)}.
 */
public enum CgroupVersion {

	/**
	 * A hierarchy per controller: a service gets a group in the {@code freezer} one and
	 * another in the {@code memory} one. Also what a hybrid host (v1 controllers, and an
	 * empty v2 hierarchy at {@code unified}) gets.
	 */
	V1,

	/**
	 * The unified hierarchy: a service gets one group, frozen with {@code cgroup.freeze}.
	 */
	V2;

	/**
	 * Find the hierarchy cse can use under a cgroup mount point. The v1 {@code freezer} and
	 * {@code memory} hierarchies win where they exist (a hybrid host has both kinds, and its
	 * v2 hierarchy holds no controller). Otherwise a {@code cgroup.controllers} file at the
	 * mount point means it is {@code cgroup2fs} (what {@code stat -f} would say: only the
	 * root of a v2 mount has that file there), and its {@code memory} controller must be
	 * available.
	 * @param host the host
	 * @param root where the hierarchies are mounted, {@code /sys/fs/cgroup} on a real host
	 * @return the version to drive
	 * @throws CseException if neither is usable, saying what is missing and how to mount it
	 */
	static CgroupVersion detect(Host host, Path root) {
		boolean freezer = host.exists(root.resolve("freezer").resolve("cgroup.procs"));
		boolean memory = host.exists(root.resolve("memory").resolve("cgroup.procs"));
		if (freezer && memory) {
			return V1;
		}
		Optional<String> controllers = host.readFile(root.resolve("cgroup.controllers"));
		if (controllers.isPresent() && !host.exists(root.resolve("freezer"))) {
			List<String> available = Arrays.asList(controllers.get().strip().split("\\s+"));
			if (available.contains("memory")) {
				return V2;
			}
			throw CseException.prerequisiteMissing("the unified cgroup v2 hierarchy at " + root + " has no 'memory' controller "
					+ "(cgroup.controllers: '" + controllers.get().strip() + "'): cse needs it to squeeze and to count "
					+ "a service's memory. It is missing when the kernel was booted with cgroup_disable=memory, when "
					+ "a cgroup v1 hierarchy holds it, or, in a container, when the host did not delegate it: "
					+ "give the agent the host's " + root + " (a privileged container with it mounted)");
		}
		List<String> missing = new ArrayList<>();
		missing.add(root + " is not a cgroup v2 mount (no " + root.resolve("cgroup.controllers") + ")");
		if (!freezer) {
			missing.add("no cgroup v1 'freezer' hierarchy at " + root.resolve("freezer"));
		}
		if (!memory) {
			missing.add("no cgroup v1 'memory' hierarchy at " + root.resolve("memory"));
		}
		if (host.exists(root.resolve("unified").resolve("cgroup.controllers"))) {
			missing.add("the cgroup v2 hierarchy of this hybrid host, at " + root.resolve("unified")
					+ ", holds no controllers");
		}
		throw CseException.prerequisiteMissing("no cgroup hierarchy cse can drive: " + String.join("; ", missing) + ". Mount the "
				+ "missing v1 hierarchy (for example 'mkdir -p " + root + "/freezer && mount -t cgroup -o freezer "
				+ "freezer " + root + "/freezer'), or boot with the unified hierarchy "
				+ "(systemd.unified_cgroup_hierarchy=1, Linux 5.2 or later)");
	}

}
