package io.cse.node.instance;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code cse ps}: the instances the node agent started.
 */
@Command(name = "ps", mixinStandardHelpOptions = true,
		description = { "List the instances that 'cse run', 'cse restore' and 'cse clone' started, from the "
				+ "registry, whether their process is alive, and for 'cse run' services whether their cgroup is "
				+ "FROZEN or THAWED.",
				"PID is the restored process, or for an instance in namespaces of its own the init of its PID "
						+ "namespace, as the host sees it. Remove dead ones with 'cse stop NAME'." })
public final class PsCommand implements Callable<Integer> {

	private final NodeContext context;

	@Spec
	CommandSpec spec;

	@Mixin
	StateOptions state;

	PsCommand(NodeContext context) {
		this.context = context;
	}

	@Override
	public Integer call() {
		Instances instances = new Instances(this.context, this.state.registry());
		List<Instance> registered = instances.registry().list();
		PrintWriter out = this.spec.commandLine().getOut();
		if (registered.isEmpty()) {
			out.println("No instances (state folder " + instances.registry().stateDir() + ").");
			out.flush();
			return 0;
		}
		Services services = new Services(this.context, instances.registry());
		List<List<String>> rows = new ArrayList<>();
		for (Instance instance : registered) {
			String address = instance.address() + ":" + instance.port();
			String freezer = services.freezerState(instance)
					+ ((instance.limitBeforeSqueeze() > 0) ? " (squeezed)" : "");
			rows.add(List.of(instance.name(), instance.kind().toString(), Long.toString(instance.pid()), address,
					instance.imageId(), instances.status(instance), freezer));
		}
		out.print(Output.table(List.of("NAME", "KIND", "PID", "ADDRESS", "IMAGE", "STATE", "FREEZER"), rows));
		out.flush();
		return 0;
	}

}
