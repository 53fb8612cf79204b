package io.cse.linux;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * What Linux tells a process about itself through {@code /proc}: its start time (which
 * changes when the process is restored from a snapshot), its privileges, and what it holds
 * open. The only class of the starter that reads process state from {@code /proc}.
 */
public final class ProcFs {

	private final Path proc;

	/**
	 * Create a reader of {@code /proc}.
	 */
	public ProcFs() {
		this(Paths.get("/proc"));
	}

	/**
	 * Create a reader of a {@code /proc} tree mounted elsewhere, or written by a test.
	 * @param proc the root of the tree
	 */
	public ProcFs(Path proc) {
		this.proc = proc;
	}

	/**
	 * Return whether {@code /proc} is there to read.
	 * @return whether this is Linux with procfs mounted
	 */
	public boolean isAvailable() {
		return Files.isReadable(this.proc.resolve("self/stat"));
	}

	/**
	 * Return the start time of this process, in clock ticks since boot (field 22 of
	 * {@code /proc/self/stat}). A process restored from a snapshot keeps its memory but
	 * gets a new start time: reading it again is how a process notices its restore.
	 * @return the start time, or {@code -1} if unknown
	 */
	public long startTime() {
		return statField(22);
	}

	/**
	 * Return the id of the running boot ({@code /proc/sys/kernel/random/boot_id}): an
	 * image records it so that a reader can tell whether it was taken before the host's
	 * last reboot.
	 * @return the boot id, or {@code null} if unknown
	 */
	public String bootId() {
		try {
			return new String(Files.readAllBytes(this.proc.resolve("sys/kernel/random/boot_id")), StandardCharsets.UTF_8)
				.trim();
		}
		catch (IOException ex) {
			return null;
		}
	}

	private long statField(int number) {
		try {
			String stat = new String(Files.readAllBytes(this.proc.resolve("self/stat")), StandardCharsets.UTF_8);
			// The command name (field 2) may hold spaces and parentheses: count from the last ')'.
			String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
			return Long.parseLong(fields[number - 3]);
		}
		catch (IOException | RuntimeException ex) {
			return -1;
		}
	}

	/**
	 * Return the id of this process as its own PID namespace sees it. Read from the JVM
	 * rather than from {@code /proc}: {@code ProcessHandle} is Java 9+, and the runtime
	 * bean's name has been {@code pid@host} on every JVM since Java 5.
	 * @return the process id, or {@code -1} if unknown
	 */
	public long pid() {
		String name = ManagementFactory.getRuntimeMXBean().getName();
		try {
			return Long.parseLong(name.substring(0, name.indexOf('@')));
		}
		catch (RuntimeException ex) {
			return -1;
		}
	}

	/**
	 * Return the live child processes of this process, each with its command line.
	 * @return the command line of each child by process id, empty if there are none
	 */
	public Map<Long, String> children() {
		Map<Long, String> children = new TreeMap<>();
		try (DirectoryStream<Path> tasks = Files.newDirectoryStream(this.proc.resolve("self/task"))) {
			for (Path task : tasks) {
				for (String pid : read(task.resolve("children")).trim().split("\\s+")) {
					if (!pid.isEmpty()) {
						String commandLine = read(this.proc.resolve(pid).resolve("cmdline")).replace('\0', ' ').trim();
						children.put(Long.valueOf(pid), commandLine.isEmpty() ? "unknown command" : commandLine);
					}
				}
			}
		}
		catch (IOException | RuntimeException ex) {
			// no task list: report none
		}
		return children;
	}

	private static String read(Path file) {
		try {
			return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			return ""; // gone while reading
		}
	}

	/**
	 * Return the session id of this process as its own PID namespace sees it (field 6 of
	 * {@code /proc/self/stat}).
	 * @return the session id, {@code 0} when the session leader lives outside this
	 * process's PID namespace, or {@code -1} if unknown
	 */
	public long sessionId() {
		return statField(6);
	}

	/**
	 * Return the effective user id of this process.
	 * @return the effective uid, or {@code -1} if unknown
	 */
	public int effectiveUid() {
		String uid = statusField("Uid:");
		if (uid == null) {
			return -1;
		}
		String[] ids = uid.trim().split("\\s+");
		return (ids.length > 1) ? Integer.parseInt(ids[1]) : -1;
	}

	/**
	 * Return whether this process holds the given capability in its effective set.
	 * @param capability the capability number ({@code 21} is CAP_SYS_ADMIN, {@code 40}
	 * CAP_CHECKPOINT_RESTORE)
	 * @return whether the capability is effective
	 */
	public boolean hasCapability(int capability) {
		String effective = statusField("CapEff:");
		if (effective == null) {
			return false;
		}
		long mask = Long.parseUnsignedLong(effective.trim(), 16);
		return (mask & (1L << capability)) != 0;
	}

	/**
	 * Return the resident set size of this process.
	 * @return resident bytes, or {@code -1} if unknown
	 */
	public long residentBytes() {
		String rss = statusField("VmRSS:");
		if (rss == null) {
			return -1;
		}
		String value = rss.trim();
		int space = value.indexOf(' ');
		return Long.parseLong((space > 0) ? value.substring(0, space) : value) * 1024;
	}

	/**
	 * Return how many bytes of an address range this process has mapped readable and
	 * writable ({@code /proc/self/maps}). The JVM keeps reserved but uncommitted memory
	 * mapped without access: the bytes mapped {@code rw} are the ones it has committed.
	 * @param from the first address of the range
	 * @param to the address just past the range
	 * @return the bytes mapped {@code rw} within the range, or {@code -1} if unknown
	 */
	public long writableBytes(long from, long to) {
		try (Stream<String> lines = Files.lines(this.proc.resolve("self/maps"))) {
			return lines.mapToLong((line) -> writableBytes(line, from, to)).sum();
		}
		catch (IOException | RuntimeException ex) {
			return -1;
		}
	}

	private static long writableBytes(String mapping, long from, long to) {
		int dash = mapping.indexOf('-');
		int space = mapping.indexOf(' ');
		if (!mapping.startsWith("rw", space + 1)) {
			return 0;
		}
		long start = Long.parseUnsignedLong(mapping.substring(0, dash), 16);
		long end = Long.parseUnsignedLong(mapping.substring(dash + 1, space), 16);
		return Math.max(0, Math.min(end, to) - Math.max(start, from));
	}

	/**
	 * Return what each open file descriptor of this process points to.
	 * @return the link target of every descriptor ({@code socket:[inode]} for sockets),
	 * by descriptor number
	 */
	public Map<Integer, String> openFiles() {
		Map<Integer, String> files = new HashMap<>();
		try (DirectoryStream<Path> descriptors = Files.newDirectoryStream(this.proc.resolve("self/fd"))) {
			for (Path descriptor : descriptors) {
				try {
					files.put(Integer.parseInt(descriptor.getFileName().toString()),
							Files.readSymbolicLink(descriptor).toString());
				}
				catch (IOException | NumberFormatException ex) {
					// closed while listing: it is not open any more
				}
			}
		}
		catch (IOException ex) {
			return Collections.emptyMap();
		}
		return files;
	}

	/**
	 * Return the flags a file descriptor of this process was opened with
	 * ({@code /proc/self/fdinfo}).
	 * @param descriptor the file descriptor
	 * @return the open flags ({@code O_APPEND} is {@code 02000}, the access mode the low two
	 * bits), or {@code -1} if unknown
	 */
	public int openFlags(int descriptor) {
		try {
			for (String line : Files.readAllLines(this.proc.resolve("self/fdinfo/" + descriptor))) {
				if (line.startsWith("flags:")) {
					return Integer.parseInt(line.substring("flags:".length()).trim(), 8);
				}
			}
		}
		catch (IOException | NumberFormatException ex) {
			return -1;
		}
		return -1;
	}

	/**
	 * Return the TCP sockets of this process's network namespace, IPv4 and IPv6.
	 * @return one entry per socket
	 */
	public List<TcpSocket> tcpSockets() {
		List<TcpSocket> sockets = new ArrayList<>();
		readTcp(this.proc.resolve("self/net/tcp"), false, sockets);
		readTcp(this.proc.resolve("self/net/tcp6"), true, sockets);
		return sockets;
	}

	private static void readTcp(Path table, boolean ipv6, List<TcpSocket> sockets) {
		List<String> lines;
		try {
			lines = Files.readAllLines(table);
		}
		catch (IOException ex) {
			return;
		}
		for (int i = 1; i < lines.size(); i++) {
			String[] fields = lines.get(i).trim().split("\\s+");
			if (fields.length < 10) {
				continue;
			}
			sockets.add(new TcpSocket(address(fields[1], ipv6), address(fields[2], ipv6),
					Integer.parseInt(fields[3], 16), Long.parseLong(fields[9])));
		}
	}

	private static String address(String hexAddressAndPort, boolean ipv6) {
		String[] parts = hexAddressAndPort.split(":");
		int port = Integer.parseInt(parts[1], 16);
		String hex = parts[0];
		if (!ipv6) {
			long value = Long.parseLong(hex, 16);
			return (value & 0xff) + "." + ((value >> 8) & 0xff) + "." + ((value >> 16) & 0xff) + "."
					+ ((value >> 24) & 0xff) + ":" + port;
		}
		StringBuilder address = new StringBuilder("[");
		for (int word = 0; word < 4; word++) {
			String group = hex.substring(word * 8, word * 8 + 8);
			// Each 32-bit word is in host (little-endian) order.
			String bytes = group.substring(6, 8) + group.substring(4, 6) + group.substring(2, 4) + group.substring(0, 2);
			address.append(bytes, 0, 4).append(':').append(bytes, 4, 8);
			address.append((word < 3) ? ":" : "");
		}
		return address.append("]:").append(port).toString();
	}

	private String statusField(String name) {
		try {
			for (String line : Files.readAllLines(this.proc.resolve("self/status"))) {
				if (line.startsWith(name)) {
					return line.substring(name.length());
				}
			}
		}
		catch (IOException ex) {
			return null;
		}
		return null;
	}

}
