package io.cse.node.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import io.cse.node.agent.Agent;
import io.cse.node.agent.AgentServer;
import io.cse.node.image.Image;
import io.cse.node.instance.NodeContext;
import io.cse.node.instance.ReconcileReport;
import io.cse.node.linux.Bridge;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code cse agent}: the resident agent, serving the API until it is stopped.
 */
@Command(name = "agent", mixinStandardHelpOptions = true, sortOptions = false,
		description = { "Run the resident node agent: the one process on this host that starts, freezes, restores, "
				+ "clones and stops instances, serving its HTTP/JSON API (docs/agent-api.md) on a Unix socket that "
				+ "only root may open, and with --tcp-port on a loopback port that wants a bearer token.",
				"Other 'cse' commands then go through it. Stop it with SIGTERM (systemctl stop cse-agent): the "
						+ "instances it started keep running. Needs root." })
public final class AgentCommand implements Callable<Integer> {

	private final NodeContext context;

	@Spec
	CommandSpec spec;

	@Option(names = "--socket", paramLabel = "PATH",
			description = "The API's Unix socket (default: $CSE_AGENT_SOCKET, else /run/cse/agent.sock).")
	Path socket;

	@Option(names = "--tcp-port", paramLabel = "PORT",
			description = "Also serve the API on 127.0.0.1:PORT (0: any free port); needs --token-file.")
	Integer tcpPort;

	@Option(names = "--token-file", paramLabel = "FILE",
			description = "The bearer token TCP callers must send, in a file only its owner may read (mode 0600).")
	Path tokenFile;

	@Option(names = "--images-root", paramLabel = "DIR", defaultValue = Image.DEFAULT_ROOT,
			description = "Where images named by id are (default: ${DEFAULT-VALUE}).")
	Path imagesRoot;

	@Option(names = "--criu", paramLabel = "PATH",
			description = "The CRIU (4.2 or later) to restore with (default: /opt/cse/criu/bin/criu, else criu on "
					+ "PATH).")
	Path criu;

	@Option(names = "--bridge", paramLabel = "NAME", defaultValue = Bridge.DEFAULT_NAME,
			description = "The bridge clones hang on unless a request names another (default: ${DEFAULT-VALUE}).")
	String bridge;

	@Mixin
	StateOptions state;

	AgentCommand(NodeContext context) {
		this.context = context;
	}

	@Override
	public Integer call() throws InterruptedException {
		if ((this.tcpPort != null) != (this.tokenFile != null)) {
			throw new ParameterException(this.spec.commandLine(),
					"--tcp-port and --token-file go together: a TCP listener always wants a token");
		}
		Root.require(this.context.host(), "agent");
		Path socket = (this.socket != null) ? this.socket
				: (this.context.agentSocket() != null) ? this.context.agentSocket() : NodeContext.DEFAULT_AGENT_SOCKET;
		AgentServer.Tcp tcp = (this.tcpPort != null) ? AgentServer.Tcp.withTokenFile(this.tcpPort, this.tokenFile)
				: null;
		Agent agent = new Agent(this.context,
				new Agent.Settings(this.state.stateDir, this.imagesRoot, this.criu, this.bridge));
		CountDownLatch stopped = new CountDownLatch(1);
		Agent.Serving serving = agent.serveReconciled(socket, tcp);
		try (AgentServer server = serving.server()) {
			Runtime.getRuntime().addShutdownHook(new Thread(() -> {
				server.close();
				agent.close();
				stopped.countDown();
			}, "cse-agent-stop"));
			this.spec.commandLine()
				.getOut()
				.printf("cse agent serves %s%s (state %s, images %s)%n", socket,
						(tcp != null) ? " and 127.0.0.1:" + server.tcpPort() : "", this.state.stateDir,
						this.imagesRoot);
			List<ReconcileReport.Finding> findings = serving.reconciled().findings();
			this.spec.commandLine().getOut().printf("Reconciled: %s%n", findings.isEmpty() ? "nothing to do"
					: findings.size() + " finding" + ((findings.size() == 1) ? "" : "s"));
			for (ReconcileReport.Finding finding : findings) {
				this.spec.commandLine().getOut().printf("  %s%n", finding);
			}
			this.spec.commandLine().getOut().flush();
			stopped.await();
		}
		return 0;
	}

}
