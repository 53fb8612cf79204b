package io.cse.node.linux;

import java.util.List;

import io.cse.node.CseException;

/**
 * What a command run by a {@link Host} ended with.
 *
 * @param command the command that ran
 * @param exitCode its exit code ({@code -1} if it could not run or was stopped after a
 * timeout)
 * @param output its standard output and error, merged
 */
public record CommandResult(List<String> command, int exitCode, String output) {

	public CommandResult {
		command = List.copyOf(command);
		output = (output != null) ? output : "";
	}

	/**
	 * Whether the command exited with 0.
	 * @return whether it did
	 */
	public boolean succeeded() {
		return this.exitCode == 0;
	}

	/**
	 * Fail unless the command exited with 0.
	 * @param what what the command was for, as in "create the bridge"
	 * @return this result
	 * @throws CseException with the command line and its output if it failed
	 */
	public CommandResult orThrow(String what) {
		if (!succeeded()) {
			throw new CseException("could not " + what + ": '" + String.join(" ", this.command) + "' exited with "
					+ this.exitCode + (this.output.isBlank() ? "" : ": " + this.output.strip()));
		}
		return this;
	}

}
