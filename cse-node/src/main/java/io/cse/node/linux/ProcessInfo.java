package io.cse.node.linux;

import java.util.List;

/**
 * A process as {@code /proc} shows it.
 *
 * @param pid its pid in the caller's PID namespace
 * @param parentPid its parent's pid
 * @param command its command name ({@code /proc/<pid>/comm})
 * @param state its state letter ({@code R}, {@code S}, {@code Z}, ...)
 * @param startTicks its start time in clock ticks after boot (field 22 of
 * {@code /proc/<pid>/stat}): with the pid, it names one process even after the pid is
 * reused
 * @param namespacePids its pid in each PID namespace it belongs to, outermost first
 * ({@code NSpid} of {@code /proc/<pid>/status})
 */
public record ProcessInfo(long pid, long parentPid, String command, char state, long startTicks,
		List<Long> namespacePids) {

	public ProcessInfo {
		namespacePids = List.copyOf(namespacePids);
	}

	/**
	 * Whether the process has exited and only waits for its parent to reap it.
	 * @return whether it is a zombie (or already dead)
	 */
	public boolean isZombie() {
		return this.state == 'Z' || this.state == 'X';
	}

	/**
	 * Whether the process is the first process (pid 1) of a PID namespace nested in the
	 * caller's.
	 * @return whether it is a namespace's init
	 */
	public boolean isNamespaceInit() {
		return this.namespacePids.size() > 1 && this.namespacePids.get(this.namespacePids.size() - 1) == 1L;
	}

}
