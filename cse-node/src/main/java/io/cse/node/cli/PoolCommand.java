package io.cse.node.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import io.cse.node.instance.Instance;
import io.cse.node.instance.NodeContext;
import io.cse.node.pool.PoolStatus;
import io.cse.node.pool.Taken;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code cse pool}: pools of frozen clones that serve in milliseconds when taken.
 */
@Command(name = "pool", mixinStandardHelpOptions = true,
		description = "Keep clones of a template frozen, ready to serve in milliseconds.",
		subcommands = { PoolCommand.Create.class, PoolCommand.Ls.class, PoolCommand.Take.class, PoolCommand.Rm.class,
				CommandLine.HelpCommand.class })
public final class PoolCommand {

	PoolCommand() {
	}

	@Command(name = "create", mixinStandardHelpOptions = true, sortOptions = false,
			description = { "Make a pool: restore --size clones of a template image, each in network and PID "
					+ "namespaces and cgroups of its own, wait for each one's first 200, then freeze it (and with "
					+ "--squeeze push its memory out to compressed swap). Returns when the pool is full.",
					"A resident agent ('cse agent') replaces every clone taken from it; without one, the next agent "
							+ "to start refills it. Needs root." })
	static final class Create implements Callable<Integer> {

		private final NodeContext context;

		@Spec
		CommandSpec spec;

		@Parameters(index = "0", paramLabel = "TEMPLATE",
				description = "The template image: a folder, or an id under --images-root.")
		String template;

		@Option(names = "--name", required = true, paramLabel = "NAME",
				description = "The pool's name (at most 32 characters); its clones are named NAME-N.")
		String name;

		@Option(names = "--size", required = true, paramLabel = "N", description = "How many frozen clones it keeps.")
		int size;

		@Option(names = "--squeeze", description = "Push each frozen clone's memory out to compressed swap.")
		boolean squeeze;

		@Mixin
		RestoreOptions options;

		@Mixin
		StateOptions state;

		@Mixin
		JsonOption output;

		@Mixin
		Progress progress;

		Create(NodeContext context) {
			this.context = context;
		}

		@Override
		public Integer call() {
			Root.require(this.context.host(), "pool create");
			Map<String, Object> body = new LinkedHashMap<>();
			body.put("name", this.name);
			body.put("template", this.options.image(this.template));
			body.put("size", this.size);
			body.put("squeeze", this.squeeze);
			body.put("bridge", this.options.bridge);
			body.put("timeout", AgentCall.duration(this.options.timeout));
			AgentCall call = this.options.call(this.context, this.state);
			PoolStatus pool;
			try (Progress.Ticker ticker = this.progress.waitingFor(this.spec,
					"filling pool " + this.name + " with " + this.size + " frozen clones")) {
				pool = call.send("POST", "/pools", body, PoolStatus.class);
			}
			if (this.output.printed(this.spec, call)) {
				return 0;
			}
			PrintWriter out = this.spec.commandLine().getOut();
			out.printf("Pool %s holds %d frozen clone%s of %s%s: %s%n", pool.name(), pool.ready(),
					(pool.ready() == 1) ? "" : "s", pool.template(), pool.squeeze() ? ", squeezed" : "",
					String.join(", ", pool.members()));
			out.flush();
			return 0;
		}

	}

	@Command(name = "ls", mixinStandardHelpOptions = true, description = "List the pools.")
	static final class Ls implements Callable<Integer> {

		private final NodeContext context;

		@Spec
		CommandSpec spec;

		@Mixin
		StateOptions state;

		@Mixin
		JsonOption output;

		Ls(NodeContext context) {
			this.context = context;
		}

		@Override
		public Integer call() {
			AgentCall call = new AgentCall(this.context, this.state.stateDir);
			List<PoolStatus> pools = call.send("GET", "/pools", null, new TypeReference<List<PoolStatus>>() {
			});
			if (this.output.printed(this.spec, call)) {
				return 0;
			}
			PrintWriter out = this.spec.commandLine().getOut();
			if (pools.isEmpty()) {
				out.println("No pools.");
			}
			else {
				List<List<String>> rows = new ArrayList<>();
				for (PoolStatus pool : pools) {
					rows.add(List.of(pool.name(), pool.ready() + "/" + pool.size(), Integer.toString(pool.filling()),
							pool.squeeze() ? "yes" : "no", pool.template()));
				}
				out.print(Output.table(List.of("NAME", "READY", "FILLING", "SQUEEZED", "TEMPLATE"), rows));
			}
			out.flush();
			return 0;
		}

	}

	@Command(name = "take", mixinStandardHelpOptions = true,
			description = { "Take a clone from a pool: thaw its oldest frozen clone and wait until it serves (its 200 to the thaw); "
					+ "prints its address and instance id. The clone is yours: stop it with 'cse stop'. Needs root." })
	static final class Take implements Callable<Integer> {

		private final NodeContext context;

		@Spec
		CommandSpec spec;

		@Parameters(index = "0", paramLabel = "NAME", description = "The pool (see 'cse pool ls').")
		String name;

		@Option(names = "--timeout", paramLabel = "TIME", converter = DurationConverter.class,
				description = "How long the clone may take to serve (default: as long as a thaw, or a restore "
						+ "when the pool is empty, may take; as 90, 90s, 500ms or 2m).")
		Duration timeout;

		@Mixin
		StateOptions state;

		@Mixin
		JsonOption output;

		@Mixin
		Progress progress;

		Take(NodeContext context) {
			this.context = context;
		}

		@Override
		public Integer call() {
			Root.require(this.context.host(), "pool take");
			long jvmUptime = Output.jvmUptimeMillis();
			AgentCall call = new AgentCall(this.context, this.state.stateDir);
			Taken taken;
			try (Progress.Ticker ticker = this.progress.waitingFor(this.spec,
					"taking a clone from pool " + this.name + ", waiting for its answer")) {
				taken = call.send("POST", "/pools/" + this.name + "/take",
						(this.timeout != null) ? Map.of("timeout", AgentCall.duration(this.timeout)) : null, Taken.class);
			}
			if (this.output.printed(this.spec, call)) {
				return 0;
			}
			Instance instance = taken.instance();
			PrintWriter out = this.spec.commandLine().getOut();
			out.printf("Took %s from pool %s: serving after %s%s%n", instance.name(), taken.pool(),
					Output.millis(taken.millis(), jvmUptime),
					taken.fromPool() ? "" : " (the pool was empty: restored for this request)");
			out.printf("  address   %s:%d%n", instance.endpoint().address(), instance.endpoint().port());
			out.printf("  instance  %s%n", instance.instanceId());
			if (taken.thawed() != null) {
				out.printf(Locale.ROOT, "  thaw      cgroup %.1f ms, service resumed %.1f ms%n",
						taken.thawed().cgroupThawedMillis(), taken.thawed().resumedMillis());
			}
			out.flush();
			return 0;
		}

	}

	@Command(name = "rm", mixinStandardHelpOptions = true,
			description = "Delete a pool and stop its frozen clones; clones taken from it keep running. Needs root.")
	static final class Rm implements Callable<Integer> {

		private final NodeContext context;

		@Spec
		CommandSpec spec;

		@Parameters(index = "0", paramLabel = "NAME", description = "The pool (see 'cse pool ls').")
		String name;

		@Mixin
		StateOptions state;

		@Mixin
		JsonOption output;

		Rm(NodeContext context) {
			this.context = context;
		}

		@Override
		public Integer call() {
			Root.require(this.context.host(), "pool rm");
			AgentCall call = new AgentCall(this.context, this.state.stateDir);
			JsonNode deleted = call.send("DELETE", "/pools/" + this.name, null, JsonNode.class);
			if (this.output.printed(this.spec, call)) {
				return 0;
			}
			PrintWriter out = this.spec.commandLine().getOut();
			out.printf("Deleted pool %s; stopped %d frozen clone%s%n", this.name, deleted.path("stopped").size(),
					(deleted.path("stopped").size() == 1) ? "" : "s");
			out.flush();
			return 0;
		}

	}

}
