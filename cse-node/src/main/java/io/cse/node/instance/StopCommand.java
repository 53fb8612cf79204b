package io.cse.node.instance;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.cse.node.CseException;
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
				+ "first), their registry entry and logs; and the zram swap a squeeze turned on, once no 'cse run' "
				+ "service is left.",
				"Stopping an instance that is already dead removes what it left. Needs root." })
public final class StopCommand implements Callable<Integer> {

	private final NodeContext context;

	@Spec
	CommandSpec spec;

	@Parameters(arity = "0..*", paramLabel = "NAME", description = "The instances to stop (see 'cse ps').")
	List<String> names = new ArrayList<>();

	@Option(names = "--all", description = "Stop every instance in the registry.")
	boolean all;

	@Option(names = "--timeout", paramLabel = "TIME", defaultValue = "10s", converter = DurationConverter.class,
			description = "How long a service may take to shut down after SIGTERM before it is killed "
					+ "(default: ${DEFAULT-VALUE}).")
	Duration grace;

	@Mixin
	StateOptions state;

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
		Instances instances = new Instances(this.context, this.state.registry());
		List<Instance> targets = new ArrayList<>();
		List<String> errors = new ArrayList<>();
		if (this.all) {
			targets.addAll(instances.registry().list());
		}
		else {
			for (String name : this.names) {
				Optional<Instance> instance = instances.registry().find(name);
				if (instance.isPresent()) {
					targets.add(instance.get());
				}
				else {
					errors.add("no instance named " + name + " (see 'cse ps')");
				}
			}
		}
		PrintWriter out = this.spec.commandLine().getOut();
		// In parallel: each stop may wait for a graceful shutdown.
		ExecutorService executor = Executors.newFixedThreadPool(Math.max(1, Math.min(targets.size(), 16)));
		try {
			List<Future<String>> stops = new ArrayList<>();
			for (Instance instance : targets) {
				stops.add(executor.submit(() -> {
					String was = instances.status(instance);
					instances.stop(instance, this.grace);
					return "Stopped " + instance.name() + ("dead".equals(was) ? " (it was dead already)" : "");
				}));
			}
			for (int i = 0; i < stops.size(); i++) {
				try {
					out.println(stops.get(i).get());
				}
				catch (ExecutionException ex) {
					Throwable cause = ex.getCause();
					errors.add(targets.get(i).name() + ": "
							+ ((cause instanceof CseException) ? cause.getMessage() : cause.toString()));
				}
			}
		}
		finally {
			executor.shutdownNow();
		}
		if (targets.stream().anyMatch(Instance::namespaced)) {
			instances.releaseNamespaceMountIfUnused();
		}
		if (targets.isEmpty() && errors.isEmpty()) {
			out.println("No instances to stop.");
		}
		out.flush();
		if (!errors.isEmpty()) {
			throw new CseException(String.join("; ", errors));
		}
		return 0;
	}

}
