package io.cse.node;

import io.cse.node.bench.BenchCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code cse} command: the host side of CSE.
 */
@Command(name = "cse", mixinStandardHelpOptions = true, version = "cse 0.1.0-SNAPSHOT",
		description = "The CSE node agent: runs, freezes, snapshots and clones Spring Boot services, and measures it all.",
		subcommands = { BenchCommand.class, CommandLine.HelpCommand.class },
		exitCodeListHeading = "%nExit codes:%n",
		exitCodeList = { "0:success", "1:the operation failed (the message says why)",
				"2:invalid command line (unknown option, missing argument)" })
public final class Cse {

	private Cse() {
	}

	public static void main(String[] args) {
		System.exit(commandLine().execute(args));
	}

	static CommandLine commandLine() {
		CommandLine commandLine = new CommandLine(new Cse());
		commandLine.setExecutionExceptionHandler((ex, line, parseResult) -> {
			line.getErr().println("cse: " + ex.getMessage());
			return 1;
		});
		return commandLine;
	}

}
