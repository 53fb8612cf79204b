package io.cse.criu;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * Runs host commands: the seam that tests replace.
 */
interface CommandRunner {

	/** Runs commands on this host. */
	CommandRunner SYSTEM = new SystemCommands();

	/**
	 * Run a command and wait for it.
	 * @param command the program and its arguments
	 * @param timeout how long to wait before the command is killed
	 * @return what it printed, standard error included
	 * @throws IOException if it cannot start, or times out
	 */
	String run(List<String> command, Duration timeout) throws IOException;

	/**
	 * Start a command that outlives this call (it detaches itself) and wait only for its
	 * launcher to return.
	 * @param command the program and its arguments
	 * @throws IOException if it cannot start
	 */
	void startDetached(List<String> command) throws IOException;

}
