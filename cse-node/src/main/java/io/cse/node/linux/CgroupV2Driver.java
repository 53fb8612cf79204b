package io.cse.node.linux;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import io.cse.node.CseException;

/**
 * cgroup v2: one group, {@code <root>/cse/<name>}, frozen with {@code cgroup.freeze}
 * (Linux 5.2 and later), its memory in {@code memory.current}.
 * <p>
 * The limit a squeeze lowers is {@code memory.high}, not {@code memory.max}: below what
 * the kernel can reclaim, a lower {@code memory.max} calls the OOM killer on the group
 * (and a frozen task dies of it), where v1 refused the limit with EBUSY. A lower
 * {@code memory.high} makes the kernel reclaim and then give up without killing; this
 * driver turns "still above it" into the refusal v1 gave, and puts the previous value
 * back. {@code memory.max} stays whatever the operator set.
 */
final class CgroupV2Driver implements CgroupDriver {

	private static final String MEMORY = "memory";

	private final Host host;

	private final Path group;

	CgroupV2Driver(Host host, Path group) {
		this.host = host;
		this.group = group;
	}

	@Override
	public CgroupVersion version() {
		return CgroupVersion.V2;
	}

	@Override
	public List<Path> groups() {
		return List.of(this.group);
	}

	@Override
	public Path freezer() {
		return this.group;
	}

	@Override
	public Path memory() {
		return this.group;
	}

	@Override
	public void create() {
		Path parent = this.group.getParent();
		// a group has the memory files only if its parent hands the controller down
		enableMemory(parent.getParent());
		this.host.createDirectory(parent);
		enableMemory(parent);
		this.host.createDirectory(this.group);
		if (!this.host.exists(this.group.resolve("cgroup.freeze"))) {
			throw CseException.prerequisiteMissing("cgroup " + this.group + " has no cgroup.freeze: this kernel has no cgroup v2 "
					+ "freezer (it came with Linux 5.2); upgrade the kernel, or boot with the cgroup v1 hierarchies "
					+ "(systemd.unified_cgroup_hierarchy=0)");
		}
	}

	private void enableMemory(Path dir) {
		Path control = dir.resolve("cgroup.subtree_control");
		List<String> enabled = words(this.host.readFile(control));
		if (!enabled.contains(MEMORY)) {
			this.host.writeFile(control, "+" + MEMORY);
		}
	}

	@Override
	public List<String> wrap(List<String> command) {
		List<String> wrapped = new ArrayList<>(List.of("sh", "-c",
				"echo $$ > \"$1/cgroup.procs\" && shift && exec \"$@\"", "cse-run", this.group.toString()));
		wrapped.addAll(command);
		return wrapped;
	}

	@Override
	public String state() {
		Optional<String> wanted = this.host.readFile(this.group.resolve("cgroup.freeze")).map(String::strip);
		Optional<String> events = this.host.readFile(this.group.resolve("cgroup.events"));
		if (wanted.isEmpty() || events.isEmpty()) {
			return "GONE";
		}
		boolean frozen = events.get().lines().map(String::strip).anyMatch("frozen 1"::equals);
		if ("1".equals(wanted.get())) {
			return frozen ? Cgroup.FROZEN : "FREEZING";
		}
		// v1 has no such state: its thaw is immediate; v2's is reported in cgroup.events
		return frozen ? "THAWING" : Cgroup.THAWED;
	}

	@Override
	public void requestFrozen(boolean frozen) {
		this.host.writeFile(this.group.resolve("cgroup.freeze"), frozen ? "1" : "0");
	}

	@Override
	public OptionalLong usage() {
		return Cgroup.number(this.host.readFile(this.group.resolve("memory.current")));
	}

	@Override
	public OptionalLong limit() {
		Optional<String> high = this.host.readFile(this.group.resolve("memory.high")).map(String::strip);
		if (high.isPresent() && high.get().equals("max")) {
			return OptionalLong.of(Cgroup.UNLIMITED);
		}
		return Cgroup.number(high);
	}

	@Override
	public void limit(long bytes) {
		Path high = this.group.resolve("memory.high");
		String previous = this.host.readFile(high).map(String::strip).orElse("max");
		// the write returns once the kernel has reclaimed what it could
		this.host.writeFile(high, (bytes == Cgroup.UNLIMITED) ? "max" : Long.toString(bytes));
		OptionalLong charged = usage();
		if (charged.isPresent() && charged.getAsLong() > bytes) {
			this.host.writeFile(high, previous);
			throw new CseException("could not get cgroup " + this.group + " under " + bytes + " bytes (" + high
					+ "): " + charged.getAsLong() + " bytes are still charged, which the kernel cannot reclaim; the "
					+ "limit stays " + previous);
		}
	}

	@Override
	public Path procs() {
		return this.group.resolve("cgroup.procs");
	}

	@Override
	public boolean remove() {
		boolean gone = this.host.removeDirectory(this.group);
		// a parent that still holds another service's group stays: rmdir refuses it; the
		// controllers enabled on the way down stay enabled, others may rely on them
		this.host.removeDirectory(this.group.getParent());
		return gone;
	}

	private static List<String> words(Optional<String> text) {
		return text.map((value) -> Arrays.asList(value.strip().split("\\s+"))).orElse(List.of());
	}

	@Override
	public String toString() {
		return this.group.toString();
	}

}
