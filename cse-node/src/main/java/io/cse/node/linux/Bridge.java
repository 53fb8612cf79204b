package io.cse.node.linux;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.cse.CallerText;
import io.cse.node.CseException;

/**
 * The host bridge that every instance's network namespace hangs on: the host owns the
 * subnet's first address on it, so services on the host that listen on that address (a
 * PostgreSQL on 10.199.0.1, for example) are reachable from every clone. Nothing is
 * routed or masqueraded beyond the host.
 */
public final class Bridge {

	/**
	 * The bridge's name unless {@code --bridge} says otherwise.
	 */
	public static final String DEFAULT_NAME = "cse0";

	private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9]{0,7}");

	private static final Pattern INET = Pattern.compile("\\binet (\\d+\\.\\d+\\.\\d+\\.\\d+)/(\\d+)");

	private static final Pattern LINK = Pattern.compile("^\\d+:\\s+([^:@\\s]+)", Pattern.MULTILINE);

	private final Host host;

	private final String name;

	public Bridge(Host host, String name) {
		if (!NAME.matcher(name).matches()) {
			throw new CseException("bridge name '" + CallerText.echoed(name) + "' is not valid: use 1 to 8 lower-case letters and "
					+ "digits, starting with a letter (the default is " + DEFAULT_NAME + ")");
		}
		this.host = host;
		this.name = name;
	}

	public String name() {
		return this.name;
	}

	/**
	 * Whether the bridge exists.
	 * @return whether it does
	 */
	public boolean exists() {
		return this.host.run(List.of("ip", "-o", "link", "show", "dev", this.name)).succeeded();
	}

	/**
	 * The subnet of the bridge's IPv4 address.
	 * @return the subnet, or empty if the bridge does not exist or has no IPv4 address
	 */
	public Optional<Subnet> subnet() {
		CommandResult result = this.host.run(List.of("ip", "-o", "-4", "addr", "show", "dev", this.name));
		if (!result.succeeded()) {
			return Optional.empty();
		}
		Matcher matcher = INET.matcher(result.output());
		if (!matcher.find()) {
			return Optional.empty();
		}
		Subnet subnet = Subnet.parse(matcher.group(1) + "/" + matcher.group(2));
		if (!subnet.gateway().equals(matcher.group(1))) {
			throw new CseException("bridge " + this.name + " has address " + matcher.group(1) + "/" + matcher.group(2)
					+ ", not the first of its subnet: it was not set up by cse; delete it with 'ip link del "
					+ this.name + "' or use another --bridge");
		}
		return Optional.of(subnet);
	}

	/**
	 * Create the bridge with the host's address and bring it up; do nothing that is
	 * already done.
	 * @param requested the subnet wanted, or {@code null} for the one the bridge has
	 * already (or {@link Subnet#DEFAULT} for a new bridge)
	 * @return the bridge's subnet, and whether this call created the bridge
	 * @throws CseException if the bridge exists with another subnet, or a command fails
	 */
	public State up(Subnet requested) {
		boolean created = false;
		if (!exists()) {
			this.host.run(List.of("ip", "link", "add", "name", this.name, "type", "bridge"))
				.orThrow("create the bridge " + this.name);
			created = true;
		}
		try {
			Optional<Subnet> current = subnet();
			Subnet subnet;
			if (current.isEmpty()) {
				subnet = (requested != null) ? requested : Subnet.DEFAULT;
				this.host.run(List.of("ip", "addr", "add", subnet.gatewayCidr(), "dev", this.name))
					.orThrow("give the bridge " + this.name + " the address " + subnet.gatewayCidr());
			}
			else {
				subnet = current.get();
				if (requested != null && !requested.equals(subnet)) {
					throw new CseException("bridge " + this.name + " already has " + subnet.gatewayCidr() + ", not "
							+ requested.gatewayCidr() + ": stop its instances ('cse stop --all') and run 'cse net down' "
							+ "first, or leave out --subnet");
				}
			}
			this.host.run(List.of("ip", "link", "set", "dev", this.name, "up"))
				.orThrow("bring the bridge " + this.name + " up");
			return new State(subnet, created);
		}
		catch (RuntimeException ex) {
			if (created) {
				this.host.run(List.of("ip", "link", "del", "dev", this.name));
			}
			throw ex;
		}
	}

	/**
	 * The interfaces attached to the bridge (the host ends of instances' veth pairs).
	 * @return their names, empty if none or if the bridge does not exist
	 */
	public List<String> attachedInterfaces() {
		CommandResult result = this.host.run(List.of("ip", "-o", "link", "show", "master", this.name));
		List<String> names = new ArrayList<>();
		if (result.succeeded()) {
			Matcher matcher = LINK.matcher(result.output());
			while (matcher.find()) {
				names.add(matcher.group(1));
			}
		}
		return names;
	}

	/**
	 * Delete the bridge if it exists.
	 * @return whether there was one to delete
	 */
	public boolean down() {
		if (!exists()) {
			return false;
		}
		this.host.run(List.of("ip", "link", "del", "dev", this.name)).orThrow("delete the bridge " + this.name);
		return true;
	}

	/**
	 * The bridge after {@link #up}.
	 *
	 * @param subnet its subnet
	 * @param created whether {@code up} created it
	 */
	public record State(Subnet subnet, boolean created) {
	}

}
