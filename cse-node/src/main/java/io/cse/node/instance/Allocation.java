package io.cse.node.instance;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import io.cse.node.CseException;
import io.cse.node.image.Image;
import io.cse.node.linux.Bridge;
import io.cse.node.linux.Host;
import io.cse.node.linux.NetworkNamespace;
import io.cse.node.linux.Subnet;

/**
 * Chooses the names and addresses of new instances. Callers hold the registry's lock, so
 * that two {@code cse} commands never choose the same ones.
 */
final class Allocation {

	/**
	 * The address of an instance in the host's namespaces.
	 */
	static final String HOST_ADDRESS = "127.0.0.1";

	private Allocation() {
	}

	/**
	 * Choose instance names that no registered instance has.
	 * @param requested the one name asked for, or {@code null}
	 * @param count how many names
	 * @param prefix names are {@code <prefix>-<n>}, lowest {@code n} first
	 * @param existing the registered instances
	 * @return the names
	 */
	static List<String> chooseNames(String requested, int count, String prefix, List<Instance> existing) {
		return chooseNames(requested, count, prefix, existing, Set.of());
	}

	/**
	 * Choose instance names that no registered instance has, and whose network namespace
	 * does not exist.
	 * @param requested the one name asked for, or {@code null}
	 * @param count how many names
	 * @param prefix names are {@code <prefix>-<n>}, lowest {@code n} first
	 * @param existing the registered instances
	 * @param namespaces the named network namespaces that exist
	 * @return the names
	 */
	static List<String> chooseNames(String requested, int count, String prefix, List<Instance> existing,
			Set<String> namespaces) {
		Set<String> taken = new HashSet<>();
		existing.forEach((instance) -> taken.add(instance.name()));
		if (requested != null) {
			Registry.requireValidName(requested);
			if (taken.contains(requested)) {
				throw new CseException("an instance named " + requested + " exists already (see 'cse ps'): stop it "
						+ "with 'cse stop " + requested + "', or choose another --name");
			}
			String namespace = NetworkNamespace.nameFor(requested);
			if (namespaces.contains(namespace)) {
				throw CseException.refused("network namespace " + namespace + " exists already, but no instance of this "
						+ "state folder has it: if nothing uses it, delete it with 'ip netns del " + namespace
						+ "'; or choose another --name");
			}
			return List.of(requested);
		}
		Registry.requireValidName(prefix + "-" + count);
		List<String> names = new ArrayList<>();
		for (int n = 1; names.size() < count; n++) {
			String name = prefix + "-" + n;
			if (!taken.contains(name) && !namespaces.contains(NetworkNamespace.nameFor(name))) {
				names.add(name);
			}
		}
		return names;
	}

	/**
	 * Choose addresses that no registered instance has: the lowest free ones from the
	 * subnet's {@link Subnet#FIRST_INSTANCE_INDEX}th up.
	 * @param subnet the bridge's subnet
	 * @param count how many addresses
	 * @param existing the registered instances
	 * @return the addresses
	 */
	static List<String> allocateAddresses(Subnet subnet, int count, List<Instance> existing) {
		return allocateAddresses(subnet, count, existing, Set.of());
	}

	/**
	 * Choose addresses that no registered instance has, and whose host interface does not
	 * exist.
	 * @param subnet the bridge's subnet
	 * @param count how many addresses
	 * @param existing the registered instances
	 * @param busyIndexes host indexes whose veth interface exists
	 * @return the addresses
	 */
	static List<String> allocateAddresses(Subnet subnet, int count, List<Instance> existing, Set<Integer> busyIndexes) {
		Set<Integer> used = new HashSet<>(busyIndexes);
		for (Instance instance : existing) {
			if (instance.namespaced() && instance.endpoint().address() != null) {
				used.add(subnet.indexOf(instance.endpoint().address()));
			}
		}
		List<String> addresses = new ArrayList<>();
		for (int index = Subnet.FIRST_INSTANCE_INDEX; index <= subnet.lastIndex() && addresses.size() < count; index++) {
			if (!used.contains(index)) {
				addresses.add(subnet.address(index));
			}
		}
		if (addresses.size() < count) {
			throw new CseException("no free address left in " + subnet + " for " + count + " more instances ("
					+ used.size() + " in use): stop some with 'cse stop', or stop all and recreate the bridge with a "
					+ "larger subnet ('cse net down', then 'cse net up --subnet 10.199.0.0/20')");
		}
		return addresses;
	}

	/**
	 * The host indexes whose veth interface on a bridge exists, whoever made it: a roll-back
	 * would delete an interface it took, so none of them is taken.
	 * @param host the host
	 * @param bridge the bridge
	 * @return the indexes
	 */
	static Set<Integer> busyIndexes(Host host, Bridge bridge) {
		Set<Integer> indexes = new HashSet<>();
		for (String name : NetworkNamespace.hostInterfaces(host)) {
			String index = name.startsWith(bridge.name() + "v") ? name.substring(bridge.name().length() + 1) : "";
			if (index.matches("\\d{1,9}")) {
				indexes.add(Integer.parseInt(index));
			}
		}
		return indexes;
	}

	/**
	 * The prefix of the names of an image's instances: its application's name, made fit to
	 * name a network namespace.
	 * @param image the image
	 * @param fallback the prefix when the image tells no usable name
	 * @return the prefix
	 */
	static String prefixFor(Image image, String fallback) {
		String application = image.manifest().application().name();
		if (application == null) {
			return fallback;
		}
		String prefix = application.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]+", "-").replaceAll("^-+|-+$", "");
		if (prefix.length() > 30) {
			prefix = prefix.substring(0, 30).replaceAll("-+$", "");
		}
		return prefix.isEmpty() ? fallback : prefix;
	}

}
