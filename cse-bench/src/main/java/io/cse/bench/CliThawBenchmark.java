package io.cse.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code cse-bench thaw-cli}: a thaw as a user at a shell sees it: {@code cse thaw NAME},
 * a JVM of its own running the {@code cse} jar as a client of a resident agent, timed from
 * its process's start to its exit, and then to the first 200 on {@code /}.
 */
@Command(name = "thaw-cli", mixinStandardHelpOptions = true,
		description = { "Start a service through the agent's API, then freeze it and thaw it with a 'cse thaw' "
				+ "command --runs times: a new JVM running --cse-jar, a client of the agent this program serves (or "
				+ "the resident one on --agent-socket), timed from its start to its exit and to the first 200 on / "
				+ "after it. Needs root and cgroup v1.", "Starts a real PostgreSQL in a process of its own for the "
						+ "service." })
final class CliThawBenchmark implements Callable<Integer> {

	private static final String NAME = Workbench.name("bench-thaw-cli");

	@Mixin
	BenchOptions options = new BenchOptions();

	@Option(names = "--cse-jar", paramLabel = "JAR",
			description = "The cse command's jar (default: ${DEFAULT-VALUE}).", defaultValue = "cse-node/target/cse-exec.jar")
	Path cseJar;

	@Option(names = "--cse-command", paramLabel = "PATH",
			description = "The cse command as scripts/install-cse.sh installs it (default: ${DEFAULT-VALUE}); measured "
					+ "beside the jar when it exists.", defaultValue = "/usr/local/bin/cse")
	Path cseCommand;

	@Option(names = "--runs", description = "Commands measured (default: ${DEFAULT-VALUE}).", defaultValue = "7")
	int runs;

	@Spec
	CommandSpec spec;

	private final BenchHttp http = new BenchHttp();

	@Override
	public Integer call() throws Exception {
		validate();
		return Workbench.run("thaw-cli", this.options, false, (workbench) -> section(measure(workbench)));
	}


	void validate() {
		BenchOptions.requireRuns(this.spec, this.runs);
		this.options.requireBuilt();
		if (!Files.isRegularFile(this.cseJar)) {
			throw new ParameterException(this.spec.commandLine(), "No cse jar at " + this.cseJar + ": build it with "
					+ "'mvn -B -pl cse-node -am package -DskipTests', or pass its path with --cse-jar");
		}
	}

	/**
	 * Start the service, then freeze it and thaw it with a {@code cse thaw} command each
	 * run (and once first, unmeasured), and stop it.
	 * @param workbench the database and the agent
	 * @return what was measured
	 */
	Result measure(Workbench workbench) throws Exception {
		AgentSession agent = workbench.agent();
		int port = Workbench.freePort();
		agent.run(NAME, port, workbench.serviceCommand(this.options, port), Duration.ofSeconds(180));
		URI root = URI.create("http://127.0.0.1:" + port + "/");
		Path log = workbench.work().resolve("cse-thaw.log");
		try {
			Result result = new Result();
			boolean installed = Files.isExecutable(this.cseCommand);
			if (!installed) {
				System.out.println("No cse command at " + this.cseCommand + ": only 'java -jar " + this.cseJar.getFileName()
						+ "' is measured. Install the command as a user would, with scripts/install-cse.sh, to measure "
						+ "'cse thaw' too.");
			}
			for (int run = 0; run <= this.runs; run++) {
				// one way after the other in each run, so that both see the same machine
				agent.freeze(NAME, false);
				thaw(jarCommand(), agent.socket(), root, log, (run == 0) ? new Times() : result.jar, run);
				if (installed) {
					agent.freeze(NAME, false);
					thaw(List.of(this.cseCommand.toString(), "thaw", NAME), agent.socket(), root, log,
							(run == 0) ? new Times() : result.installed, run);
				}
			}
			return result;
		}
		finally {
			agent.stopQuietly(List.of(NAME));
		}
	}

	private List<String> jarCommand() {
		return List.of(this.options.java.toString(), "-jar", this.cseJar.toString(), "thaw", NAME);
	}

	private void thaw(List<String> cse, Path socket, URI root, Path log, Times result, int run) throws Exception {
		ProcessBuilder command = new ProcessBuilder(cse).redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
		// the command is a client of the agent: it sends POST /instances/{name}/thaw over this socket
		command.environment().put("CSE_AGENT_SOCKET", socket.toString());
		long start = System.nanoTime();
		Process process = command.start();
		if (!process.waitFor(2, TimeUnit.MINUTES)) {
			process.destroyForcibly();
			throw new IOException("'cse thaw " + NAME + "' did not end within 2 minutes (see " + log + ")");
		}
		double exit = (System.nanoTime() - start) / 1e6;
		if (process.exitValue() != 0) {
			throw new IOException("'cse thaw " + NAME + "' failed with exit code " + process.exitValue() + " (see " + log
					+ ")");
		}
		int status = this.http.get(root).statusCode();
		double first200 = (System.nanoTime() - start) / 1e6;
		if (status != 200) {
			throw new IOException("the service answered " + status + " on / after 'cse thaw'");
		}
		result.exit.add(exit);
		result.first200.add(first200);
		System.out.printf(Locale.ROOT, "%s thaw %d/%d: exit after %.0f ms, first 200 after %.0f ms%n", cse.get(0), run,
				this.runs, exit, first200);
	}

	Section section(Result result) {
		Section section = new Section("thaw-cli", "`cse thaw`, the whole command: what a user at a shell waits for")
			.source("`cse-bench thaw-cli --runs " + this.runs + "`, Spring Boot "
					+ BenchmarkReport.springBootVersion(this.options.jar), BenchmarkReport.machine(this.options.java))
			.paragraph("The sample runs as `POST /instances` starts it (`-Xmx256m`, cgroups of its own) and is frozen "
					+ "with `POST /instances/{name}/freeze` before each run. Each run then starts `java -jar "
					+ this.cseJar.getFileName() + " thaw NAME`, a new JVM with `CSE_AGENT_SOCKET` pointing at a "
					+ "resident agent (one this program serves on a socket of its own, or the one on "
					+ "`--agent-socket`): the command sends `POST /instances/{name}/thaw` and prints the answer. Timed "
					+ "by the benchmark from the start of the command's process to its exit (the JVM's start, the "
					+ "call, which answers after the service's first 200, the printing, the JVM's exit), then to the "
					+ "200 of a `GET /` sent after it. A first, unmeasured run warms the agent up. Where `cse` is "
					+ "installed by `scripts/install-cse.sh` (a launcher with a class archive of the client, C1 only, "
					+ "the serial collector), each run also thaws with it, one way after the other.");
		if (result.installed.exit.isEmpty()) {
			section.paragraph("`cse` was not installed on this machine when this ran: the rows measure `java -jar`, "
					+ "which starts the JVM without the launcher's class archive and flags.");
		}
		else {
			section.millis("`cse thaw` whole command (installed `cse`): process start to exit", result.installed.exit,
					"<= 300 ms")
				.millis("`cse thaw` whole command (installed `cse`), then the first 200 on `/`",
						result.installed.first200, "");
		}
		return section.millis("`java -jar " + this.cseJar.getFileName() + " thaw`: process start to exit", result.jar.exit,
				result.installed.exit.isEmpty() ? "<= 300 ms" : "")
			.millis("`java -jar " + this.cseJar.getFileName() + " thaw`, then the first 200 on `/`", result.jar.first200,
					"");
	}

	static final class Result {

		final Times jar = new Times();

		final Times installed = new Times();

	}

	static final class Times {

		final List<Double> exit = new ArrayList<>();

		final List<Double> first200 = new ArrayList<>();

	}

}
