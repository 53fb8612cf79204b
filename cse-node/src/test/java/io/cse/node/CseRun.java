package io.cse.node;

import java.io.PrintWriter;
import java.io.StringWriter;

import io.cse.node.instance.NodeContext;
import picocli.CommandLine;

/**
 * One run of the {@code cse} command line, in this JVM.
 *
 * @param exitCode what it exited with
 * @param out its standard output
 * @param err its standard error
 */
public record CseRun(int exitCode, String out, String err) {

	public static CseRun of(NodeContext context, String... args) {
		CommandLine commandLine = Cse.commandLine(context, args);
		StringWriter out = new StringWriter();
		StringWriter err = new StringWriter();
		commandLine.setOut(new PrintWriter(out, true));
		commandLine.setErr(new PrintWriter(err, true));
		int exitCode = commandLine.execute(args);
		return new CseRun(exitCode, out.toString(), err.toString());
	}

	@Override
	public String toString() {
		return "exit " + this.exitCode + "\n--- out:\n" + this.out + "--- err:\n" + this.err;
	}

}
