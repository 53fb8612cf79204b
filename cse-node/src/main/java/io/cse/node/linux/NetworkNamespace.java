package io.cse.node.linux;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.cse.node.CseException;

/**
 * The network of one instance: a named network namespace with {@code lo} and one end of
 * a veth pair (called {@code eth0} inside), whose other end hangs on the host
 * {@link Bridge}; the default route goes through the host's address on the bridge.
 *
 * @param host the host to run the commands on
 * @param name the namespace's name (as {@code ip netns} knows it)
 * @param hostInterface the host end of the veth pair
 * @param bridge the bridge's name
 * @param subnet the bridge's subnet
 * @param address the instance's address in that subnet
 */
public record NetworkNamespace(Host host, String name, String hostInterface, String bridge, Subnet subnet,
		String address) {

	/**
	 * The name of the namespace's end of the veth pair.
	 */
	public static final String INSIDE_INTERFACE = "eth0";

	private static final String NETNS_DIR = "/run/netns";

	private static final Pattern LINK = Pattern.compile("^\\d+:\\s+([^:@\\s]+)",
			Pattern.MULTILINE);

	/**
	 * The namespace of an instance: {@code cse-<instance>}.
	 * @param instance the instance's name
	 * @return the namespace's name
	 */
	public static String nameFor(String instance) {
		return "cse-" + instance;
	}

	/**
	 * The host end of the veth pair of the instance with the given address: named after the
	 * bridge and the address's host index, so it is unique as long as addresses are, and
	 * fits in the 15 characters Linux allows.
	 * @param bridge the bridge's name
	 * @param subnet the bridge's subnet
	 * @param address the instance's address
	 * @return for example {@code cse0v10}
	 */
	public static String hostInterfaceFor(String bridge, Subnet subnet, String address) {
		return bridge + "v" + subnet.indexOf(address);
	}

	/**
	 * Create the namespace and its network. The caller undoes a partial creation with
	 * {@link #delete}.
	 * @throws CseException if a command fails
	 */
	public void create() {
		run("create the network namespace " + this.name, "ip", "netns", "add", this.name);
		run("create the veth pair " + this.hostInterface, "ip", "link", "add", this.hostInterface, "type", "veth",
				"peer", "name", INSIDE_INTERFACE, "netns", this.name);
		run("attach " + this.hostInterface + " to the bridge " + this.bridge, "ip", "link", "set", "dev",
				this.hostInterface, "master", this.bridge);
		run("bring " + this.hostInterface + " up", "ip", "link", "set", "dev", this.hostInterface, "up");
		run("bring lo up in " + this.name, "ip", "-n", this.name, "link", "set", "dev", "lo", "up");
		run("give " + this.name + " the address " + this.address, "ip", "-n", this.name, "addr", "add",
				this.address + "/" + this.subnet.prefixLength(), "dev", INSIDE_INTERFACE);
		run("bring " + INSIDE_INTERFACE + " up in " + this.name, "ip", "-n", this.name, "link", "set", "dev",
				INSIDE_INTERFACE, "up");
		run("route " + this.name + " through " + this.subnet.gateway(), "ip", "-n", this.name, "route", "add",
				"default", "via", this.subnet.gateway());
	}

	/**
	 * The command prefix that runs a program inside the namespace, with the host's view of
	 * every file system. Not {@code ip netns exec}: it mounts a sysfs of the namespace's own
	 * over {@code /sys}, which hides the cgroup hierarchies under {@code /sys/fs/cgroup}. A
	 * JVM reads its cgroup's {@code memory.stat} now and then (its container support), so a
	 * dump can catch that file open, and CRIU must find it again to restore a clone.
	 * @return {@code nsenter --net=/run/netns/<name> --}
	 */
	public List<String> execPrefix() {
		return List.of("nsenter", "--net=" + NETNS_DIR + "/" + this.name, "--");
	}

	/**
	 * Delete the veth pair and the namespace, whichever exists. Processes still inside keep
	 * the namespace alive: stop them first.
	 * @throws CseException if a command fails
	 */
	public void delete() {
		delete(this.host, this.name, this.hostInterface);
	}

	/**
	 * Delete a veth pair and a namespace, whichever exists.
	 * @param host the host
	 * @param namespace the namespace's name, or {@code null}
	 * @param hostInterface the host end of the veth pair, or {@code null}
	 */
	public static void delete(Host host, String namespace, String hostInterface) {
		// Deleting one end deletes the pair; do it explicitly, since the kernel tears a deleted
		// namespace down asynchronously and its veth could linger a moment.
		if (hostInterface != null && host.run(List.of("ip", "-o", "link", "show", "dev", hostInterface)).succeeded()) {
			host.run(List.of("ip", "link", "del", "dev", hostInterface)).orThrow("delete the veth pair " + hostInterface);
		}
		if (namespace != null && exists(host, namespace)) {
			host.run(List.of("ip", "netns", "del", namespace)).orThrow("delete the network namespace " + namespace);
		}
	}

	/**
	 * Whether a named network namespace exists.
	 * @param host the host
	 * @param namespace the namespace's name
	 * @return whether {@code ip netns list} shows it
	 */
	public static boolean exists(Host host, String namespace) {
		return namespaces(host).contains(namespace);
	}

	/**
	 * The named network namespaces.
	 * @param host the host
	 * @return the names {@code ip netns list} shows
	 */
	public static List<String> namespaces(Host host) {
		CommandResult result = host.run(List.of("ip", "netns", "list")).orThrow("list the network namespaces");
		return result.output().lines().map(String::strip).filter((line) -> !line.isEmpty())
			.map((line) -> line.split("\\s+")[0])
			.toList();
	}

	/**
	 * The network interfaces of the host's namespace.
	 * @param host the host
	 * @return their names ({@code ip -o link show})
	 */
	public static Set<String> hostInterfaces(Host host) {
		CommandResult result = host.run(List.of("ip", "-o", "link", "show")).orThrow("list the network interfaces");
		Set<String> names = new TreeSet<>();
		Matcher matcher = LINK.matcher(result.output());
		while (matcher.find()) {
			names.add(matcher.group(1));
		}
		return names;
	}

	/**
	 * Unmount {@code /run/netns} if no named network namespace is left: the first
	 * {@code ip netns add} on a machine mounts that folder onto itself (to share the
	 * namespaces' mounts), and it would otherwise stay after the last instance is gone.
	 * @param host the host
	 * @return whether it was unmounted
	 */
	public static boolean releaseMountIfUnused(Host host) {
		if (!namespaces(host).isEmpty() || !host.run(List.of("mountpoint", "-q", NETNS_DIR)).succeeded()) {
			return false;
		}
		// Best effort: a mount that is busy (someone else started using it) stays, harmlessly.
		return host.run(List.of("umount", NETNS_DIR)).succeeded();
	}

	private void run(String what, String... command) {
		this.host.run(List.of(command)).orThrow(what);
	}

}
