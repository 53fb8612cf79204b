package io.cse.bench;

import java.io.PrintWriter;
import java.io.StringWriter;

import picocli.CommandLine;

/**
 * One run of the benchmarks' command line, in this JVM.
 *
 * @param exitCode what it exited with
 * @param out its standard output
 * @param err its standard error
 */
record BenchRun(int exitCode, String out, String err) {

	static BenchRun of(String... args) {
		CommandLine commandLine = Bench.commandLine();
		StringWriter out = new StringWriter();
		StringWriter err = new StringWriter();
		commandLine.setOut(new PrintWriter(out, true));
		commandLine.setErr(new PrintWriter(err, true));
		int exitCode = commandLine.execute(args);
		return new BenchRun(exitCode, out.toString(), err.toString());
	}

	@Override
	public String toString() {
		return "exit " + this.exitCode + "\n--- out:\n" + this.out + "--- err:\n" + this.err;
	}

}
