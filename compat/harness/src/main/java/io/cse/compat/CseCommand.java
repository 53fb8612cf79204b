package io.cse.compat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The node agent's command line, {@code java -jar cse-exec.jar}, run as a platform runs it:
 * a process of its own per command, on one state folder (the registry of its instances),
 * each command its own agent for the length of the call.
 */
public final class CseCommand {

	/** System property naming cse-node's executable jar (failsafe sets it). */
	public static final String JAR_PROPERTY = "cse.node.jar";

	private final Path jar;

	private final Path stateDir;

	private final Path output;

	/**
	 * The command line of the given jar, on the given state folder.
	 * @param jar {@code cse-node/target/cse-exec.jar}
	 * @param stateDir the registry of instances ({@code --state-dir}); command output goes
	 * beside it
	 */
	public CseCommand(Path jar, Path stateDir) {
		this.jar = jar;
		this.stateDir = stateDir;
		this.output = stateDir.resolveSibling(stateDir.getFileName() + "-commands.log");
	}

	/**
	 * The command line of the jar named by {@value #JAR_PROPERTY}.
	 * @param stateDir the registry of instances
	 * @return the command line
	 * @throws IllegalStateException if the jar is missing
	 */
	public static CseCommand fromProperty(Path stateDir) {
		String jar = System.getProperty(JAR_PROPERTY, "../../cse-node/target/cse-exec.jar");
		if (!Files.isRegularFile(Path.of(jar))) {
			throw new IllegalStateException("No cse-exec.jar at " + jar + " (system property " + JAR_PROPERTY
					+ "): build it with 'mvn -B -pl cse-node -am package -DskipTests'");
		}
		return new CseCommand(Path.of(jar).toAbsolutePath(), stateDir);
	}

	public Path stateDir() {
		return this.stateDir;
	}

	/**
	 * Run one command to its end.
	 * @param timeout how long it may take
	 * @param args its arguments ({@code --state-dir} is added, before a {@code --})
	 * @return its exit code and output
	 */
	public Result run(Duration timeout, String... args) throws IOException, InterruptedException {
		return runUntil(timeout, (ignored) -> false, args);
	}

	/**
	 * Run one command to its end, or stop it early (SIGTERM: a command that started
	 * something rolls it back) once {@code giveUp} holds.
	 * @param timeout how long it may take
	 * @param giveUp checked while it runs
	 * @param args its arguments
	 * @return its exit code and output; {@link Result#gaveUp()} if it was stopped early
	 */
	public Result runUntil(Duration timeout, Predicate<Void> giveUp, String... args)
			throws IOException, InterruptedException {
		Files.createDirectories(this.stateDir);
		Path out = Files.createTempFile(this.stateDir.getParent(), "cse-", ".out");
		ProcessBuilder builder = new ProcessBuilder(command(args)).redirectErrorStream(true).redirectOutput(out.toFile());
		// Never a resident agent of this machine: it would use its own state folder, not this one
		builder.environment().put("CSE_AGENT_SOCKET", this.stateDir.resolveSibling("no-agent.sock").toString());
		Process process = builder.start();
		long deadline = System.nanoTime() + timeout.toNanos();
		boolean gaveUp = false;
		while (!process.waitFor(100, TimeUnit.MILLISECONDS)) {
			if (System.nanoTime() > deadline || giveUp.test(null)) {
				gaveUp = true;
				process.destroy();
				if (!process.waitFor(60, TimeUnit.SECONDS)) {
					process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
				}
				break;
			}
		}
		String text = Files.readString(out, StandardCharsets.UTF_8);
		Files.delete(out);
		Result result = new Result(String.join(" ", args), gaveUp ? -1 : process.exitValue(), text, gaveUp);
		Files.writeString(this.output, "$ cse " + result.command() + "\n" + text + "[exit " + result.exitCode() + "]\n\n",
				StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
		return result;
	}

	private List<String> command(String... args) {
		List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				"-XX:TieredStopAtLevel=1", "-jar", this.jar.toString()));
		List<String> arguments = new ArrayList<>(List.of(args));
		int separator = arguments.indexOf("--");
		arguments.addAll((separator >= 0) ? separator : arguments.size(),
				List.of("--state-dir", this.stateDir.toString()));
		command.addAll(arguments);
		return command;
	}

	/**
	 * How a command ended.
	 *
	 * @param command its arguments
	 * @param exitCode its exit code, -1 if it was stopped
	 * @param output its standard output and error
	 * @param gaveUp whether it was stopped before its end
	 */
	public record Result(String command, int exitCode, String output, boolean gaveUp) {

		@Override
		public String toString() {
			return "'cse " + this.command + "' " + (this.gaveUp ? "was stopped" : "exited with " + this.exitCode)
					+ "; its output:\n" + this.output;
		}

	}

}
