package io.cse.node.cli;

import java.nio.file.Path;
import java.time.Duration;

import io.cse.node.image.Image;
import io.cse.node.linux.Bridge;
import picocli.CommandLine.Option;

/**
 * The options that {@code cse restore} and {@code cse clone} share.
 */
final class RestoreOptions {

	@Option(names = "--images-root", paramLabel = "DIR", defaultValue = Image.DEFAULT_ROOT,
			description = "Where an IMAGE given as an id is looked up (default: ${DEFAULT-VALUE}).")
	Path imagesRoot;

	@Option(names = "--criu", paramLabel = "PATH",
			description = "The CRIU (4.2 or later) to restore with (default: /opt/cse/criu/bin/criu, else criu on "
					+ "PATH; install it with scripts/install-criu.sh).")
	Path criu;

	@Option(names = "--timeout", paramLabel = "TIME", defaultValue = "60s", converter = DurationConverter.class,
			description = "How long the instances may take, from the command's start, to answer 200 on their "
					+ "health path (default: ${DEFAULT-VALUE}; as 90, 90s, 500ms or 2m).")
	Duration timeout;

	@Option(names = "--bridge", paramLabel = "NAME", defaultValue = Bridge.DEFAULT_NAME,
			description = "The host bridge of instances in namespaces of their own (default: ${DEFAULT-VALUE}); "
					+ "brought up as 'cse net up' would.")
	String bridge;

}
