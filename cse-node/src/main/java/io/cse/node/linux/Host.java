package io.cse.node.linux;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The one seam between the node agent and the machine: every command that changes the
 * host ({@code ip}, {@code unshare}, {@code criu}, {@code kill}, cgroup and zram writes) and
 * every look at its processes goes through here, so that tests can check the exact command lines and the
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

	/**
	 * Read a small file, typically of the kernel's pseudo file systems ({@code /proc},
	 * {@code /sys}, cgroups).
	 * @param file the file
	 * @return its content, or empty if it does not exist or cannot be read
	 */
	Optional<String> readFile(Path file);

	/**
	 * Write a value to a file of the kernel's pseudo file systems (a cgroup's
	 * {@code freezer.state}, a zram device's {@code disksize}), in one write.
	 * @param file the file
	 * @param value what to write
	 * @throws io.cse.node.CseException if the kernel refuses it (the message names the file
	 * and the reason, such as "Device or resource busy")
	 */
	void writeFile(Path file, String value);

	/**
	 * Create a folder (a cgroup), unless it exists.
	 * @param dir the folder
	 * @return whether it was created (false if it existed)
	 * @throws io.cse.node.CseException if it cannot be created
	 */
	boolean createDirectory(Path dir);

	/**
	 * Remove an empty folder (a cgroup) with {@code rmdir}.
	 * @param dir the folder
	 * @return whether it is gone (true also if it did not exist); false if the kernel
	 * refused, for example because the cgroup still has processes
	 */
	boolean removeDirectory(Path dir);

	/**
	 * When a file last changed.
	 * @param file the file
	 * @return its modification time, or empty if it does not exist
	 */
	Optional<Instant> lastModified(Path file);

	/**
	 * Whether a file or folder exists.
	 * @param path the path
	 * @return whether it exists
	 */
	boolean exists(Path path);

}
