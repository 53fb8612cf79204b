package io.cse.node.bench;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.cse.node.Cse;
import io.cse.node.instance.NodeContext;
import picocli.CommandLine;

/**
 * Runs {@code cse} commands in this JVM against one state folder: what the benchmarks
 * time, without the start-up of a JVM per command.
 */
final class InProcessCse {

	private final Path state;

	InProcessCse(Path state) {
		this.state = state;
	}

	/**
	 * Run a command.
	 * @param args the command's arguments; {@code --state-dir} is added before a
	 * {@code --} that starts a service's own command line
	 * @return what the command printed
	 * @throws IllegalStateException if it failed, with what it said
	 */
	String run(String... args) {
		List<String> all = new ArrayList<>(List.of(args));
		int separator = all.indexOf("--");
		all.addAll((separator >= 0) ? separator : all.size(), List.of("--state-dir", this.state.toString()));
		CommandLine commandLine = Cse.commandLine(NodeContext.local());
		StringWriter out = new StringWriter();
		StringWriter err = new StringWriter();
		commandLine.setOut(new PrintWriter(out, true));
		commandLine.setErr(new PrintWriter(err, true));
		int code = commandLine.execute(all.toArray(String[]::new));
		if (code != 0) {
			throw new IllegalStateException("cse " + String.join(" ", args) + " failed (exit " + code + "): " + err);
		}
		return out.toString();
	}

	/**
	 * Run a command whose failure only matters to a person: clean-up.
	 * @param args the command's arguments
	 */
	void runQuietly(String... args) {
		try {
			run(args);
		}
		catch (RuntimeException ex) {
			System.err.println(ex.getMessage());
		}
	}

}
