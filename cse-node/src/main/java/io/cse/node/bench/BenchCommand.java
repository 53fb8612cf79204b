package io.cse.node.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code cse bench}: benchmarks that write {@code docs/benchmarks.md}.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
		description = "Measure CSE on a service and write the figures into docs/benchmarks.md.",
		subcommands = { StarterBenchmark.class, SnapshotBenchmark.class, FreezeBenchmark.class, CommandLine.HelpCommand.class })
public final class BenchCommand {

}
