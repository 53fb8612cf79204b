package io.cse.node.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code cse bench}: benchmarks that write {@code docs/benchmarks.md}.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
		description = { "Measure CSE on a service and write the figures into docs/benchmarks.md.",
				"'cse bench all' runs every way to get a serving instance (freeze, snapshots, burst) and draws the "
						+ "chart beside it; the others run one scenario each." },
		subcommands = { AllBenchmarks.class, FreezeBenchmark.class, SnapshotBenchmark.class, BurstBenchmark.class,
				StarterBenchmark.class, CommandLine.HelpCommand.class })
public final class BenchCommand implements Runnable {

	@Spec
	CommandSpec spec;

	@Override
	public void run() {
		throw new ParameterException(this.spec.commandLine(),
				"Name a benchmark: 'cse bench all' for every scenario, or one of "
						+ String.join(", ", this.spec.subcommands().keySet().stream().filter((name) -> !"help".equals(name)).toList()));
	}

}
