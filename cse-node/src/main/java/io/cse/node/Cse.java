package io.cse.node;

import java.lang.reflect.Constructor;
import java.util.List;

import io.cse.node.CseException.Reason;
import io.cse.node.cli.AgentCommand;
import io.cse.node.cli.CloneCommand;
import io.cse.node.cli.FreezeCommand;
import io.cse.node.cli.ImagesCommand;
import io.cse.node.cli.NetCommand;
import io.cse.node.cli.PoolCommand;
import io.cse.node.cli.PsCommand;
import io.cse.node.cli.RestoreCommand;
import io.cse.node.cli.RunCommand;
import io.cse.node.cli.SnapshotCommand;
import io.cse.node.cli.StopCommand;
import io.cse.node.cli.ThawCommand;
import io.cse.node.instance.NodeContext;
import io.cse.node.instance.Registry;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code cse} command: the host side of CSE.
 */
@Command(name = "cse", mixinStandardHelpOptions = true, version = "cse 0.1.0-SNAPSHOT",
		description = "The CSE node agent: runs, freezes, snapshots, clones and pools Spring Boot services.",
		exitCodeListHeading = "%nExit codes:%n",
		exitCodeList = { "0:success", "1:the operation failed (the message says why and what to do)",
				"2:invalid command line or request (unknown option, missing argument, bad value)",
				"3:not found (no instance, image or pool of that name)",
				"4:timed out (the service did not answer, or the cgroup did not freeze, in time)",
				"5:prerequisite missing (root, CRIU, cgroups, swap: the message says what to install)",
				"6:refused or conflict (a name in use, another operation under way)" },
		footerHeading = "%nEnvironment:%n",
		footer = { "  CSE_STATE_DIR    the registry's folder (default: " + Registry.DEFAULT_STATE_DIR + ")",
				"  CSE_AGENT_SOCKET where commands find a resident agent (default: /run/cse/agent.sock); without one "
						+ "they run the operation themselves" })
public final class Cse {

	/**
	 * The subcommands, in the order help lists them.
	 */
	private static final List<Class<?>> SUBCOMMANDS = List.of(AgentCommand.class, RunCommand.class,
			FreezeCommand.class, ThawCommand.class, SnapshotCommand.class, RestoreCommand.class, CloneCommand.class,
			PoolCommand.class, ImagesCommand.class, PsCommand.class, StopCommand.class, NetCommand.class,
			CommandLine.HelpCommand.class);

	/** The width of every help text: a terminal's default. */
	static final int HELP_WIDTH = 80;

	private Cse() {
	}

	public static void main(String[] args) {
		System.exit(commandLine(NodeContext.local(), args).execute(args));
	}

	/**
	 * The command line, with its commands working through the given seams.
	 * @param context the host and HTTP seams
	 * @return the command line with every subcommand, ready to {@code execute}
	 */
	public static CommandLine commandLine(NodeContext context) {
		return commandLine(context, new String[0]);
	}

	/**
	 * The command line to execute the given arguments: when they start with a subcommand's
	 * name, only that subcommand is built. Picocli reads every option of every command
	 * by reflection when it builds one, which cost a client of the resident agent more
	 * than its call; help, version and a misspelt command (which picocli answers with the
	 * names of all) still get every subcommand.
	 * @param context the host and HTTP seams
	 * @param args the arguments the command line will execute
	 * @return the command line, ready to {@code execute} those arguments
	 */
	public static CommandLine commandLine(NodeContext context, String[] args) {
		ContextFactory factory = new ContextFactory(context);
		CommandLine commandLine = new CommandLine(new Cse(), factory);
		Class<?> named = subcommandNamedIn(args);
		for (Class<?> type : SUBCOMMANDS) {
			if (named == null || type == named) {
				commandLine.addSubcommand(new CommandLine(type, factory));
			}
		}
		applyHelpStyle(commandLine);
		commandLine.setExecutionExceptionHandler((ex, line, parseResult) -> {
			line.getErr().println("cse: " + CseException.messageOf(ex));
			line.getErr().flush();
			return (ex instanceof CseException) ? ((CseException) ex).reason().exitCode() : Reason.FAILED.exitCode();
		});
		return commandLine;
	}

	/**
	 * One style for every command's help: 80 columns, options and synopsis in the order
	 * they are declared (the command's own first, then the timeout, the state folder,
	 * {@code --json}, {@code --quiet}, help and version), as a reader compares commands.
	 */
	private static void applyHelpStyle(CommandLine commandLine) {
		commandLine.setUsageHelpWidth(HELP_WIDTH);
		commandLine.getCommandSpec().usageMessage().sortOptions(false).sortSynopsis(false);
		for (CommandLine subcommand : commandLine.getSubcommands().values()) {
			applyHelpStyle(subcommand);
		}
	}

	/**
	 * The subcommand the arguments start with, or {@code null} for none, or for
	 * {@code help} (which describes the others, so needs them all).
	 */
	private static Class<?> subcommandNamedIn(String[] args) {
		if (args.length == 0) {
			return null;
		}
		for (Class<?> type : SUBCOMMANDS) {
			if (type != CommandLine.HelpCommand.class && type.getAnnotation(Command.class).name().equals(args[0])) {
				return type;
			}
		}
		return null;
	}

	/**
	 * Creates commands that take the {@link NodeContext}, and everything else as picocli
	 * does.
	 */
	private static final class ContextFactory implements CommandLine.IFactory {

		private final NodeContext context;

		ContextFactory(NodeContext context) {
			this.context = context;
		}

		@Override
		public <K> K create(Class<K> type) throws Exception {
			Constructor<K> constructor;
			try {
				constructor = type.getDeclaredConstructor(NodeContext.class);
			}
			catch (NoSuchMethodException ex) {
				return CommandLine.defaultFactory().create(type);
			}
			constructor.setAccessible(true);
			return constructor.newInstance(this.context);
		}

	}

}
