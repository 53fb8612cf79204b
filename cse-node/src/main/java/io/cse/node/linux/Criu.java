package io.cse.node.linux;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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

	private static final Path BOOT_ID = Path.of("/proc/sys/kernel/random/boot_id");

	/**
	 * Where CRIU keeps what it learnt of the kernel ({@link #cacheKernelFeatures}), the
	 * {@code cache} of {@link #KERNEL_CACHE_SCRIPT}.
	 */
	public static final Path KERNEL_CACHE = Path.of("/run/criu.kdat");

	/**
	 * {@code $1} criu, {@code $2} the stamp (boot id and CRIU version). Checks and makes the
	 * cache in one command: it runs whenever CRIU is checked before a restore (the agent
	 * checks it once, and again when its file changes or the cache is gone).
	 */
	static final String KERNEL_CACHE_SCRIPT = """
			criu="$1"; stamp="$2"; cache=/run/criu.kdat
			# On a tmpfs CRIU keeps the cache itself, and a reboot empties it.
			[ "$(stat -f -c %T /run)" = tmpfs ] && exit 0
			[ -s "$cache" ] && [ "$(cat "$cache.cse-stamp" 2>/dev/null)" = "$stamp" ] && exit 0
			# Absent, or from another boot or CRIU: never let CRIU trust it.
			rm -f "$cache" "$cache.cse-stamp"
			tmp=$(mktemp /run/.criu.kdat.XXXXXX) || exit 1
			if unshare --mount --propagation private sh -c \
			    'mount -t tmpfs -o size=1m cse-criu-kdat /run && "$1" check >/dev/null 2>&1; cat /run/criu.kdat' \
			    cse-criu-check "$criu" > "$tmp" && [ -s "$tmp" ]; then
			  echo "$stamp" > "$cache.cse-stamp" && mv "$tmp" "$cache" && exit 0
			fi
			rm -f "$tmp" "$cache.cse-stamp"
			exit 1
			""";

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
		return at(host, find(host, explicit));
	}

	/**
	 * Find the CRIU executable, without running it.
	 * @param host the host to look on
	 * @param explicit the path the user asked for, or {@code null} for the default
	 * ({@code /opt/cse/criu/bin/criu}, else {@code criu} on {@code PATH})
	 * @return the executable
	 * @throws CseException if there is none
	 */
	public static Path find(Host host, Path explicit) {
		if (explicit != null) {
			return host.findExecutable(explicit.toString())
				.orElseThrow(() -> CseException.prerequisiteMissing("CRIU not found at " + explicit + ": " + INSTALL
						+ ", or pass the path of a CRIU " + MINIMUM_VERSION + " or later with --criu"));
		}
		return host.findExecutable(DEFAULT_PATH.toString())
			.or(() -> host.findExecutable("criu"))
			.orElseThrow(() -> CseException.prerequisiteMissing("CRIU not found at " + DEFAULT_PATH + " nor on PATH: "
					+ INSTALL + " (or pass its path with --criu)"));
	}

	/**
	 * Check the version of a CRIU executable.
	 * @param host the host to run it on
	 * @param executable the executable ({@link #find})
	 * @return the CRIU to use
	 * @throws CseException if it does not run, or it is older than 4.2
	 */
	public static Criu at(Host host, Path executable) {
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
			throw CseException.prerequisiteMissing("CRIU at " + executable + " is version " + version + ", CSE needs "
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
		// The restored process stays in the agent's cgroups: by default CRIU would put it back
		// into those an image records, and clones of a template run under 'cse run' would
		// then share its freezer and memory groups (the starter's own dumps record none, as
		// their criu runs in the service's groups, but an image may come from elsewhere).
		List<String> command = new ArrayList<>(List.of(this.executable.toString(), "restore", "-D",
				imageDir.toString(), "--shell-job", "--tcp-close", "--manage-cgroups=ignore", "--work-dir",
				workDir.toString(), "-o", RESTORE_LOG));
		if (detached) {
			command.add("--restore-detached");
		}
		return command;
	}

	/**
	 * Let every later CRIU run on this host skip its probe of the kernel (about 45 ms of
	 * every restore here). CRIU keeps what it learns in {@code /run/criu.kdat}, but writes
	 * that file only when {@code /run} is a tmpfs, so that it cannot outlive a reboot. On a
	 * host whose {@code /run} is not, the agent makes the file for it: {@code criu check}
	 * in a private mount namespace with a tmpfs on {@code /run}, copied out, and stamped
	 * with the boot id and CRIU's version, and made anew as soon as either differs.
	 * Best effort: a failure costs only the probe.
	 * @param host the host to run on
	 * @return whether CRIU will find a cache that belongs to this boot
	 */
	public boolean cacheKernelFeatures(Host host) {
		String bootId = host.readFile(BOOT_ID).map(String::strip).orElse("");
		if (bootId.isEmpty()) {
			return false;
		}
		return host.run(List.of("sh", "-c", KERNEL_CACHE_SCRIPT, "cse-criu-cache", this.executable.toString(),
				bootId + " criu " + this.version)).succeeded();
	}

	public Path executable() {
		return this.executable;
	}

	public String version() {
		return this.version;
	}

}
