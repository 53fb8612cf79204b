package io.cse.criu;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.management.HotSpotDiagnosticMXBean;
import io.cse.Setting;
import io.cse.SettingNames;
import io.cse.SnapshotOutcome;
import io.cse.linux.ProcFs;
import io.cse.snapshot.EngineStatus;
import io.cse.snapshot.ImageManifest;
import io.cse.snapshot.ImageSealer;
import io.cse.snapshot.SnapshotEngine;
import io.cse.snapshot.SnapshotException;
import io.cse.snapshot.SnapshotSpec;

/**
 * Snapshots the process with CRIU on any JDK: a {@code criu dump} of the JVM's own process,
 * run outside the JVM's process tree (a process cannot be dumped by one of its own
 * children), while the JVM waits with every participant quiesced.
 * <p>
 * The JVM starts a detached shell ({@code setsid}, its parent exits at once) that runs
 * {@code criu dump}, then, only if the dump succeeded, seals the image with
 * {@link ImageSealer} in a JVM of its own (files {@code 0600}, their SHA-256 in the
 * manifest, the manifest written last), and finally writes the exit code next to the
 * image. Meanwhile
 * the JVM re-reads its own start time every couple of milliseconds: a restored process
 * has a new start time, which is how it notices, by itself, that it was
 * restored. Established TCP connections do not break the dump
 * ({@code --tcp-established}); a restore brings them back closed.
 * <p>
 * The only class of the starter that runs {@code criu}.
 */
public class CriuEngine implements SnapshotEngine {

	private static final Logger logger = Logger.getLogger(CriuEngine.class.getName());

	/** The minimum version: 3.x fails on recent kernels, 4.1 cannot dump TCP sockets. */
	static final int[] MINIMUM_VERSION = { 4, 2 };

	private static final Pattern VERSION = Pattern.compile("Version:\\s*(\\d+)\\.(\\d+)(?:\\.(\\d+))?");

	private static final int CAP_SYS_ADMIN = 21;

	private static final int CAP_CHECKPOINT_RESTORE = 40;

	/**
	 * The detached dump: {@code $1} criu, {@code $2} pid, {@code $3} image folder,
	 * {@code $4} exit-code file, {@code $5} 1 to leave the process running, {@code $6} the
	 * java command and {@code $7} the class path that seal the image. The manifest
	 * ({@link ImageManifest#FILE_NAME}) is written last, and only after a successful dump.
	 */
	static final String DUMP_SCRIPT = readScript("dump.sh");

	private final List<Path> candidates;

	private final ProcFs procFs;

	private final CommandRunner commands;

	private final Duration dumpTimeout;

	private final JvmOptions jvmOptions;

	private volatile EngineStatus status;

	private volatile Path criu;

	private volatile SettingNames settingNames = SettingNames.JAVA;

	/**
	 * Create an engine.
	 * @param configuredPath the CRIU binary to use, or {@code null}
	 * to look in {@code /opt/cse/criu/bin/criu} (where {@code scripts/install-criu.sh}
	 * puts it) and on the {@code PATH}
	 * @param procFs reads this process's state
	 * @param dumpTimeout how long a dump may take before the snapshot is given up
	 */
	public CriuEngine(Path configuredPath, ProcFs procFs, Duration dumpTimeout) {
		this(candidates(configuredPath), procFs, CommandRunner.SYSTEM, dumpTimeout, JvmOptions.RUNNING);
	}

	CriuEngine(List<Path> candidates, ProcFs procFs, CommandRunner commands, Duration dumpTimeout,
			JvmOptions jvmOptions) {
		this.candidates = candidates;
		this.procFs = procFs;
		this.commands = commands;
		this.dumpTimeout = dumpTimeout;
		this.jvmOptions = jvmOptions;
	}

	/**
	 * Set what the users of the application call the settings that messages advise
	 * changing.
	 * @param settingNames the names; {@link SettingNames#JAVA} unless set
	 */
	public void setSettingNames(SettingNames settingNames) {
		this.settingNames = settingNames;
	}

	private static String readScript(String name) {
		try (InputStream in = CriuEngine.class.getResourceAsStream(name)) {
			if (in == null) {
				throw new IllegalStateException("The script " + name + " is missing from the cse-core jar");
			}
			return new String(SystemCommands.readFully(in), StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static List<Path> candidates(Path configuredPath) {
		if (configuredPath != null) {
			return Collections.singletonList(configuredPath);
		}
		List<Path> candidates = new ArrayList<>();
		candidates.add(Paths.get("/opt/cse/criu/bin/criu"));
		String path = System.getenv("PATH");
		if (path != null) {
			for (String directory : path.split(":")) {
				if (!directory.isEmpty()) {
					candidates.add(Paths.get(directory, "criu"));
				}
			}
		}
		return candidates;
	}

	@Override
	public String getName() {
		return "criu";
	}

	@Override
	public boolean canLeaveRunning() {
		return true;
	}

	@Override
	public EngineStatus getStatus() {
		EngineStatus current = this.status;
		if (current == null) {
			// Found lazily: running criu --version at start-up would slow every start.
			current = detect();
			this.status = current;
		}
		return current;
	}

	private EngineStatus detect() {
		if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux") || !this.procFs.isAvailable()) {
			return EngineStatus.unavailable(getName(), "CRIU snapshots need Linux (this is "
					+ System.getProperty("os.name") + "): run the service on Linux, or on a CRaC JDK");
		}
		Path binary = this.candidates.stream().filter(Files::isExecutable).findFirst().orElse(null);
		if (binary == null) {
			return EngineStatus.unavailable(getName(), "CRIU was not found (looked at " + this.candidates.get(0)
					+ " and on the PATH): install CRIU " + minimum() + " or later with scripts/install-criu.sh, or set "
					+ this.settingNames.nameOf(Setting.CRIU_PATH));
		}
		String version;
		try {
			version = version(this.commands.run(Arrays.asList(binary.toString(), "--version"), Duration.ofSeconds(10)));
		}
		catch (IOException ex) {
			return EngineStatus.unavailable(getName(), "Cannot run " + binary + " --version (" + ex.getMessage()
					+ "): reinstall CRIU with scripts/install-criu.sh, or set " + this.settingNames.nameOf(Setting.CRIU_PATH));
		}
		if (version == null || !atLeastMinimum(version)) {
			return EngineStatus.unavailable(getName(), "CRIU " + ((version != null) ? version : "of unknown version")
					+ " at " + binary + " is too old: CRIU " + minimum() + " or later is needed (older ones fail on "
					+ "recent kernels or cannot dump TCP sockets); install it with scripts/install-criu.sh");
		}
		if (this.procFs.effectiveUid() != 0 && !this.procFs.hasCapability(CAP_CHECKPOINT_RESTORE)
				&& !this.procFs.hasCapability(CAP_SYS_ADMIN)) {
			return EngineStatus.unavailable(getName(), "CRIU needs privileges this process lacks: run the service as "
					+ "root, or give the JVM CAP_CHECKPOINT_RESTORE and CAP_SYS_PTRACE");
		}
		if (this.procFs.sessionId() == 0) {
			// Started by a process of another PID namespace (a sandbox, or `unshare --pid`)
			// without a session of its own: CRIU can neither dump nor recreate that session.
			return EngineStatus.unavailable(getName(), "This process's session leader is outside its PID namespace, "
					+ "which CRIU cannot dump: start the service in a session of its own (setsid java ..., a "
					+ "systemd unit, or cse run)");
		}
		if (this.jvmOptions.mapsSharedPerfData()) {
			// The JVM maps /tmp/hsperfdata_<user>/<pid>: clones would share it, and once the
			// original exits (it deletes the file) no restore of the image would work.
			return EngineStatus.unavailable(getName(), "The JVM shares its performance data through a file "
					+ "(/tmp/hsperfdata_" + System.getProperty("user.name") + "/<pid>) that an image cannot carry: "
					+ "start the service with -XX:-UsePerfData (or -XX:+PerfDisableSharedMem)");
		}
		this.criu = binary;
		return EngineStatus.available(getName(), version);
	}

	static String version(String output) {
		Matcher matcher = VERSION.matcher(output);
		if (!matcher.find()) {
			return null;
		}
		return matcher.group(1) + "." + matcher.group(2) + ((matcher.group(3) != null) ? "." + matcher.group(3) : "");
	}

	static boolean atLeastMinimum(String version) {
		String[] parts = version.split("\\.");
		int major = Integer.parseInt(parts[0]);
		int minor = Integer.parseInt(parts[1]);
		return major > MINIMUM_VERSION[0] || (major == MINIMUM_VERSION[0] && minor >= MINIMUM_VERSION[1]);
	}

	private static String minimum() {
		return MINIMUM_VERSION[0] + "." + MINIMUM_VERSION[1];
	}

	@Override
	public SnapshotOutcome snapshot(SnapshotSpec spec) throws SnapshotException {
		EngineStatus current = getStatus();
		if (!current.available()) {
			throw new SnapshotException(current.reason());
		}
		Path folder = spec.folder();
		Path exitCode = folder.resolveSibling(folder.getFileName() + ".criu-exit");
		// A name no image can have (image names start with a letter or digit); the dump
		// script deletes it.
		Path sealer = folder.resolveSibling("." + folder.getFileName() + ".sealer");
		try {
			Files.deleteIfExists(exitCode);
			spec.manifest().writePending(folder);
			ImageSealer.installClasses(sealer);
		}
		catch (IOException ex) {
			throw new SnapshotException("Cannot write into the image folder " + folder + ": " + ex.getMessage(), ex);
		}
		long startTime = this.procFs.startTime();
		// The network locks already there: one that appears during the dump is CRIU's
		Set<String> locksBefore = networkLocks();
		try {
			this.commands.startDetached(Arrays.asList("setsid", "--fork", "/bin/sh", "-c", DUMP_SCRIPT, "cse-criu-dump",
					this.criu.toString(), Long.toString(this.procFs.pid()), folder.toString(),
					exitCode.toString(), spec.leaveRunning() ? "1" : "0",
					Paths.get(System.getProperty("java.home"), "bin", "java").toString(), sealer.toString()));
		}
		catch (IOException ex) {
			throw new SnapshotException("Cannot start criu: " + ex.getMessage(), ex);
		}
		long deadline = System.nanoTime() + this.dumpTimeout.toNanos();
		while (true) {
			// The start time first: a restored process also finds the exit code of the dump
			// that produced it.
			long now = this.procFs.startTime();
			if (now != startTime && now != -1) {
				deleteQuietly(exitCode);
				return SnapshotOutcome.RESTORED;
			}
			Integer code = readExitCode(exitCode);
			if (code != null) {
				deleteQuietly(exitCode);
				if (code == 0) {
					return SnapshotOutcome.CONTINUED;
				}
				// A CRIU that failed or was killed before it unlocked leaves its network lock:
				// the instance would resume without a packet in or out
				String left = removeNewNetworkLocks(locksBefore);
				throw new SnapshotException("criu dump failed with exit code " + code + ": " + logTail(folder)
						+ ((left != null) ? "; " + left : ""));
			}
			if (System.nanoTime() > deadline) {
				String log = logTail(folder);
				String left = abandon(exitCode, locksBefore);
				throw new SnapshotException("criu dump did not finish within " + this.dumpTimeout.getSeconds()
						+ " s (raise " + this.settingNames.nameOf(Setting.CRIU_DUMP_TIMEOUT) + "): " + log
						+ ((left != null) ? "; " + left : ""));
			}
			LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
		}
	}

	/**
	 * Stop a dump that ran out of time, before the instance resumes: kill the dump script
	 * and CRIU with it (the script leads a process group of its own), then remove the
	 * nftables table that CRIU locks the process's connections with (an {@code inet} table
	 * named {@code CRIU-<run id>}, the one that appeared during the dump): a CRIU killed
	 * before it unlocks leaves it behind, and the instance would resume without a packet
	 * of its connections in or out.
	 * @return what could not be cleaned up and how to do it, or {@code null}
	 */
	private String abandon(Path exitCode, Set<String> locksBefore) {
		List<String> left = new ArrayList<>();
		Path pidFile = exitCode.resolveSibling(exitCode.getFileName() + ".pid");
		String group = readTrimmed(pidFile);
		if (group != null && group.matches("\\d+")) {
			try {
				this.commands.run(Arrays.asList("kill", "-KILL", "--", "-" + group), Duration.ofSeconds(5));
			}
			catch (IOException ex) {
				left.add("could not kill the dump (process group " + group + "): " + ex.getMessage());
			}
		}
		String locksLeft = removeNewNetworkLocks(locksBefore);
		if (locksLeft != null) {
			left.add(locksLeft);
		}
		deleteQuietly(pidFile);
		deleteQuietly(exitCode);
		return left.isEmpty() ? null : String.join("; ", left);
	}

	/**
	 * Remove the nftables tables that CRIU locks connections with and that appeared during
	 * a dump that did not finish: CRIU removes its own only when it ends well.
	 * @param locksBefore the tables there before the dump, or {@code null} if unknown
	 * @return what could not be removed and how to do it, or {@code null}
	 */
	private String removeNewNetworkLocks(Set<String> locksBefore) {
		Set<String> locks = networkLocks();
		if (locks == null) {
			return "could not look for the network lock CRIU may have left (nft cannot be run): install nftables "
					+ "(scripts/install-nftables.sh), then remove any 'inet CRIU-...' table that 'nft list tables' shows";
		}
		if (locksBefore != null) {
			locks.removeAll(locksBefore);
		}
		List<String> left = new ArrayList<>();
		for (String table : locks) {
			try {
				this.commands.run(Arrays.asList(nft(), "delete", "table", "inet", table), Duration.ofSeconds(5));
			}
			catch (IOException ex) {
				left.add("could not remove CRIU's network lock (" + ex.getMessage() + "): remove it with 'nft delete "
						+ "table inet " + table + "'");
			}
		}
		return left.isEmpty() ? null : String.join("; ", left);
	}

	/**
	 * The nftables tables CRIU locks connections with ({@code inet CRIU-...}) on this host,
	 * or {@code null} if {@code nft} cannot be run (a killed dump then says what to remove).
	 */
	private Set<String> networkLocks() {
		Set<String> locks = new TreeSet<>();
		try {
			String tables = this.commands.run(Arrays.asList(nft(), "list", "tables"), Duration.ofSeconds(5));
			for (String line : tables.split("\n")) {
				String[] words = line.trim().split("\\s+");
				if (words.length == 3 && words[0].equals("table") && words[1].equals("inet")
						&& words[2].startsWith("CRIU-")) {
					locks.add(words[2]);
				}
			}
		}
		catch (IOException ex) {
			return null;
		}
		return locks;
	}

	/** The nft command: where Debian puts it, which a service's PATH may lack, else on the PATH. */
	private static String nft() {
		Path sbin = Paths.get("/usr/sbin/nft");
		return Files.isExecutable(sbin) ? sbin.toString() : "nft";
	}

	private static String readTrimmed(Path file) {
		try {
			return Files.exists(file) ? new String(Files.readAllBytes(file), StandardCharsets.UTF_8).trim() : null;
		}
		catch (IOException ex) {
			return null;
		}
	}

	private static Integer readExitCode(Path exitCode) {
		try {
			if (!Files.exists(exitCode)) {
				return null;
			}
			return Integer.valueOf(new String(Files.readAllBytes(exitCode), StandardCharsets.UTF_8).trim());
		}
		catch (IOException | NumberFormatException ex) {
			return null;
		}
	}

	static String logTail(Path folder) {
		Path log = folder.resolve("dump.log");
		try {
			List<String> errors = new ArrayList<>();
			for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
				// CRIU logs this harmless error whenever CAP_SYS_RESOURCE is missing.
				if (line.contains("Error") && !line.contains("RLIMIT_NOFILE")) {
					errors.add(line.trim());
				}
			}
			List<String> last = errors.subList(Math.max(0, errors.size() - 3), errors.size());
			return last.isEmpty() ? "see " + log : String.join(" | ", last);
		}
		catch (IOException ex) {
			return "no CRIU log (" + ex.getMessage() + ")";
		}
	}

	private static void deleteQuietly(Path path) {
		try {
			Files.deleteIfExists(path);
		}
		catch (IOException ex) {
			logger.fine("Cannot delete " + path + ": " + ex.getMessage());
		}
	}

	/**
	 * The options of the running JVM that decide whether it can be snapshotted.
	 */
	interface JvmOptions {

		JvmOptions RUNNING = () -> {
			HotSpotDiagnosticMXBean hotSpot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
			return hotSpot != null && "true".equals(hotSpot.getVMOption("UsePerfData").getValue())
					&& !"true".equals(hotSpot.getVMOption("PerfDisableSharedMem").getValue());
		};

		/**
		 * Return whether the JVM maps its performance data from a file in {@code /tmp}.
		 * @return whether {@code UsePerfData} is on and {@code PerfDisableSharedMem} off
		 */
		boolean mapsSharedPerfData();

	}

}
