package io.cse.node.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.fasterxml.jackson.core.type.TypeReference;
import io.cse.node.CseException;
import io.cse.node.CseException.Reason;
import io.cse.node.instance.Liveness;
import io.cse.node.instance.InstanceStatus;
import io.cse.node.instance.NodeContext;
import io.cse.node.instance.Stopped;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code cse stop}: stop instances and remove everything they used.
 */
@Command(name = "stop", mixinStandardHelpOptions = true, sortOptions = false,
		description = { "Stop instances and remove everything they used: their processes (SIGTERM, then SIGKILL "
				+ "after --timeout), their network namespace and veth pair, the cgroups of a 'cse run' service (thawed "
				+ "first), their registry entry (their logs with --purge); and the zram swap a squeeze turned on, "
				+ "once no 'cse run' service is left.",
				"Stopping an instance that is already dead removes what it left. Needs root." })
public final class StopCommand implements Callable<Integer> {

	private final NodeContext context;

	@Spec
	CommandSpec spec;

	@Parameters(arity = "0..*", paramLabel = "NAME", description = "The instances to stop (see 'cse ps').")
	List<String> names = new ArrayList<>();

	@Option(names = "--all", description = "Stop every instance in the registry.")
	boolean all;

	@Option(names = "--purge", description = "Delete their logs too (kept by default, in the state folder's logs/).")
	boolean purge;

	@Option(names = "--timeout", paramLabel = "TIME", defaultValue = "10s", converter = DurationConverter.class,
			description = "How long a service may take to shut down after SIGTERM before it is killed "
					+ "(default: ${DEFAULT-VALUE}).")
	Duration grace;

	@Mixin
	StateOptions state;

	@Mixin
	JsonOption output;

	@Mixin
	Progress progress;

	StopCommand(NodeContext context) {
		this.context = context;
	}

	@Override
	public Integer call() throws InterruptedException {
		if (this.all == !this.names.isEmpty()) {
			throw new ParameterException(this.spec.commandLine(),
					this.all ? "give either names or --all, not both" : "name the instances to stop, or pass --all");
		}
		Root.require(this.context.host(), "stop");
		AgentCall agent = new AgentCall(this.context, this.state.stateDir);
		List<String> known = agent.send("GET", "/instances", null, new TypeReference<List<InstanceStatus>>() {
		}).stream().map((status) -> status.instance().name()).toList();
		List<String> targets = new ArrayList<>();
		List<String> errors = new ArrayList<>();
		// The exit code: not found if only names were unknown, else why the first stop failed
		Reason reason = Reason.NOT_FOUND;
		if (this.all) {
			targets.addAll(known);
		}
		else {
			for (String name : this.names) {
				if (known.contains(name)) {
					targets.add(name);
				}
				else {
					errors.add("no instance named " + name + " (see 'cse ps')");
				}
			}
		}
		PrintWriter out = this.spec.commandLine().getOut();
		List<String> answers = new ArrayList<>();
		// In parallel: each stop may wait for a graceful shutdown.
		ExecutorService executor = Executors.newFixedThreadPool(Math.max(1, Math.min(targets.size(), 16)));
		try (Progress.Ticker ticker = this.progress.waitingFor(this.spec,
				"stopping " + ((targets.size() <= 3) ? String.join(", ", targets) : targets.size() + " instances"))) {
			List<Future<Answer>> stops = new ArrayList<>();
			for (String name : targets) {
				stops.add(executor.submit(() -> stop(name)));
			}
			for (int i = 0; i < stops.size(); i++) {
				try {
					Answer answer = stops.get(i).get();
					answers.add(answer.json());
					if (!this.output.json) {
						Stopped stopped = answer.stopped();
						out.println("Stopped " + stopped.instance().name()
								+ ((stopped.before() == Liveness.DEAD) ? " (it was dead already)" : "")
								+ (this.purge ? ""
										: "; its logs are kept in " + this.state.registry().logDir(stopped.instance().name())));
					}
				}
				catch (ExecutionException ex) {
					errors.add(targets.get(i) + ": " + CseException.messageOf(ex.getCause()));
					if (reason == Reason.NOT_FOUND) {
						reason = (ex.getCause() instanceof CseException) ? ((CseException) ex.getCause()).reason()
								: Reason.FAILED;
					}
				}
			}
		}
		finally {
			executor.shutdownNow();
		}
		// With --json, an array of what was stopped (empty if nothing was); the exit code says
		// whether anything failed
		if (!this.output.printed(this.spec, answers) && targets.isEmpty() && errors.isEmpty()) {
			out.println("No instances to stop.");
		}
		out.flush();
		if (!errors.isEmpty()) {
			throw new CseException(reason, String.join("; ", errors));
		}
		return 0;
	}

	/**
	 * Stop one instance, with a call of its own: the stops run in parallel, and each
	 * answer is read from its call.
	 */
	private Answer stop(String name) {
		AgentCall call = new AgentCall(this.context, this.state.stateDir);
		Stopped stopped = call.send("DELETE",
				"/instances/" + name + "?grace=" + AgentCall.duration(this.grace) + "&purge=" + this.purge, null,
				Stopped.class);
		return new Answer(stopped, call.lastAnswer());
	}

	private record Answer(Stopped stopped, String json) {

	}

}
