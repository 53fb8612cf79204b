package io.cse.node.cli;

import java.util.ArrayList;
import java.util.List;

import io.cse.node.Cse;
import io.cse.node.FakeHost;
import io.cse.node.FakeProbe;
import io.cse.node.instance.NodeContext;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One style for the help of every command, as a reader who compares two commands expects:
 * one width, placeholders in capitals, the options every command shares last and in one
 * order, every description a sentence, units as the commands print them.
 */
class HelpStyleTests {

	/** The shared options, in the order every command lists them, after its own. */
	private static final List<String> SHARED = List.of("--timeout", "--state-dir", "--json", "--quiet", "--help",
			"--version");

	private final List<CommandLine> commands = everyCommand(
			Cse.commandLine(new NodeContext(new FakeHost(), new FakeProbe())), new ArrayList<>());

	private static List<CommandLine> everyCommand(CommandLine line, List<CommandLine> found) {
		found.add(line);
		line.getSubcommands().values().forEach((subcommand) -> everyCommand(subcommand, found));
		return found;
	}

	@Test
	void everyHelpFitsEightyColumns() {
		assertThat(this.commands).hasSizeGreaterThan(15);
		for (CommandLine command : this.commands) {
			assertThat(command.getUsageMessage().lines()).as(command.getCommandName())
				.allSatisfy((line) -> assertThat(line.length()).as(line).isLessThanOrEqualTo(80));
		}
	}

	@Test
	void placeholdersAreCapitals() {
		for (CommandLine command : this.commands) {
			for (ArgSpec arg : command.getCommandSpec().args()) {
				if (arg.typeInfo().isBoolean()) {
					continue;
				}
				assertThat(arg.paramLabel()).as(command.getCommandName() + " " + arg).matches("[A-Z]+");
			}
		}
	}

	@Test
	void sharedOptionsComeLastInOneOrder() {
		for (CommandLine command : this.commands) {
			List<String> names = command.getCommandSpec().options().stream()
				.filter((option) -> !option.hidden())
				.map(OptionSpec::longestName)
				.toList();
			List<String> shared = names.stream().filter(SHARED::contains).toList();
			assertThat(shared).as(command.getCommandName() + ": " + names)
				.isEqualTo(SHARED.stream().filter(shared::contains).toList());
			assertThat(names.subList(names.size() - shared.size(), names.size()))
				.as(command.getCommandName() + ": its own options first").isEqualTo(shared);
		}
	}

	@Test
	void everyDescriptionIsASentenceWithUnitsAsPrinted() {
		for (CommandLine command : this.commands) {
			for (ArgSpec arg : command.getCommandSpec().args()) {
				if (arg.hidden()) {
					continue;
				}
				String description = String.join(" ", arg.description());
				assertThat(description).as(command.getCommandName() + " " + arg)
					.matches("[A-Z].*[.)]")
					.doesNotContain(" MB")
					.doesNotContain(" GB");
				if (arg.defaultValue() != null && !arg.typeInfo().isBoolean()) {
					assertThat(description).as(command.getCommandName() + " " + arg + " says its default")
						.contains("(default: ");
				}
			}
		}
	}

}
