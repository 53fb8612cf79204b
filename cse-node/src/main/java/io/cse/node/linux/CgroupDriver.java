package io.cse.node.linux;

import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

/**
 * What differs between the cgroup versions behind {@link Cgroup}: which folders a
 * service's groups are, and which files freeze them and hold their memory. {@link Cgroup}
 * keeps what both share (the checks before a create, the wait for the kernel, the
 * messages).
 */
interface CgroupDriver {

	CgroupVersion version();

	/**
	 * The folders of the service's groups, one per hierarchy.
	 */
	List<Path> groups();

	Path freezer();

	Path memory();

	/**
	 * Create the groups (and their parents, with the controllers they need). The caller
	 * checked that none exists and removes what is left if this fails.
	 */
	void create();

	List<String> wrap(List<String> command);

	/**
	 * {@link Cgroup#FROZEN}, {@link Cgroup#THAWED}, a state in between, or {@code GONE}.
	 */
	String state();

	/**
	 * Ask the kernel to freeze or thaw the group, without waiting.
	 */
	void requestFrozen(boolean frozen);

	OptionalLong usage();

	OptionalLong limit();

	void limit(long bytes);

	/**
	 * The file that lists the processes of the group that is frozen.
	 */
	Path procs();

	/**
	 * Remove the groups, and their parents once empty.
	 * @return whether the groups are gone
	 */
	boolean remove();

}
