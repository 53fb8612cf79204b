package io.cse.node.cli;

import io.cse.node.CseException;
import io.cse.node.linux.Host;

/**
 * The check that a command runs as root.
 */
final class Root {

	private Root() {
	}

	static void require(Host host, String command) {
		if (!host.isRoot()) {
			throw CseException.prerequisiteMissing("'cse " + command + "' changes the host (CRIU, network namespaces, signals to "
					+ "other users' processes): run as root, for example with sudo");
		}
	}

}
