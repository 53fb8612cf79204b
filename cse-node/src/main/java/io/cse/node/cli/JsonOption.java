package io.cse.node.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.stream.Collectors;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * {@code --json}: print the agent's answer, one JSON object or array as
 * docs/agent-api.md documents it for the command's route, instead of text. A script reads
 * the same fields whether it calls the API or the command.
 */
final class JsonOption {

	@Option(names = "--json",
			description = "Print the agent's answer as JSON (one object or array, as docs/agent-api.md documents "
					+ "it), not as text.")
	boolean json;

	/**
	 * Print the call's answer if {@code --json} was given.
	 * @param spec the command
	 * @param call the call that was answered
	 * @return whether it printed the answer, and the command has nothing more to print
	 */
	boolean printed(CommandSpec spec, AgentCall call) {
		if (!this.json) {
			return false;
		}
		PrintWriter out = spec.commandLine().getOut();
		out.println(call.lastAnswer());
		out.flush();
		return true;
	}

	/**
	 * Print the answers of several calls, one per thing the command acted on, as one JSON
	 * array if {@code --json} was given.
	 * @param spec the command
	 * @param answers each call's answer as the agent sent it, in the order of the
	 * command's arguments
	 * @return whether it printed the answers, and the command has nothing more to print
	 */
	boolean printed(CommandSpec spec, List<String> answers) {
		if (!this.json) {
			return false;
		}
		PrintWriter out = spec.commandLine().getOut();
		out.println(answers.stream().map(String::strip).collect(Collectors.joining(",", "[", "]")));
		out.flush();
		return true;
	}

}
