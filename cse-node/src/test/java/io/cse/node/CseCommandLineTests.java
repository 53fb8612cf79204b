package io.cse.node;

import java.util.List;

import io.cse.node.instance.NodeContext;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The command line itself: help, exit codes, refusals of bad command lines. No command
 * here touches the host (its fake would record it).
 */
class CseCommandLineTests {

	private final FakeHost host = new FakeHost();

	private final NodeContext context = new NodeContext(this.host, new FakeProbe());

	static List<String> commands() {
		return List.of("restore", "clone", "ps", "stop", "net", "net up", "net down");
	}

	@ParameterizedTest
	@MethodSource("commands")
	void everyCommandHasHelp(String command) {
		String[] args = (command + " --help").split(" ");
		CseRun run = CseRun.of(this.context, args);
		assertThat(run.exitCode()).as(run.toString()).isZero();
		assertThat(run.out()).startsWith("Usage: cse " + command);
		assertThat(this.host.commands()).isEmpty();
	}

	@Test
	void topLevelHelpListsCommandsAndExitCodes() {
		CseRun run = CseRun.of(this.context, "--help");
		assertThat(run.exitCode()).isZero();
		assertThat(run.out()).contains("restore", "clone", "ps", "stop", "net", "Exit codes:", "0   success",
				"1   the operation failed", "2   invalid command line", "CSE_STATE_DIR");
	}

	@Test
	void buildsOnlyTheCommandItRuns() {
		assertThat(Cse.commandLine(this.context, new String[] { "thaw", "hello" }).getSubcommands())
			.containsOnlyKeys("thaw");
		assertThat(Cse.commandLine(this.context, new String[] { "--version" }).getSubcommands())
			.containsKeys("agent", "run", "freeze", "thaw", "restore", "clone", "pool", "ps", "stop", "net", "help");
	}

	@Test
	void helpOfACommandStillFindsIt() {
		CseRun run = CseRun.of(this.context, "help", "thaw");
		assertThat(run.exitCode()).as(run.toString()).isZero();
		assertThat(run.out()).startsWith("Usage: cse thaw");
	}

	@Test
	void aMisspeltCommandIsAnsweredWithTheOthers() {
		CseRun run = CseRun.of(this.context, "thwa", "hello");
		assertThat(run.exitCode()).isEqualTo(2);
		assertThat(run.err()).contains("Did you mean", "thaw");
	}

	@Test
	void theBenchmarksAreNoCommandOfTheAgent() {
		// they live in the module cse-bench, a client of the agent's API, not in the jar that is shipped
		CseRun run = CseRun.of(this.context, "bench", "all");
		assertThat(run.exitCode()).isEqualTo(2);
		assertThat(run.err()).contains("Unmatched arguments");
		assertThat(this.host.commands()).isEmpty();
	}

	@ParameterizedTest
	@MethodSource("commands")
	void unknownOptionExitsWith2(String command) {
		String[] args = (command + " --no-such-option").split(" ");
		CseRun run = CseRun.of(this.context, args);
		assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
		assertThat(run.err()).contains("Usage: cse " + command);
		assertThat(this.host.commands()).isEmpty();
	}

	@Test
	void unknownOptionIsNamed() {
		CseRun run = CseRun.of(this.context, "restore", "/tmp/image", "--no-such-option");
		assertThat(run.exitCode()).isEqualTo(2);
		assertThat(run.err()).contains("Unknown option: '--no-such-option'");
	}

	@Test
	void cloneWithoutCountExitsWith2() {
		CseRun run = CseRun.of(this.context, "clone", "/tmp/image");
		assertThat(run.exitCode()).isEqualTo(2);
		assertThat(run.err()).contains("--count");
	}

	@Test
	void cloneWithCountZeroExitsWith2() {
		CseRun run = CseRun.of(this.context, "clone", "/tmp/image", "--count", "0");
		assertThat(run.exitCode()).isEqualTo(2);
		assertThat(run.err()).contains("--count must be at least 1");
	}

	@Test
	void restoreWithoutImageExitsWith2() {
		CseRun run = CseRun.of(this.context, "restore");
		assertThat(run.exitCode()).isEqualTo(2);
		assertThat(run.err()).contains("IMAGE");
	}

	@Test
	void badTimeoutExitsWith2() {
		CseRun run = CseRun.of(this.context, "restore", "x", "--timeout", "soon");
		assertThat(run.exitCode()).isEqualTo(2);
		assertThat(run.err()).contains("'soon' is no duration");
	}

	@Test
	void stopWithoutNamesNorAllExitsWith2() {
		CseRun run = CseRun.of(this.context, "stop");
		assertThat(run.exitCode()).isEqualTo(2);
		assertThat(run.err()).contains("name the instances to stop, or pass --all");
	}

	@Test
	void stopWithNamesAndAllExitsWith2() {
		CseRun run = CseRun.of(this.context, "stop", "a", "--all");
		assertThat(run.exitCode()).isEqualTo(2);
		assertThat(run.err()).contains("not both");
	}

}
