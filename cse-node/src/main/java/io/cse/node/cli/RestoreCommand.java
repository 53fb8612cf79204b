package io.cse.node.cli;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

import io.cse.node.instance.Deadline;
import io.cse.node.instance.Instance;
import io.cse.node.instance.NodeContext;
import io.cse.node.instance.Started;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code cse restore}: one instance from an image.
 */
@Command(name = "restore", mixinStandardHelpOptions = true, sortOptions = false,
		description = { "Restore one instance from an image written by the starter, wait until it answers 200 on "
				+ "its health path, and register it (see 'cse ps').",
				"By default the process is restored in the host's namespaces with the pid it had, which must be free; "
						+ "it answers on 127.0.0.1. With --namespace it gets network and PID namespaces of its own, "
						+ "like one clone, and answers on an address of the bridge's subnet.",
				"Needs root and CRIU 4.2 or later. A restore that fails leaves nothing behind but its logs." })
public final class RestoreCommand implements Callable<Integer> {

	private final NodeContext context;

	@Spec
	CommandSpec spec;

	@Parameters(index = "0", paramLabel = "IMAGE",
			description = "An image folder, or the id of an image under --images-root.")
	String image;

	@Option(names = "--name", paramLabel = "NAME",
			description = "The instance's name (default: the image's application name and a number).")
	String name;

	@Option(names = "--namespace",
			description = "Restore in network and PID namespaces of its own instead of the host's.")
	boolean namespace;

	@Mixin
	RestoreOptions options;

	@Mixin
	StateOptions state;

	@Mixin
	JsonOption output;

	@Mixin
	Progress progress;

	RestoreCommand(NodeContext context) {
		this.context = context;
	}

	@Override
	public Integer call() {
		Deadline deadline = Deadline.in(this.options.timeout);
		long jvmUptime = Output.jvmUptimeMillis();
		Root.require(this.context.host(), "restore");
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("image", this.options.image(this.image));
		body.put("name", this.name);
		body.put("namespace", this.namespace);
		body.put("bridge", this.namespace ? this.options.bridge : null);
		body.put("timeout", AgentCall.duration(deadline.timeout()));
		AgentCall call = this.options.call(this.context, this.state).rollingBackOnExit();
		Started started;
		try (Progress.Ticker ticker = this.progress.waitingFor(this.spec,
				"restoring " + this.image + ", waiting for its first 200")) {
			started = call.send("POST", "/restores", body, Started.class);
		}
		if (this.output.printed(this.spec, call)) {
			return 0;
		}
		Instance instance = started.instance();
		PrintWriter out = this.spec.commandLine().getOut();
		out.printf("Restored %s from image %s: first 200 after %s%n", instance.name(), instance.source().imageId(),
				Output.millis(started.first200Millis(), jvmUptime));
		out.printf("  restore   %.0f ms from the start of criu restore to the first 200%n", started.restoreMillis());
		out.printf("  pid       %d%s%n", instance.process().pid(),
				instance.namespaced() ? " (init of its PID namespace, as the host sees it)" : "");
		out.printf("  address   %s:%d%n", instance.endpoint().address(), instance.endpoint().port());
		out.printf("  instance  %s%n", instance.instanceId());
		out.printf("  health    %s%n", instance.endpoint().healthUri());
		out.flush();
		return 0;
	}

}
