package io.cse.node.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import io.cse.node.image.Image;
import io.cse.node.instance.NodeContext;
import io.cse.node.linux.Bridge;
import picocli.CommandLine.Option;

/**
 * The options that {@code cse restore} and {@code cse clone} share.
 */
final class RestoreOptions {

	@Option(names = "--images-root", paramLabel = "DIR", defaultValue = Image.DEFAULT_ROOT,
			description = "Where an image given as an id is looked up (default: ${DEFAULT-VALUE}).")
	Path imagesRoot;

	@Option(names = "--criu", paramLabel = "PATH",
			description = "The CRIU (4.2 or later) to restore with (default: /opt/cse/criu/bin/criu, else criu on "
					+ "PATH; install it with scripts/install-criu.sh).")
	Path criu;

	@Option(names = "--bridge", paramLabel = "NAME", defaultValue = Bridge.DEFAULT_NAME,
			description = "The host bridge of instances in namespaces of their own (default: ${DEFAULT-VALUE}); "
					+ "brought up as 'cse net up' would.")
	String bridge;

	@Option(names = "--timeout", paramLabel = "TIME", defaultValue = "60s", converter = DurationConverter.class,
			description = "How long the instances may take, from the command's start, to answer 200 on their "
					+ "health path (default: ${DEFAULT-VALUE}; as 90, 90s, 500ms or 2m).")
	Duration timeout;

	/**
	 * A call to the agent, which an agent made for it runs with these options.
	 */
	AgentCall call(NodeContext context, StateOptions state) {
		return new AgentCall(context, state.stateDir, this.imagesRoot, this.criu, this.bridge);
	}

	/**
	 * The image as the agent takes it: an id as given, a folder as an absolute path (a
	 * resident agent does not run in the caller's folder).
	 */
	String image(String argument) {
		Path path = Path.of(argument);
		boolean folder = argument.contains("/") || argument.startsWith(".") || Files.isDirectory(path);
		return folder ? path.toAbsolutePath().normalize().toString() : argument;
	}

}
