package io.cse.bench;

import io.cse.node.CseException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The benchmarks of CSE's node agent, a program of their own
 * ({@code java -jar cse-bench/target/cse-bench-exec.jar all}): each drives the agent through
 * its API, as a platform would, reads the agent's timings from its JSON answers, and writes
 * its section of {@code docs/benchmarks.md}. They are not part of the agent's jar.
 */
@Command(name = "cse-bench", mixinStandardHelpOptions = true, version = "cse-bench 0.1.0-SNAPSHOT",
		description = { "Measure CSE on a service and write the figures into docs/benchmarks.md.",
				"'all' runs every scenario but starter and order-service (freeze, snapshots, burst, thaw-api, thaw-cli, pool-take, "
						+ "burst-pools, jit-cost, density, aot-cache) and draws the chart beside it; the others run one scenario "
						+ "each." },
		subcommands = { AllBenchmarks.class, FreezeBenchmark.class, SnapshotBenchmark.class, BurstBenchmark.class,
				ApiThawBenchmark.class, CliThawBenchmark.class, DensityBenchmark.class, AotCacheBenchmark.class,
				PoolTakeBenchmark.class, PoolBurstBenchmark.class, JitCostBenchmark.class, StarterBenchmark.class, OrderServiceBenchmark.class,
				CommandLine.HelpCommand.class },
		exitCodeListHeading = "%nExit codes:%n",
		exitCodeList = { "0:success", "1:the benchmark failed (the message says why)",
				"2:invalid command line (unknown option, too few runs)" })
public final class Bench implements Runnable {

	@Spec
	CommandSpec spec;

	/**
	 * Run a benchmark and exit with its code.
	 * @param args the command line
	 */
	public static void main(String[] args) {
		System.exit(commandLine().execute(args));
	}

	/**
	 * The command line, ready to {@code execute}: a failure is one line on standard error
	 * (exit code 1), a bad command line its message and the usage (exit code 2).
	 * @return the command line
	 */
	public static CommandLine commandLine() {
		CommandLine commandLine = new CommandLine(new Bench());
		commandLine.setExecutionExceptionHandler((ex, line, parseResult) -> {
			String message = (ex instanceof CseException) ? ex.getMessage() : ex.toString();
			line.getErr().println("cse-bench: " + message);
			line.getErr().flush();
			return 1;
		});
		return commandLine;
	}

	@Override
	public void run() {
		throw new ParameterException(this.spec.commandLine(),
				"Name a benchmark: 'all' for every scenario, or one of "
						+ String.join(", ", this.spec.subcommands().keySet().stream().filter((name) -> !"help".equals(name)).toList()));
	}

}
