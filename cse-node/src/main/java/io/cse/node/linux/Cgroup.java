package io.cse.node.linux;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import io.cse.node.CseException;

/**
 * The cgroups of one service, on either cgroup version (see {@link CgroupVersion}).
 * <p>
 * On cgroup v1, a group in each of the {@code freezer} and {@code memory} hierarchies:
 * {@code /sys/fs/cgroup/freezer/cse/<name>} and {@code /sys/fs/cgroup/memory/cse/<name>}.
 * On cgroup v2, one group {@code /sys/fs/cgroup/cse/<name>}, which is then both
 * {@link #freezer()} and {@link #memory()}. Either way the service is started inside its
 * groups: cgroup v1 does not move memory that is already charged when a process changes
 * group, and v2 does not either.
 */
public final class Cgroup {

	/**
	 * Where the hierarchies are mounted.
	 */
	public static final Path ROOT = Path.of("/sys/fs/cgroup");

	/**
	 * The parent group of every service's group, in each hierarchy.
	 */
	public static final String PARENT = "cse";

	/**
	 * {@link #state()} of a frozen group ({@code freezer.state} on v1).
	 */
	public static final String FROZEN = "FROZEN";

	/**
	 * {@link #state()} of a running group ({@code freezer.state} on v1).
	 */
	public static final String THAWED = "THAWED";

	/**
	 * {@link #limit()} of a group without a limit on cgroup v2 ({@code max}); given to
	 * {@link #limit(long)}, it lifts the limit there. (cgroup v1 reports its own largest
	 * number.)
	 */
	public static final long UNLIMITED = Long.MAX_VALUE;

	private static final long POLL_MILLIS = 2;

	private final Host host;

	private final CgroupDriver driver;

	/**
	 * The groups a service was started in, as {@link #freezer()} and {@link #memory()}
	 * named them: the same folder twice is a cgroup v2 group.
	 * @param host the host
	 * @param freezer the group that is frozen
	 * @param memory the group that holds the memory
	 */
	public Cgroup(Host host, Path freezer, Path memory) {
		this(host, freezer.equals(memory) ? new CgroupV2Driver(host, freezer)
				: new CgroupV1Driver(host, freezer, memory));
	}

	private Cgroup(Host host, CgroupDriver driver) {
		this.host = host;
		this.driver = driver;
	}

	/**
	 * The groups of a service, in the hierarchy this host has.
	 * @param host the host
	 * @param name the service's instance name
	 * @return its groups (not created yet)
	 * @throws CseException if the host has no cgroup hierarchy cse can drive
	 */
	public static Cgroup of(Host host, String name) {
		return of(host, ROOT, name);
	}

	static Cgroup of(Host host, Path root, String name) {
		return switch (CgroupVersion.detect(host, root)) {
			case V1 -> new Cgroup(host, new CgroupV1Driver(host, root.resolve("freezer").resolve(PARENT).resolve(name),
					root.resolve("memory").resolve(PARENT).resolve(name)));
			case V2 -> new Cgroup(host, new CgroupV2Driver(host, root.resolve(PARENT).resolve(name)));
		};
	}

	/**
	 * Check that the host has a cgroup hierarchy cse can drive: the v1 {@code freezer} and
	 * {@code memory} hierarchies, or the unified v2 one with its {@code memory} controller.
	 * @param host the host
	 * @return the version that {@link #of(Host, String)} uses there
	 * @throws CseException if it has neither, saying what is missing
	 */
	public static CgroupVersion requireUsable(Host host) {
		return CgroupVersion.detect(host, ROOT);
	}

	/**
	 * The cgroup version of these groups.
	 * @return {@code V1} or {@code V2}
	 */
	public CgroupVersion version() {
		return this.driver.version();
	}

	/**
	 * The group that is frozen.
	 * @return its folder
	 */
	public Path freezer() {
		return this.driver.freezer();
	}

	/**
	 * The group that holds the memory (on cgroup v2 the same as {@link #freezer()}).
	 * @return its folder
	 */
	public Path memory() {
		return this.driver.memory();
	}

	/**
	 * Create the groups, and on cgroup v2 enable the {@code memory} controller on the way
	 * down.
	 * @throws CseException if one exists already (another service's, or a crash's leftover)
	 * or cannot be created; no group is left then
	 */
	public void create() {
		requireAbsent();
		try {
			this.driver.create();
		}
		catch (RuntimeException ex) {
			remove();
			throw ex;
		}
	}

	/**
	 * Check that none of the groups exists yet.
	 * @throws CseException if one exists (another service's, or a crash's leftover)
	 */
	public void requireAbsent() {
		for (Path group : this.driver.groups()) {
			if (this.host.exists(group)) {
				throw CseException.refused("cgroup " + group + " exists already, but no instance of this state folder "
						+ "has it: if no process is in it ('cat " + group + "/cgroup.procs'), remove it with 'rmdir "
						+ group + "'; or choose another --name");
			}
		}
	}

	/**
	 * A shell command line that moves itself into the groups and then runs the command:
	 * the service is in its groups before it allocates anything.
	 * @param command the service's command
	 * @return {@code sh -c '...' cse-run <group...> <command...>}
	 */
	public List<String> wrap(List<String> command) {
		return this.driver.wrap(command);
	}

	/**
	 * The freezer's state.
	 * @return {@value #FROZEN}, {@value #THAWED}, {@code FREEZING} (or on v2
	 * {@code THAWING}), or {@code GONE} if the group does not exist
	 */
	public String state() {
		return this.driver.state();
	}

	/**
	 * Freeze every process of the group and wait until the kernel says they are.
	 * @param timeout how long the kernel may take
	 * @throws CseException if the group is not frozen in time; it is thawed again then
	 */
	public void freeze(Duration timeout) {
		this.driver.requestFrozen(true);
		if (!await(FROZEN, timeout)) {
			String state = state();
			this.driver.requestFrozen(false);
			throw CseException.timedOut("cgroup " + freezer() + " did not freeze within " + timeout.toMillis()
					+ " ms (state " + state + "; a task in uninterruptible sleep can hold it up): thawed it again, "
					+ "retry the freeze later");
		}
	}

	/**
	 * Thaw every process of the group and wait until the kernel says they run.
	 * @param timeout how long the kernel may take
	 * @throws CseException if the group does not thaw in time
	 */
	public void thaw(Duration timeout) {
		this.driver.requestFrozen(false);
		if (!await(THAWED, timeout)) {
			throw CseException.timedOut("cgroup " + freezer() + " did not thaw within " + timeout.toMillis()
					+ " ms (state " + state() + "): retry 'cse thaw'");
		}
	}

	private boolean await(String wanted, Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (!wanted.equals(state())) {
			if (System.nanoTime() - deadline > 0) {
				return false;
			}
			try {
				Thread.sleep(POLL_MILLIS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return false;
			}
		}
		return true;
	}

	/**
	 * The memory charged to the group ({@code memory.usage_in_bytes} on v1,
	 * {@code memory.current} on v2).
	 * @return bytes, or empty if the group is gone
	 */
	public OptionalLong usage() {
		return this.driver.usage();
	}

	/**
	 * The group's memory limit ({@code memory.limit_in_bytes} on v1, {@code memory.high} on
	 * v2, where {@code max} is {@link #UNLIMITED}).
	 * @return bytes, or empty if the group is gone
	 */
	public OptionalLong limit() {
		return this.driver.limit();
	}

	/**
	 * Set the group's memory limit. A limit below the charged memory makes the kernel
	 * reclaim (swap out) the difference first.
	 * @param bytes the limit
	 * @throws CseException if the kernel cannot get the group under it (v1 refuses it with
	 * "Device or resource busy"; on v2 the previous limit is put back)
	 */
	public void limit(long bytes) {
		this.driver.limit(bytes);
	}

	/**
	 * The processes in the group that is frozen.
	 * @return their pids
	 */
	public List<Long> pids() {
		return this.host.readFile(this.driver.procs())
			.map((text) -> text.lines().map(String::strip).filter((line) -> !line.isEmpty()).map(Long::valueOf).toList())
			.orElse(List.of());
	}

	/**
	 * Whether any of the groups exists.
	 * @return whether one does
	 */
	public boolean exists() {
		return this.driver.groups().stream().anyMatch(this.host::exists);
	}

	/**
	 * Remove the groups, and their {@value #PARENT} parents once no other service's group
	 * is in them.
	 * @return whether the groups are gone
	 */
	public boolean remove() {
		return this.driver.remove();
	}

	static OptionalLong number(Optional<String> text) {
		return text.map(String::strip)
			.filter((value) -> value.matches("\\d+"))
			.map((value) -> OptionalLong.of(Long.parseLong(value)))
			.orElse(OptionalLong.empty());
	}

	@Override
	public String toString() {
		return this.driver.toString();
	}

}
