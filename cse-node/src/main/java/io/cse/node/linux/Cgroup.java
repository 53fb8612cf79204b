package io.cse.node.linux;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;

import io.cse.node.CseException;

/**
 * The cgroup v1 groups of one service: {@code freezer/cse/<name>} and
 * {@code memory/cse/<name>} under {@code /sys/fs/cgroup}. The service must be started
 * inside them: cgroup v1 does not move memory that is already charged when a process
 * changes group.
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
	 * {@code freezer.state} of a frozen group.
	 */
	public static final String FROZEN = "FROZEN";

	/**
	 * {@code freezer.state} of a running group.
	 */
	public static final String THAWED = "THAWED";

	private static final long POLL_MILLIS = 2;

	private final Host host;

	private final Path freezer;

	private final Path memory;

	public Cgroup(Host host, Path freezer, Path memory) {
		this.host = host;
		this.freezer = freezer;
		this.memory = memory;
	}

	/**
	 * The groups of a service.
	 * @param host the host
	 * @param name the service's instance name
	 * @return its groups (not created yet)
	 */
	public static Cgroup of(Host host, String name) {
		return new Cgroup(host, ROOT.resolve("freezer").resolve(PARENT).resolve(name),
				ROOT.resolve("memory").resolve(PARENT).resolve(name));
	}

	/**
	 * Check that the host has the cgroup v1 {@code freezer} and {@code memory} hierarchies.
	 * @param host the host
	 * @throws CseException if it has not, saying what it has instead
	 */
	public static void requireV1(Host host) {
		boolean freezer = host.exists(ROOT.resolve("freezer/cgroup.procs"));
		boolean memory = host.exists(ROOT.resolve("memory/cgroup.procs"));
		if (freezer && memory) {
			return;
		}
		if (host.exists(ROOT.resolve("cgroup.controllers"))) {
			throw new CseException("this host has the unified cgroup v2 hierarchy at " + ROOT + ", which cse does not "
					+ "drive yet (it needs the cgroup v1 'freezer' and 'memory' controllers): boot with "
					+ "systemd.unified_cgroup_hierarchy=0, or mount them under " + ROOT + "/freezer and " + ROOT
					+ "/memory");
		}
		throw new CseException("no cgroup v1 " + (freezer ? "" : "'freezer' ") + (!freezer && !memory ? "and " : "")
				+ (memory ? "" : "'memory' ") + "hierarchy under " + ROOT + ": mount it, for example with 'mkdir -p "
				+ ROOT + "/freezer && mount -t cgroup -o freezer freezer " + ROOT + "/freezer'");
	}

	public Path freezer() {
		return this.freezer;
	}

	public Path memory() {
		return this.memory;
	}

	/**
	 * Create both groups.
	 * @throws CseException if one exists already (another service's, or a crash's leftover)
	 * or cannot be created; nothing is left then
	 */
	public void create() {
		for (Path group : List.of(this.freezer, this.memory)) {
			if (this.host.exists(group)) {
				throw new CseException("cgroup " + group + " exists already, but no instance of this state folder "
						+ "has it: if no process is in it ('cat " + group + "/cgroup.procs'), remove it with 'rmdir "
						+ group + "'; or choose another --name");
			}
		}
		try {
			this.host.createDirectory(this.freezer.getParent());
			this.host.createDirectory(this.freezer);
			this.host.createDirectory(this.memory.getParent());
			this.host.createDirectory(this.memory);
		}
		catch (RuntimeException ex) {
			remove();
			throw ex;
		}
	}

	/**
	 * A shell command line that moves itself into both groups and then runs the command:
	 * the service is in its groups before it allocates anything.
	 * @param command the service's command
	 * @return {@code sh -c '...' cse-run <freezer> <memory> <command...>}
	 */
	public List<String> wrap(List<String> command) {
		List<String> wrapped = new java.util.ArrayList<>(List.of("sh", "-c",
				"echo $$ > \"$1/cgroup.procs\" && echo $$ > \"$2/cgroup.procs\" && shift 2 && exec \"$@\"", "cse-run",
				this.freezer.toString(), this.memory.toString()));
		wrapped.addAll(command);
		return wrapped;
	}

	/**
	 * The freezer's state.
	 * @return {@value #FROZEN}, {@value #THAWED}, {@code FREEZING}, or {@code GONE} if the
	 * group does not exist
	 */
	public String state() {
		return this.host.readFile(this.freezer.resolve("freezer.state")).map(String::strip).orElse("GONE");
	}

	/**
	 * Freeze every process of the group and wait until the kernel says they are.
	 * @param timeout how long the kernel may take
	 * @throws CseException if the group is not frozen in time; it is thawed again then
	 */
	public void freeze(Duration timeout) {
		this.host.writeFile(this.freezer.resolve("freezer.state"), FROZEN);
		if (!await(FROZEN, timeout)) {
			String state = state();
			this.host.writeFile(this.freezer.resolve("freezer.state"), THAWED);
			throw new CseException("cgroup " + this.freezer + " did not freeze within " + timeout.toMillis()
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
		this.host.writeFile(this.freezer.resolve("freezer.state"), THAWED);
		if (!await(THAWED, timeout)) {
			throw new CseException("cgroup " + this.freezer + " did not thaw within " + timeout.toMillis()
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
	 * The memory charged to the group ({@code memory.usage_in_bytes}).
	 * @return bytes, or empty if the group is gone
	 */
	public OptionalLong usage() {
		return number("memory.usage_in_bytes");
	}

	/**
	 * The group's memory limit ({@code memory.limit_in_bytes}).
	 * @return bytes, or empty if the group is gone
	 */
	public OptionalLong limit() {
		return number("memory.limit_in_bytes");
	}

	/**
	 * Set the group's memory limit. A limit below the charged memory makes the kernel
	 * reclaim (swap out) the difference first.
	 * @param bytes the limit
	 * @throws CseException if the kernel cannot get the group under it ("Device or resource
	 * busy")
	 */
	public void limit(long bytes) {
		this.host.writeFile(this.memory.resolve("memory.limit_in_bytes"), Long.toString(bytes));
	}

	/**
	 * The processes in the freezer group.
	 * @return their pids
	 */
	public List<Long> pids() {
		return this.host.readFile(this.freezer.resolve("cgroup.procs"))
			.map((text) -> text.lines().map(String::strip).filter((line) -> !line.isEmpty()).map(Long::valueOf).toList())
			.orElse(List.of());
	}

	/**
	 * Whether either group exists.
	 * @return whether one does
	 */
	public boolean exists() {
		return this.host.exists(this.freezer) || this.host.exists(this.memory);
	}

	/**
	 * Remove both groups, and their {@value #PARENT} parents once no other service's group
	 * is in them.
	 * @return whether both groups are gone
	 */
	public boolean remove() {
		boolean gone = this.host.removeDirectory(this.freezer);
		gone &= this.host.removeDirectory(this.memory);
		// a parent that still holds another service's group stays: rmdir refuses it
		this.host.removeDirectory(this.freezer.getParent());
		this.host.removeDirectory(this.memory.getParent());
		return gone;
	}

	private OptionalLong number(String file) {
		return this.host.readFile(this.memory.resolve(file))
			.map(String::strip)
			.filter((text) -> text.matches("\\d+"))
			.map((text) -> OptionalLong.of(Long.parseLong(text)))
			.orElse(OptionalLong.empty());
	}

	@Override
	public String toString() {
		return this.freezer + " and " + this.memory;
	}

}
