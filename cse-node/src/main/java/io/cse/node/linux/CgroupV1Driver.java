package io.cse.node.linux;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * cgroup v1: a group in the {@code freezer} hierarchy and one in the {@code memory}
 * hierarchy. The service must be started inside them: cgroup v1 does not move memory that
 * is already charged when a process changes group.
 */
final class CgroupV1Driver implements CgroupDriver {

	private final Host host;

	private final Path freezer;

	private final Path memory;

	CgroupV1Driver(Host host, Path freezer, Path memory) {
		this.host = host;
		this.freezer = freezer;
		this.memory = memory;
	}

	@Override
	public CgroupVersion version() {
		return CgroupVersion.V1;
	}

	@Override
	public List<Path> groups() {
		return List.of(this.freezer, this.memory);
	}

	@Override
	public Path freezer() {
		return this.freezer;
	}

	@Override
	public Path memory() {
		return this.memory;
	}

	@Override
	public void create() {
		this.host.createDirectory(this.freezer.getParent());
		this.host.createDirectory(this.freezer);
		this.host.createDirectory(this.memory.getParent());
		this.host.createDirectory(this.memory);
	}

	@Override
	public List<String> wrap(List<String> command) {
		List<String> wrapped = new ArrayList<>(List.of("sh", "-c",
				"echo $$ > \"$1/cgroup.procs\" && echo $$ > \"$2/cgroup.procs\" && shift 2 && exec \"$@\"", "cse-run",
				this.freezer.toString(), this.memory.toString()));
		wrapped.addAll(command);
		return wrapped;
	}

	@Override
	public String state() {
		return this.host.readFile(this.freezer.resolve("freezer.state")).map(String::strip).orElse("GONE");
	}

	@Override
	public void requestFrozen(boolean frozen) {
		this.host.writeFile(this.freezer.resolve("freezer.state"), frozen ? Cgroup.FROZEN : Cgroup.THAWED);
	}

	@Override
	public OptionalLong usage() {
		return number("memory.usage_in_bytes");
	}

	@Override
	public OptionalLong limit() {
		return number("memory.limit_in_bytes");
	}

	@Override
	public void limit(long bytes) {
		// the kernel reclaims down to the new limit first, and refuses it with EBUSY if it cannot
		this.host.writeFile(this.memory.resolve("memory.limit_in_bytes"), Long.toString(bytes));
	}

	@Override
	public Path procs() {
		return this.freezer.resolve("cgroup.procs");
	}

	@Override
	public boolean remove() {
		boolean gone = this.host.removeDirectory(this.freezer);
		gone &= this.host.removeDirectory(this.memory);
		// a parent that still holds another service's group stays: rmdir refuses it
		this.host.removeDirectory(this.freezer.getParent());
		this.host.removeDirectory(this.memory.getParent());
		return gone;
	}

	private OptionalLong number(String file) {
		return Cgroup.number(this.host.readFile(this.memory.resolve(file)));
	}

	@Override
	public String toString() {
		return this.freezer + " and " + this.memory;
	}

}
