package io.cse.node.instance;

import java.nio.file.Path;

import io.cse.node.linux.Host;
import io.cse.node.linux.LocalHost;

/**
 * The seams the commands work through; tests pass fakes.
 *
 * @param host runs host commands and reads {@code /proc}
 * @param probe asks instances over HTTP
 * @param agentSocket where a resident agent listens, or {@code null} to run every
 * operation in this process
 */
public record NodeContext(Host host, HttpProbe probe, Path agentSocket) {

	/**
	 * Where a resident agent listens unless told otherwise.
	 */
	public static final Path DEFAULT_AGENT_SOCKET = Path.of("/run/cse/agent.sock");

	/**
	 * A context that runs every operation in this process, with no resident agent.
	 * @param host runs host commands and reads {@code /proc}
	 * @param probe asks instances over HTTP
	 */
	public NodeContext(Host host, HttpProbe probe) {
		this(host, probe, null);
	}

	/**
	 * The real machine: operations go to the agent on {@code $CSE_AGENT_SOCKET} (default
	 * {@code /run/cse/agent.sock}) when one listens there.
	 * @return a context on this host
	 */
	public static NodeContext local() {
		String socket = System.getenv("CSE_AGENT_SOCKET");
		return new NodeContext(new LocalHost(), new JdkHttpProbe(),
				(socket != null && !socket.isBlank()) ? Path.of(socket) : DEFAULT_AGENT_SOCKET);
	}

}
