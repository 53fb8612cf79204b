package io.cse.samples.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The kernel's table of TCP sockets on this machine ({@code /proc/net/tcp} and
 * {@code tcp6}), and which of them a process holds: both ends of a connection between two
 * processes of this machine are in it, so the broker's end of a service's connection can
 * be found without asking either.
 */
final class TcpSockets {

	private TcpSockets() {
	}

	/**
	 * Return the inodes of the sockets a process holds open.
	 * @param pid the process
	 * @return the inodes its {@code /proc/<pid>/fd} links name
	 */
	static Set<Long> inodesOf(long pid) {
		Set<Long> inodes = new HashSet<>();
		try (var descriptors = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
			descriptors.forEach((descriptor) -> {
				try {
					String target = Files.readSymbolicLink(descriptor).toString();
					if (target.startsWith("socket:[")) {
						inodes.add(Long.parseLong(target.substring("socket:[".length(), target.length() - 1)));
					}
				}
				catch (IOException ex) {
					// closed meanwhile: not a connection any more
				}
			});
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot read the sockets of process " + pid, ex);
		}
		return inodes;
	}

	/**
	 * Return every established TCP socket of the machine, over IPv4 and IPv6.
	 * @return the sockets, both ends of each local connection among them
	 */
	static List<Socket> established() {
		List<Socket> sockets = new ArrayList<>();
		for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
			try {
				for (String line : Files.readAllLines(Path.of(table), StandardCharsets.US_ASCII)) {
					String[] fields = line.trim().split("\\s+");
					// sl local_address rem_address st ... inode; state 01 is ESTABLISHED
					if (fields.length > 9 && "01".equals(fields[3])) {
						sockets.add(new Socket(port(fields[1]), port(fields[2]), Long.parseLong(fields[9])));
					}
				}
			}
			catch (IOException ex) {
				throw new UncheckedIOException("Cannot read " + table, ex);
			}
		}
		return sockets;
	}

	private static int port(String address) {
		return Integer.parseInt(address.substring(address.indexOf(':') + 1), 16);
	}

	/**
	 * An established TCP socket.
	 *
	 * @param localPort the port of this end
	 * @param remotePort the port of the other end
	 * @param inode the socket's inode, as a process's {@code /proc/<pid>/fd} links name it
	 */
	record Socket(int localPort, int remotePort, long inode) {
	}

}
