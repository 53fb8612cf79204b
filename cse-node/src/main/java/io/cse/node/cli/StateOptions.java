package io.cse.node.cli;

import java.nio.file.Path;

import io.cse.node.instance.Registry;
import picocli.CommandLine.Option;

/**
 * {@code --state-dir}: where the registry is.
 */
final class StateOptions {

	@Option(names = "--state-dir", paramLabel = "DIR",
			defaultValue = "${env:CSE_STATE_DIR:-" + Registry.DEFAULT_STATE_DIR + "}",
			description = "Where cse keeps one file per instance it started, and their restore logs "
					+ "(default: $CSE_STATE_DIR, else " + Registry.DEFAULT_STATE_DIR + "; now ${DEFAULT-VALUE}).")
	Path stateDir;

	Registry registry() {
		return new Registry(this.stateDir);
	}

}
