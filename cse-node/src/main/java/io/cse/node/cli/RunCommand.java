package io.cse.node.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
 * {@code cse run}: start a service in cgroups of its own, so that it can be frozen.
 */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
		description = { "Start a service in cgroups of its own (v1: /sys/fs/cgroup/{freezer,memory}/cse/NAME, "
				+ "v2: /sys/fs/cgroup/cse/NAME), entered before its JVM starts, wait until "
				+ "/actuator/cse answers 200, and register it (see 'cse ps'). Its output is appended to "
				+ "<state-dir>/logs/NAME/service.log.",
				"A java command gets -XX:-UsePerfData unless it sets UsePerfData itself: the JVM's shared "
						+ "performance data file would otherwise stay mapped in /tmp, which a snapshot of the "
						+ "service cannot carry.",
				"Freeze it with 'cse freeze NAME', remove it with 'cse stop NAME'. Needs root." })
public final class RunCommand implements Callable<Integer> {

	private static final Pattern SERVER_PORT = Pattern.compile("--server\\.port=(\\d+)|-Dserver\\.port=(\\d+)");

	private static final Pattern MANAGEMENT_PORT = Pattern
		.compile("--management\\.server\\.port=(\\d+)|-Dmanagement\\.server\\.port=(\\d+)");

	private static final Pattern BASE_PATH = Pattern
		.compile("--management\\.endpoints\\.web\\.base-path=(\\S+)|-Dmanagement\\.endpoints\\.web\\.base-path=(\\S+)");

	private final NodeContext context;

	@Spec
	CommandSpec spec;

	@Option(names = "--name", required = true, paramLabel = "NAME", description = "The instance's name.")
	String name;

	@Option(names = "--port", paramLabel = "PORT",
			description = "The service's HTTP port (default: --server.port=N of the command if it has one, else 8080).")
	Integer port;

	@Option(names = "--management-port", paramLabel = "PORT",
			description = "The port of the service's actuator, where the agent finds /actuator/cse (default: "
					+ "--management.server.port=N of the command if it has one, else the service's port).")
	Integer managementPort;

	@Option(names = "--endpoint-path", paramLabel = "PATH",
			description = "The CSE endpoint's path (default: the command's "
					+ "--management.endpoints.web.base-path=P followed by /cse if it has one, else /actuator/cse).")
	String endpointPath;

	@Option(names = "--timeout", paramLabel = "TIME", defaultValue = "120s", converter = DurationConverter.class,
			description = "How long the service may take to answer 200 on /actuator/cse (default: ${DEFAULT-VALUE}).")
	Duration timeout;

	@Parameters(arity = "1..*", paramLabel = "COMMAND",
			description = "The service's command, after '--': for example -- java -jar app.jar --server.port=8081.")
	List<String> command = new ArrayList<>();

	@Mixin
	StateOptions state;

	@Mixin
	JsonOption output;

	@Mixin
	Progress progress;

	RunCommand(NodeContext context) {
		this.context = context;
	}

	@Override
	public Integer call() {
		Deadline deadline = Deadline.in(this.timeout);
		long jvmUptime = Output.jvmUptimeMillis();
		Root.require(this.context.host(), "run");
		int servicePort = (this.port != null) ? this.port : portOf(this.command);
		int actuatorPort = (this.managementPort != null) ? this.managementPort
				: valueOf(MANAGEMENT_PORT, this.command, servicePort);
		String statusPath = (this.endpointPath != null) ? this.endpointPath : endpointPathOf(this.command);
		List<String> serviceCommand = withoutPerfData(this.command);
		AgentCall call = new AgentCall(this.context, this.state.stateDir);
		Started started;
		try (Progress.Ticker ticker = this.progress.waitingFor(this.spec,
				"starting " + this.name + ", waiting for its endpoint to answer")) {
			started = call.send("POST", "/instances", new RunBody(this.name, servicePort, actuatorPort, statusPath,
					serviceCommand, AgentCall.duration(deadline.timeout())), Started.class);
		}
		if (this.output.printed(this.spec, call)) {
			return 0;
		}
		Instance instance = started.instance();
		PrintWriter out = this.spec.commandLine().getOut();
		out.printf("Started %s: %s answered 200 after %s%n", instance.name(), instance.endpoint().endpointUri(""),
				Output.millis(started.first200Millis(), jvmUptime));
		out.printf("  pid       %d%n", instance.process().pid());
		out.printf("  address   %s:%d%n", instance.endpoint().address(), instance.endpoint().port());
		out.printf("  instance  %s%n", instance.instanceId());
		out.printf("  cgroups   %s, %s%n", instance.cgroups().freezer(), instance.cgroups().memory());
		out.printf("  log       %s%n", instance.serviceLog());
		out.flush();
		return 0;
	}

	/**
	 * The CSE endpoint's path as the command configures the actuator's base path.
	 */
	static String endpointPathOf(List<String> command) {
		String basePath = null;
		for (String argument : command) {
			Matcher matcher = BASE_PATH.matcher(argument);
			if (matcher.matches()) {
				basePath = (matcher.group(1) != null) ? matcher.group(1) : matcher.group(2);
			}
		}
		if (basePath == null) {
			return "/actuator/cse";
		}
		String trimmed = basePath.endsWith("/") ? basePath.substring(0, basePath.length() - 1) : basePath;
		return (trimmed.startsWith("/") ? trimmed : "/" + trimmed) + "/cse";
	}

	private static int valueOf(Pattern option, List<String> command, int otherwise) {
		int found = otherwise;
		for (String argument : command) {
			Matcher matcher = option.matcher(argument);
			if (matcher.matches()) {
				found = Integer.parseInt((matcher.group(1) != null) ? matcher.group(1) : matcher.group(2));
			}
		}
		return found;
	}

	static int portOf(List<String> command) {
		return valueOf(SERVER_PORT, command, 8080);
	}

	/**
	 * The command, with {@code -XX:-UsePerfData} after the program if it is {@code java} and
	 * does not choose itself.
	 */
	static List<String> withoutPerfData(List<String> command) {
		String program = command.get(0);
		boolean java = program.equals("java") || program.endsWith("/java");
		boolean chosen = command.stream().anyMatch((argument) -> argument.contains("UsePerfData"));
		if (!java || chosen) {
			return command;
		}
		List<String> changed = new ArrayList<>(command);
		changed.add(1, "-XX:-UsePerfData");
		return changed;
	}

	private record RunBody(String name, int port, int managementPort, String endpointPath, List<String> command,
			String timeout) {

	}

}
