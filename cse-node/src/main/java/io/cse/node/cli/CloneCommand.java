package io.cse.node.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.core.type.TypeReference;
import io.cse.node.instance.Deadline;
import io.cse.node.instance.Instance;
import io.cse.node.instance.NodeContext;
import io.cse.node.instance.Started;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code cse clone}: many instances from one template image.
 */
@Command(name = "clone", mixinStandardHelpOptions = true, sortOptions = false,
		description = { "Restore a template image N times, each clone in network and PID namespaces of its own "
				+ "(netns cse-NAME, a veth pair on the host bridge, an address of the bridge's subnet from .10 up), "
				+ "wait until all answer 200 on their health path, and register them (see 'cse ps').",
				"Each clone gives itself a new instance id after its restore. Clones reach services on the host "
						+ "through the bridge's address (10.199.0.1 by default). The bridge is brought up if needed.",
				"Needs root and CRIU 4.2 or later. If any clone fails, the others this command started are stopped "
						+ "and nothing is left behind but their logs." })
public final class CloneCommand implements Callable<Integer> {

	private final NodeContext context;

	@Spec
	CommandSpec spec;

	@Parameters(index = "0", paramLabel = "IMAGE",
			description = "A template image folder, or the id of one under --images-root.")
	String image;

	@Option(names = "--count", paramLabel = "N", required = true, description = "How many clones.")
	int count;

	@Option(names = "--name-prefix", paramLabel = "PREFIX",
			description = "The clones are named PREFIX-1, PREFIX-2, ... (lowest free numbers first; default: the image's "
					+ "application name).")
	String namePrefix;

	@Option(names = "--parallel", paramLabel = "N",
			description = "How many restores run at the same time (default: all of them; a restore waits on memory "
					+ "copies and process set-up as much as on the processor, so more restores than processors still "
					+ "finish sooner: 4 clones on 2 cores answered after 1.5 s at once, 1.9 s two by two).")
	Integer parallel;

	@Option(names = "--freezable",
			description = "Give each clone cgroups of its own, so that 'cse freeze' and 'cse thaw' work on it.")
	boolean freezable;

	@Mixin
	RestoreOptions options;

	@Mixin
	StateOptions state;

	@Mixin
	JsonOption output;

	@Mixin
	Progress progress;

	CloneCommand(NodeContext context) {
		this.context = context;
	}

	@Override
	public Integer call() {
		Deadline deadline = Deadline.in(this.options.timeout);
		long jvmUptime = Output.jvmUptimeMillis();
		if (this.count < 1) {
			throw new ParameterException(this.spec.commandLine(),
					"--count must be at least 1, not " + this.count);
		}
		Root.require(this.context.host(), "clone");
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("image", this.options.image(this.image));
		body.put("count", this.count);
		body.put("namePrefix", this.namePrefix);
		body.put("parallel", this.parallel);
		body.put("bridge", this.options.bridge);
		body.put("freezable", this.freezable);
		body.put("timeout", AgentCall.duration(deadline.timeout()));
		AgentCall call = this.options.call(this.context, this.state).rollingBackOnExit();
		List<Started> clones;
		try (Progress.Ticker ticker = this.progress.waitingFor(this.spec,
				"cloning " + this.image + " " + this.count + " times, waiting for every clone's first 200")) {
			clones = call.send("POST", "/clones", body, new TypeReference<List<Started>>() {
			});
		}
		if (this.output.printed(this.spec, call)) {
			return 0;
		}
		double total = deadline.elapsedMillis();
		List<List<String>> rows = new ArrayList<>();
		for (Started clone : clones) {
			Instance instance = clone.instance();
			rows.add(List.of(instance.name(), instance.endpoint().address() + ":" + instance.endpoint().port(),
					Long.toString(instance.process().pid()),
					instance.instanceId(), String.format(Locale.ROOT, "%.0f ms", clone.first200Millis()),
					String.format(Locale.ROOT, "%.0f ms", clone.restoreMillis())));
		}
		PrintWriter out = this.spec.commandLine().getOut();
		out.print(Output.table(List.of("NAME", "ADDRESS", "PID", "INSTANCE", "FIRST 200", "RESTORE"), rows));
		out.printf("%d clone%s of image %s answer 200: all after %s%n", clones.size(), (clones.size() == 1) ? "" : "s",
				clones.get(0).instance().source().imageId(), Output.millis(total, jvmUptime));
		out.println("PID: the init of the clone's PID namespace, as the host sees it. FIRST 200: from the command's "
				+ "start. RESTORE: from the start of its criu restore.");
		out.flush();
		return 0;
	}

}
