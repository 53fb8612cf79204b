package io.cse.node.linux;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The one seam between the node agent and the machine: every command that changes the
 * host ({@code ip}, {@code unshare}, {@code criu}, {@code kill}) and every look at its
 * processes goes through here, so that tests can check the exact command lines and the
 * clean-up after a failure without being root.
 *
 * @see LocalHost
 */
public interface Host {

	/**
	 * Run a command to its end.
	 * @param command the program and its arguments
	 * @return its exit code and its output (standard output and error, merged)
	 */
	CommandResult run(List<String> command);

	/**
	 * Start a command that outlives this process, with no input and its output appended
	 * to a log file.
	 * @param command the program and its arguments
	 * @param log the file that receives its standard output and error
	 * @return the pid of the started process
	 */
	long start(List<String> command, Path log);

	/**
	 * Look at a process.
	 * @param pid the process id, as seen from this process's PID namespace
	 * @return what {@code /proc} says about it, or empty if there is no such process
	 */
	Optional<ProcessInfo> process(long pid);

	/**
	 * The direct children of a process.
	 * @param pid the parent
	 * @return their pids, empty if the process has none or does not exist
	 */
	List<Long> children(long pid);

	/**
	 * Whether this process runs with root's effective user id.
	 * @return whether it does
	 */
	boolean isRoot();

	/**
	 * Find an executable file.
	 * @param name a path, or a name to look up on {@code PATH}
	 * @return the executable, or empty if there is none
	 */
	Optional<Path> findExecutable(String name);

}
