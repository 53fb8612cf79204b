package io.cse.node.linux;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.cse.node.CseException;

/**
 * The CRIU executable the node agent restores images with, and the command lines it
 * runs.
 */
public final class Criu {

	/**
	 * Where {@code scripts/install-criu.sh} puts its wrapper.
	 */
	public static final Path DEFAULT_PATH = Path.of("/opt/cse/criu/bin/criu");

	/**
	 * The oldest CRIU that works on the project's kernels and dumps TCP sockets.
	 */
	public static final String MINIMUM_VERSION = "4.2";

	/**
	 * The name of CRIU's own log of a restore, written into the restore's work folder.
	 */
	public static final String RESTORE_LOG = "restore.log";

	private static final Pattern VERSION = Pattern.compile("Version:\\s*(\\d+)\\.(\\d+)(\\S*)");

	private static final String INSTALL = "install it with scripts/install-criu.sh";

	private final Path executable;

	private final String version;

	private Criu(Path executable, String version) {
		this.executable = executable;
		this.version = version;
	}

	/**
	 * Find CRIU and check its version.
	 * @param host the host to look on
	 * @param explicit the path the user asked for, or {@code null} for the default
	 * ({@code /opt/cse/criu/bin/criu}, else {@code criu} on {@code PATH})
	 * @return the CRIU to use
	 * @throws CseException if there is none, or it is older than 4.2
	 */
	public static Criu locate(Host host, Path explicit) {
		Path executable;
		if (explicit != null) {
			executable = host.findExecutable(explicit.toString())
				.orElseThrow(() -> new CseException("CRIU not found at " + explicit + ": " + INSTALL
						+ ", or pass the path of a CRIU " + MINIMUM_VERSION + " or later with --criu"));
		}
		else {
			Optional<Path> found = host.findExecutable(DEFAULT_PATH.toString());
			executable = found.or(() -> host.findExecutable("criu"))
				.orElseThrow(() -> new CseException("CRIU not found at " + DEFAULT_PATH + " nor on PATH: " + INSTALL
						+ " (or pass its path with --criu)"));
		}
		CommandResult result = host.run(List.of(executable.toString(), "--version"));
		Matcher matcher = VERSION.matcher(result.output());
		if (!result.succeeded() || !matcher.find()) {
			throw new CseException("CRIU at " + executable + " does not work ('" + executable + " --version' said: "
					+ result.output().strip() + "): " + INSTALL);
		}
		int major = Integer.parseInt(matcher.group(1));
		int minor = Integer.parseInt(matcher.group(2));
		String version = major + "." + minor + matcher.group(3);
		if (major < 4 || (major == 4 && minor < 2)) {
			throw new CseException("CRIU at " + executable + " is version " + version + ", CSE needs "
					+ MINIMUM_VERSION + " or later (older ones fail on recent kernels and on TCP sockets): " + INSTALL);
		}
		return new Criu(executable, version);
	}

	/**
	 * The command that restores an image.
	 * @param imageDir the image folder (read only: many restores share it)
	 * @param workDir the folder CRIU writes its log into, one per restore
	 * @param detached whether CRIU exits once the process runs ({@code --restore-detached});
	 * without it CRIU stays the restored tree's parent and exits with it
	 * @return the command line
	 */
	public List<String> restoreCommand(Path imageDir, Path workDir, boolean detached) {
		List<String> command = new ArrayList<>(List.of(this.executable.toString(), "restore", "-D",
				imageDir.toString(), "--shell-job", "--tcp-close", "--work-dir", workDir.toString(), "-o", RESTORE_LOG));
		if (detached) {
			command.add("--restore-detached");
		}
		return command;
	}

	public Path executable() {
		return this.executable;
	}

	public String version() {
		return this.version;
	}

}
