package io.cse.node.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.core.type.TypeReference;
import io.cse.node.instance.Instance;
import io.cse.node.instance.InstanceStatus;
import io.cse.node.instance.NodeContext;
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

	@Mixin
	JsonOption output;

	PsCommand(NodeContext context) {
		this.context = context;
	}

	@Override
	public Integer call() {
		AgentCall call = new AgentCall(this.context, this.state.stateDir);
		List<InstanceStatus> statuses = call.send("GET", "/instances", null,
				new TypeReference<List<InstanceStatus>>() {
				});
		if (this.output.printed(this.spec, call)) {
			return 0;
		}
		PrintWriter out = this.spec.commandLine().getOut();
		if (statuses.isEmpty()) {
			out.println("No instances (state folder " + this.state.stateDir + ").");
			out.flush();
			return 0;
		}
		List<List<String>> rows = new ArrayList<>();
		for (InstanceStatus status : statuses) {
			Instance instance = status.instance();
			String address = instance.endpoint().address() + ":" + instance.endpoint().port();
			String freezer = (status.freezerState() != null) ? status.freezerState() : "-";
			if (instance.hasCgroup() && instance.cgroups().squeezed()) {
				freezer += " (squeezed)";
			}
			rows.add(List.of(instance.name(), instance.kind().toString(), Long.toString(instance.process().pid()),
					address, instance.source().imageId(), status.liveness().toString(), freezer));
		}
		out.print(Output.table(List.of("NAME", "KIND", "PID", "ADDRESS", "IMAGE", "STATE", "FREEZER"), rows));
		out.flush();
		return 0;
	}

}
