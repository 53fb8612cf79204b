package io.cse.node.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import io.cse.node.instance.NodeContext;
import io.cse.node.instance.Thawed;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code cse thaw}: let a frozen service serve again.
 */
@Command(name = "thaw", mixinStandardHelpOptions = true, sortOptions = false,
		description = { "Thaw a service that 'cse freeze' froze: restore its memory limit, thaw its cgroup, let it "
				+ "resume (POST /actuator/cse/thaw; a request that reached it first may have thawed it already, "
				+ "which is fine), and print the time until it served (its 200 to the thaw).",
				"With --on-request, first wait until a connection to the frozen service's port waits in its "
						+ "listening socket's queue (where the kernel keeps it while the service is frozen), then "
						+ "thaw it: the request is served, not lost. Needs root." })
public final class ThawCommand implements Callable<Integer> {

	private static final Duration ON_REQUEST_TIMEOUT = Duration.ofHours(1);

	private final NodeContext context;

	@Spec
	CommandSpec spec;

	@Parameters(index = "0", paramLabel = "NAME", description = "The instance (see 'cse ps').")
	String name;

	@Option(names = "--on-request", description = "Wait for a connection to the service's port, then thaw.")
	boolean onRequest;

	@Option(names = "--timeout", paramLabel = "TIME", converter = DurationConverter.class,
			description = "How long the thaw may take, the wait for a connection included with --on-request "
					+ "(default: as long as the service says its thaw may take, 1h with --on-request; "
					+ "as 90, 90s, 500ms or 2m). A thaw is not called off: a service that has not "
					+ "answered by then goes on resuming.")
	Duration timeout;

	/**
	 * {@code --wait}, the name {@code --timeout} had before every command that waits took
	 * {@code --timeout}: kept for scripts, not shown.
	 * @param wait how long
	 */
	@Option(names = "--wait", paramLabel = "TIME", converter = DurationConverter.class, hidden = true)
	void setWait(Duration wait) {
		this.timeout = wait;
	}

	@Mixin
	StateOptions state;

	@Mixin
	JsonOption output;

	@Mixin
	Progress progress;

	ThawCommand(NodeContext context) {
		this.context = context;
	}

	@Override
	public Integer call() {
		Root.require(this.context.host(), "thaw");
		PrintWriter out = this.spec.commandLine().getOut();
		Duration timeout = (this.timeout == null && this.onRequest) ? ON_REQUEST_TIMEOUT : this.timeout;
		if (this.onRequest) {
			out.printf("Waiting for a request to %s (at most %d s)%n", this.name, timeout.toSeconds());
			out.flush();
		}
		Map<String, Object> body = new LinkedHashMap<>();
		if (this.onRequest) {
			body.put("onRequest", true);
		}
		if (timeout != null) {
			body.put("timeout", AgentCall.duration(timeout));
		}
		AgentCall call = new AgentCall(this.context, this.state.stateDir);
		Thawed thawed;
		try (Progress.Ticker ticker = this.progress.waitingFor(this.spec, this.onRequest
				? "waiting for a request to " + this.name : "thawing " + this.name + ", waiting for its answer")) {
			thawed = call.send("POST", "/instances/" + this.name + "/thaw", body, Thawed.class);
		}
		if (this.output.printed(this.spec, call)) {
			return 0;
		}
		out.printf(Locale.ROOT, "Thawed %s%s: serving after %.1f ms%n", this.name,
				this.onRequest ? " on a request" : "", thawed.first200Millis());
		out.printf(Locale.ROOT, "  cgroup thawed   %.1f ms%s%n", thawed.cgroupThawedMillis(),
				thawed.wasFrozen() ? "" : " (it was not frozen)");
		out.printf(Locale.ROOT, "  service resumed %.1f ms%s%n", thawed.resumedMillis(),
				thawed.thawedByRequest() ? " (a request had thawed it already)" : "");
		out.flush();
		return 0;
	}

}
