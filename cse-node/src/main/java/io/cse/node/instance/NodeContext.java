package io.cse.node.instance;

import io.cse.node.linux.Host;
import io.cse.node.linux.LocalHost;

/**
 * The seams the commands work through; tests pass fakes.
 *
 * @param host runs host commands and reads {@code /proc}
 * @param probe asks instances over HTTP
 */
public record NodeContext(Host host, HttpProbe probe) {

	/**
	 * The real machine.
	 * @return a context on this host
	 */
	public static NodeContext local() {
		return new NodeContext(new LocalHost(), new JdkHttpProbe());
	}

}
