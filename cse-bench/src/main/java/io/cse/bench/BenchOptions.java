package io.cse.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import io.cse.node.CseException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The options every benchmark shares: the service it measures, the database it needs,
 * the JDK that runs it and the report it writes.
 */
final class BenchOptions {

	@Option(names = "--jar", paramLabel = "JAR",
			description = "The service, built with the starter (default: ${DEFAULT-VALUE}).",
			defaultValue = "samples/hello-web/target/hello-web-0.1.0-SNAPSHOT-exec.jar")
	Path jar;

	@Option(names = "--postgres-jar", paramLabel = "JAR",
			description = "The embedded PostgreSQL server (default: ${DEFAULT-VALUE}).",
			defaultValue = "samples/embedded-postgres/target/embedded-postgres-0.1.0-SNAPSHOT-exec.jar")
	Path postgresJar;

	@Option(names = "--java", paramLabel = "PATH",
			description = "The JDK's java that runs the service (default: the one running cse).")
	Path java = Path.of(System.getProperty("java.home"), "bin", "java");

	@Option(names = "--agent-socket", paramLabel = "SOCKET",
			description = "Drive the resident agent on this socket ('cse agent') instead of one this program serves on "
					+ "a socket of its own; either way every operation is a call of the agent's API.")
	Path agentSocket;

	@Option(names = "--output", paramLabel = "FILE", description = "The file to write (default: ${DEFAULT-VALUE}).",
			defaultValue = "docs/benchmarks.md")
	Path output;

	/**
	 * Refuse fewer runs than a median means something with.
	 * @param spec the command, for its usage
	 * @param runs the runs asked for
	 */
	static void requireRuns(CommandSpec spec, int runs) {
		if (runs < 5) {
			throw new ParameterException(spec.commandLine(),
					"--runs must be at least 5 for a meaningful median, not " + runs);
		}
	}

	/**
	 * Refuse to start when the service or the database is not built: a benchmark that
	 * fails after minutes of set-up wastes the operator's time.
	 * @throws CseException naming the file and the build that makes it
	 */
	void requireBuilt() {
		for (Path file : List.of(this.jar, this.postgresJar)) {
			if (!Files.isRegularFile(file)) {
				throw new CseException("No file at " + file + ": build it with 'mvn -B package -DskipTests' "
						+ "from the project root, or pass its path");
			}
		}
		if (!Files.isExecutable(this.java)) {
			throw new CseException("No java at " + this.java + ": pass a JDK's bin/java with --java");
		}
	}

}
