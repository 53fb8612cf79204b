package io.cse.node.cli;

import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;
import io.cse.node.instance.NodeContext;
import io.cse.node.linux.Bridge;
import io.cse.node.linux.Subnet;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code cse net}: the host bridge of instances in namespaces of their own.
 */
@Command(name = "net", mixinStandardHelpOptions = true,
		description = "Set up or remove the host bridge that clones hang on.",
		subcommands = { NetCommand.Up.class, NetCommand.Down.class, CommandLine.HelpCommand.class })
public final class NetCommand {

	NetCommand() {
	}

	@Command(name = "up", mixinStandardHelpOptions = true,
			description = { "Create the host bridge (cse0 by default) with the host's address 10.199.0.1/24, and "
					+ "bring it up. Does nothing that is done already; 'cse clone' runs it by itself.",
					"Clones reach services on the host through that address (a PostgreSQL listening on 10.199.0.1, "
							+ "for example). Nothing is routed beyond the host. Needs root." })
	static final class Up implements Callable<Integer> {

		private final NodeContext context;

		@Spec
		CommandSpec spec;

		@Option(names = "--subnet", paramLabel = "CIDR",
				description = "The bridge's subnet; the host takes its first address, instances get addresses from "
						+ "the 10th up (default: 10.199.0.0/24, or the subnet the bridge has already).")
		String subnet;

		@Option(names = "--bridge", paramLabel = "NAME", defaultValue = Bridge.DEFAULT_NAME,
				description = "The bridge's name (default: ${DEFAULT-VALUE}).")
		String bridge;

		@Mixin
		StateOptions state;

		@Mixin
		JsonOption output;

		Up(NodeContext context) {
			this.context = context;
		}

		@Override
		public Integer call() {
			Subnet requested = (this.subnet != null) ? Subnet.parse(this.subnet) : null;
			Root.require(this.context.host(), "net up");
			Map<String, Object> body = (requested != null) ? Map.of("subnet", this.subnet) : Map.of();
			AgentCall call = new AgentCall(this.context, this.state.stateDir);
			JsonNode up = call.send("PUT", "/bridges/" + this.bridge, body, JsonNode.class);
			if (this.output.printed(this.spec, call)) {
				return 0;
			}
			PrintWriter out = this.spec.commandLine().getOut();
			out.printf("Bridge %s is up with %s (%s)%n", this.bridge, up.get("subnet").asText(),
					up.get("created").asBoolean() ? "created" : "it was there already");
			out.flush();
			return 0;
		}

	}

	@Command(name = "down", mixinStandardHelpOptions = true,
			description = "Delete the host bridge. Refuses while instances in namespaces of their own use it "
					+ "(stop them with 'cse stop --all'). Needs root.")
	static final class Down implements Callable<Integer> {

		private final NodeContext context;

		@Spec
		CommandSpec spec;

		@Option(names = "--bridge", paramLabel = "NAME", defaultValue = Bridge.DEFAULT_NAME,
				description = "The bridge's name (default: ${DEFAULT-VALUE}).")
		String bridge;

		@Mixin
		StateOptions state;

		@Mixin
		JsonOption output;

		Down(NodeContext context) {
			this.context = context;
		}

		@Override
		public Integer call() {
			Root.require(this.context.host(), "net down");
			AgentCall call = new AgentCall(this.context, this.state.stateDir);
			boolean deleted = call.send("DELETE", "/bridges/" + this.bridge, null, JsonNode.class)
				.get("deleted")
				.asBoolean();
			if (this.output.printed(this.spec, call)) {
				return 0;
			}
			PrintWriter out = this.spec.commandLine().getOut();
			out.println(deleted ? "Deleted bridge " + this.bridge : "No bridge " + this.bridge + ": nothing to do");
			out.flush();
			return 0;
		}

	}

}
