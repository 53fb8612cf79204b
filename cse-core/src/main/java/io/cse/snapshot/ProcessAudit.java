package io.cse.snapshot;

import java.nio.file.Files;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import io.cse.Setting;
import io.cse.SettingNames;
import io.cse.linux.ProcFs;
import io.cse.linux.TcpSocket;

/**
 * Lists what a quiesced process still holds before it is snapshotted: child processes,
 * TCP connections and listening sockets, open files; and refuses what must not go into an
 * image.
 * <p>
 * A child process would be dumped and cloned along with the service: a database or a
 * registry started by the service (an embedded PostgreSQL, an in-process ZooKeeper
 * launcher) would become a private copy in every clone. The audit refuses child processes
 * unless told otherwise.
 */
public class ProcessAudit {

	private static final int O_APPEND = 02000;

	private final ProcFs procFs;

	private volatile SettingNames settingNames = SettingNames.JAVA;

	private final Supplier<Integer> serverPort;

	private final boolean allowChildProcesses;

	private volatile List<ConnectionOwner> connectionOwners = Collections.emptyList();

	/**
	 * Create an audit.
	 * @param procFs reads the process's state
	 * @param serverPort the application's HTTP port, to name the owner of its sockets, or
	 * {@code -1}: read at each audit, since the port is known only once the server runs
	 * @param allowChildProcesses whether child processes may go into the image
	 */
	public ProcessAudit(ProcFs procFs, Supplier<Integer> serverPort, boolean allowChildProcesses) {
		this.procFs = procFs;
		this.serverPort = serverPort;
		this.allowChildProcesses = allowChildProcesses;
	}

	/**
	 * Set what the users of the application call the settings that messages advise
	 * changing.
	 * @param settingNames the names; {@link SettingNames#JAVA} unless set
	 */
	public void setSettingNames(SettingNames settingNames) {
		this.settingNames = settingNames;
	}

	/**
	 * Set what names the owners of connections the process keeps open.
	 * @param connectionOwners the owners, asked at each audit
	 */
	public void setConnectionOwners(List<? extends ConnectionOwner> connectionOwners) {
		this.connectionOwners = new ArrayList<>(connectionOwners);
	}

	/**
	 * Audit the process.
	 * @return one line per finding, for the report
	 * @throws SnapshotException if the process has child processes and they are not allowed
	 */
	public List<String> audit() throws SnapshotException {
		return audit(false);
	}

	/**
	 * Audit the process.
	 * @param keepsRunning whether the process goes on after the snapshot (a clone
	 * template), so that the files it writes keep changing after the image was taken
	 * @return one line per finding, for the report
	 * @throws SnapshotException if the process holds what its image cannot carry
	 */
	public List<String> audit(boolean keepsRunning) throws SnapshotException {
		List<String> findings = new ArrayList<>();
		Map<Long, String> children = this.procFs.children();
		List<String> described = new ArrayList<>();
		children.forEach((pid, commandLine) -> {
			findings.add("child process " + pid + ": " + commandLine);
			described.add(pid + " " + commandLine.split(" ", 2)[0]);
		});
		if (!children.isEmpty() && !this.allowChildProcesses) {
			throw new SnapshotException(children.size() + " child process(es) would be dumped and cloned with the "
					+ "service (" + String.join(", ", described)
					+ "). Run such servers outside the service (for PostgreSQL: a server of its own, such as "
					+ "samples/embedded-postgres) and point the service at them, or set "
					+ this.settingNames.nameOf(Setting.ALLOW_CHILD_PROCESSES) + "=true");
		}
		Map<Integer, String> files = this.procFs.openFiles();
		List<String> growing = growingFiles(files);
		if (keepsRunning && !growing.isEmpty()) {
			throw new SnapshotException("The service writes to " + String.join(", ", growing) + " without O_APPEND: "
					+ "CRIU records the size of such a file and refuses to restore once it has grown, which it will, "
					+ "since the service keeps running. Open it in append mode (for a shell redirection, >> instead of "
					+ ">), or send the output to a pipe or to the journal");
		}
		growing.forEach((file) -> findings.add("written without O_APPEND: " + file
				+ " (a restore fails if the file has grown or shrunk since)"));
		Set<Long> ownSockets = files.values()
			.stream()
			.filter((target) -> target.startsWith("socket:["))
			.map((target) -> Long.parseLong(target.substring(8, target.length() - 1)))
			.collect(Collectors.toSet());
		List<TcpSocket> established = new ArrayList<>();
		for (TcpSocket socket : this.procFs.tcpSockets()) {
			if (!ownSockets.contains(socket.inode())) {
				continue;
			}
			if (socket.isListening()) {
				findings.add("listening on " + socket.local() + owner(socket.local()) + " (restored listening)");
				if (keepsRunning && isLoopback(socket.local())) {
					findings.add("listening on the loopback only (" + socket.local() + "): a clone restored in a network "
							+ "namespace of its own is unreachable at its address there; bind the server to every "
							+ "address (server.address=0.0.0.0) for clones to serve");
				}
			}
			else if (socket.isEstablished()) {
				established.add(socket);
				findings.add("connection " + socket.local() + " -> " + socket.remote() + owner(socket.local())
						+ " (restored closed)");
			}
		}
		for (ConnectionOwner owner : this.connectionOwners) {
			findings.addAll(owner.describe(Collections.unmodifiableList(established)));
		}
		Set<String> regularFiles = new TreeSet<>();
		files.values()
			.stream()
			.filter((target) -> target.startsWith("/") && !target.startsWith("/dev/") && !target.startsWith("/proc/"))
			.forEach(regularFiles::add);
		findings.add(regularFiles.size() + " open file(s): they must exist, unchanged in size, where the image is "
				+ "restored" + (regularFiles.isEmpty() ? "" : " (" + String.join(", ", limit(regularFiles, 5)) + ")"));
		return findings;
	}

	private List<String> growingFiles(Map<Integer, String> files) {
		List<String> growing = new ArrayList<>();
		files.forEach((descriptor, target) -> {
			if (target.startsWith("/") && !target.startsWith("/dev/") && !target.startsWith("/proc/")
					&& Files.isRegularFile(Paths.get(target))) {
				int flags = this.procFs.openFlags(descriptor);
				boolean writable = flags >= 0 && (flags & 3) != 0;
				if (writable && (flags & O_APPEND) == 0) {
					growing.add(target + " (descriptor " + descriptor + ")");
				}
			}
		});
		return growing;
	}

	private static boolean isLoopback(String local) {
		String host = local.substring(0, local.lastIndexOf(':'));
		if (host.startsWith("[") && host.endsWith("]")) {
			host = host.substring(1, host.length() - 1);
		}
		try {
			// A literal address, never looked up; an IPv4-mapped one (a JVM's server socket
			// bound to 127.0.0.1 shows as ::ffff:127.0.0.1) comes back as IPv4.
			return InetAddress.getByName(host).isLoopbackAddress();
		}
		catch (UnknownHostException ex) {
			return false;
		}
	}

	private String owner(String local) {
		int port = this.serverPort.get();
		return (port > 0 && local.endsWith(":" + port)) ? " (web server)" : "";
	}

	private static List<String> limit(Set<String> values, int max) {
		List<String> limited = values.stream().limit(max).collect(Collectors.toCollection(ArrayList::new));
		if (values.size() > max) {
			limited.add("and " + (values.size() - max) + " more");
		}
		return limited;
	}

}
