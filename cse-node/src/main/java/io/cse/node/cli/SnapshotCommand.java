package io.cse.node.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import io.cse.node.instance.NodeContext;
import io.cse.node.instance.Snapshot;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code cse snapshot}: have a running service take a snapshot of itself.
 */
@Command(name = "snapshot", mixinStandardHelpOptions = true, sortOptions = false,
		description = { "Have a running service take a snapshot of itself, in the images folder it is configured "
				+ "with (cse.images.root): a dump (POST /actuator/cse/dump: the service stops once its image is "
				+ "complete, and 'cse restore' brings back the same instance) or, with --template, a clone template "
				+ "(POST /actuator/cse/clone: it keeps running, and every restore is a new instance).",
				"With --wait, wait until the image is complete (its manifest written); without, return once the "
						+ "service has started it. Needs root." })
public final class SnapshotCommand implements Callable<Integer> {

	private final NodeContext context;

	@Spec
	CommandSpec spec;

	@Parameters(index = "0", paramLabel = "NAME", description = "The instance (see 'cse ps').")
	String name;

	@Option(names = "--template", description = "Take a clone template; the service keeps running.")
	boolean template;

	@Option(names = "--rehearse", paramLabel = "N",
			description = "With --template: first freeze and thaw the service N times (1 to 10), as a pool freezes "
					+ "and thaws its clones, with 50 requests to --rehearsal-path after each thaw, so that its clones "
					+ "find more of that code compiled; 3 is what pools are measured with. Each is a full quiesce of "
					+ "the service. Only for services started with 'cse run'.")
	Integer rehearse;

	@Option(names = "--rehearsal-path", paramLabel = "PATH",
			description = "With --rehearse: the path on the service's port asked for after each thaw (default: /).")
	String rehearsalPath;

	@Option(names = "--image", paramLabel = "ID",
			description = "The image's folder name (default: one the service makes up from its name and the time).")
	String image;

	@Option(names = "--wait", description = "Wait until the image is complete.")
	boolean waitForImage;

	@Option(names = "--timeout", paramLabel = "TIME", converter = DurationConverter.class,
			description = "How long the snapshot may take to be complete, with --wait (default: 5m; as 90, 90s, "
					+ "500ms or 2m).")
	Duration timeout;

	@Mixin
	StateOptions state;

	@Mixin
	JsonOption output;

	@Mixin
	Progress progress;

	SnapshotCommand(NodeContext context) {
		this.context = context;
	}

	@Override
	public Integer call() {
		Root.require(this.context.host(), "snapshot");
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("template", this.template);
		if (this.image != null) {
			body.put("image", this.image);
		}
		if (this.rehearse != null) {
			body.put("rehearse", this.rehearse);
		}
		if (this.rehearsalPath != null) {
			body.put("rehearsalPath", this.rehearsalPath);
		}
		body.put("wait", this.waitForImage);
		if (this.timeout != null) {
			body.put("timeout", AgentCall.duration(this.timeout));
		}
		AgentCall call = new AgentCall(this.context, this.state.stateDir);
		Snapshot snapshot;
		try (Progress.Ticker ticker = this.progress.waitingFor(this.spec,
				"waiting for " + this.name + "'s " + (this.template ? "clone template" : "dump"))) {
			snapshot = call.send("POST", "/instances/" + this.name + "/snapshot", body, Snapshot.class);
		}
		if (this.output.printed(this.spec, call)) {
			return 0;
		}
		PrintWriter out = this.spec.commandLine().getOut();
		String what = "clone".equals(snapshot.operation()) ? "clone template" : "dump";
		if (snapshot.complete()) {
			out.printf(Locale.ROOT, "%s took image %s (%s): complete after %.0f ms%n", this.name, snapshot.image(),
					what, snapshot.millis());
		}
		else {
			out.printf(Locale.ROOT, "%s started image %s (%s); see it complete with 'cse images ls'%n", this.name,
					snapshot.image(), what);
		}
		if (snapshot.rehearsals() > 0) {
			out.printf(Locale.ROOT, "  rehearsed  frozen and thawed %d times first, in %.0f ms%n", snapshot.rehearsals(),
					snapshot.rehearsalMillis());
		}
		out.printf("  folder  %s%n", snapshot.folder());
		if (snapshot.then() != null) {
			out.printf("  then    %s%n", snapshot.then());
		}
		out.printf("  next    %s%n", "clone".equals(snapshot.operation())
				? "cse clone " + snapshot.folder() + " --count N, or cse pool create " + snapshot.folder() + " --name P --size N"
				: "cse restore " + snapshot.folder());
		out.flush();
		return 0;
	}

}
