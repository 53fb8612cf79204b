package io.cse.node.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import io.cse.node.instance.Footprint;
import io.cse.node.instance.Frozen;
import io.cse.node.instance.NodeContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code cse freeze}: quiesce a service and freeze its cgroup.
 */
@Command(name = "freeze", mixinStandardHelpOptions = true, sortOptions = false,
		description = { "Freeze a service that 'cse run' started: ask it to quiesce (POST /actuator/cse/freeze, "
				+ "which must answer 200), then freeze its cgroup, so that it uses no CPU.",
				"With --squeeze, then push its memory out to compressed swap: turn zram swap on if no swap is "
						+ "active (undone by 'cse stop' once no service is left), and lower the group's memory "
						+ "limit in halves down to --floor until the kernel cannot go lower.",
				"Prints CPU time, resident and charged memory, and what zram holds, before and after. "
						+ "Thaw it with 'cse thaw NAME'. Needs root." })
public final class FreezeCommand implements Callable<Integer> {

	private final NodeContext context;

	@Spec
	CommandSpec spec;

	@Parameters(index = "0", paramLabel = "NAME", description = "The instance (see 'cse ps').")
	String name;

	@Option(names = "--squeeze", description = "Push the frozen service's memory out to compressed swap.")
	boolean squeeze;

	@Option(names = "--floor", paramLabel = "MIB", defaultValue = "4",
			description = "The lowest memory limit a squeeze tries, in MiB (default: ${DEFAULT-VALUE}).")
	long floorMegabytes;

	@Option(names = "--wake-on-request",
			description = "Let the resident agent thaw it when a connection arrives (needs 'cse agent' running).")
	boolean wakeOnRequest;

	@Option(names = "--timeout", paramLabel = "TIME", converter = DurationConverter.class,
			description = "How long the freeze, and the squeeze, may take; a freeze not done by then is called off "
					+ "and the service runs as before (default: as long as the service says its freeze may take; "
					+ "as 90, 90s, 500ms or 2m).")
	Duration timeout;

	@Mixin
	StateOptions state;

	@Mixin
	JsonOption output;

	@Mixin
	Progress progress;

	FreezeCommand(NodeContext context) {
		this.context = context;
	}

	@Override
	public Integer call() {
		Root.require(this.context.host(), "freeze");
		AgentCall call = new AgentCall(this.context, this.state.stateDir);
		Frozen frozen;
		try (Progress.Ticker ticker = this.progress.waitingFor(this.spec,
				"freezing " + this.name + (this.squeeze ? " and squeezing its memory" : ""))) {
			Map<String, Object> body = new LinkedHashMap<>();
			body.put("squeeze", this.squeeze);
			body.put("floorMiB", this.floorMegabytes);
			body.put("wakeOnRequest", this.wakeOnRequest);
			if (this.timeout != null) {
				body.put("timeout", AgentCall.duration(this.timeout));
			}
			frozen = call.send("POST", "/instances/" + this.name + "/freeze", body, Frozen.class);
		}
		if (this.output.printed(this.spec, call)) {
			return 0;
		}
		PrintWriter out = this.spec.commandLine().getOut();
		out.printf(Locale.ROOT, "Froze %s%s: quiesced in %.0f ms, cgroup frozen after %.0f ms%s%n", this.name,
				frozen.squeezed() ? " and squeezed it" : "", frozen.quiescedMillis(), frozen.frozenMillis(),
				frozen.squeezed() ? String.format(Locale.ROOT, ", squeezed after %.0f ms", frozen.totalMillis()) : "");
		if (this.wakeOnRequest) {
			out.println("  wakes on its next connection: the agent thaws it then");
		}
		if (frozen.swapSetUp()) {
			out.println("  turned zram swap on (cse stop turns it off once no service is left)");
		}
		printFootprints(out, frozen.before(), frozen.after());
		out.flush();
		return 0;
	}

	static void printFootprints(PrintWriter out, Footprint before, Footprint after) {
		out.printf("  %-22s %12s %12s%n", "", "before", "after");
		out.printf("  %-22s %12s %12s%n", "CPU time", millis(before.cpuMillis()), millis(after.cpuMillis()));
		out.printf("  %-22s %12s %12s%n", "resident (RSS)", bytes(before.residentBytes()),
				bytes(after.residentBytes()));
		out.printf("  %-22s %12s %12s%n", "charged (cgroup)", bytes(before.chargedBytes()),
				bytes(after.chargedBytes()));
		out.printf("  %-22s %12s %12s%n", "zram, uncompressed", bytes(before.swappedBytes()),
				bytes(after.swappedBytes()));
		out.printf("  %-22s %12s %12s%n", "zram, compressed", bytes(before.compressedBytes()),
				bytes(after.compressedBytes()));
	}

	static String bytes(long bytes) {
		return (bytes < 0) ? "-" : String.format(Locale.ROOT, "%.1f MiB", bytes / 1024.0 / 1024.0);
	}

	static String millis(long millis) {
		return (millis < 0) ? "-" : millis + " ms";
	}

}
