package io.cse.node.linux;

import io.cse.node.CseException;

/**
 * The IPv4 subnet of the host bridge: the host is its first address, instances get
 * addresses from {@link #FIRST_INSTANCE_INDEX} up.
 *
 * @param network the network address, as an unsigned 32-bit number
 * @param prefixLength the number of network bits
 */
public record Subnet(long network, int prefixLength) {

	/**
	 * Host index of the first address given to an instance (the ones below are kept for
	 * the host and for later use).
	 */
	public static final int FIRST_INSTANCE_INDEX = 10;

	/**
	 * The subnet used unless {@code --subnet} says otherwise; the host is 10.199.0.1.
	 */
	public static final Subnet DEFAULT = parse("10.199.0.0/24");

	public Subnet {
		if (prefixLength < 16 || prefixLength > 28) {
			throw new CseException("subnet prefix /" + prefixLength + " is not supported: use /16 to /28, "
					+ "for example --subnet 10.199.0.0/24");
		}
	}

	/**
	 * Parse a subnet in CIDR notation; any address inside it may be given
	 * ({@code 10.199.0.1/24} is {@code 10.199.0.0/24}).
	 * @param cidr the subnet, as in {@code 10.199.0.0/24}
	 * @return the subnet
	 * @throws CseException if the text is no IPv4 CIDR
	 */
	public static Subnet parse(String cidr) {
		String[] parts = cidr.trim().split("/");
		if (parts.length != 2) {
			throw new CseException("'" + cidr + "' is no IPv4 subnet: write it as 10.199.0.0/24");
		}
		int prefix;
		try {
			prefix = Integer.parseInt(parts[1]);
		}
		catch (NumberFormatException ex) {
			throw new CseException("'" + cidr + "' is no IPv4 subnet: write it as 10.199.0.0/24");
		}
		long address = parseAddress(parts[0]);
		if (prefix < 0 || prefix > 32) {
			throw new CseException("'" + cidr + "' is no IPv4 subnet: write it as 10.199.0.0/24");
		}
		long mask = (0xFFFFFFFFL << (32 - prefix)) & 0xFFFFFFFFL;
		return new Subnet(address & mask, prefix);
	}

	/**
	 * Parse a dotted IPv4 address.
	 * @param text the address, as in {@code 10.199.0.1}
	 * @return the address, as an unsigned 32-bit number
	 */
	public static long parseAddress(String text) {
		String[] octets = text.trim().split("\\.");
		if (octets.length != 4) {
			throw new CseException("'" + text + "' is no IPv4 address");
		}
		long address = 0;
		for (String octet : octets) {
			int value;
			try {
				value = Integer.parseInt(octet);
			}
			catch (NumberFormatException ex) {
				throw new CseException("'" + text + "' is no IPv4 address");
			}
			if (value < 0 || value > 255) {
				throw new CseException("'" + text + "' is no IPv4 address");
			}
			address = (address << 8) | value;
		}
		return address;
	}

	/**
	 * The host's own address on the bridge (the first one), as in {@code 10.199.0.1}.
	 * @return the gateway address
	 */
	public String gateway() {
		return address(1);
	}

	/**
	 * The host's address with the prefix length, as {@code ip addr add} takes it.
	 * @return for example {@code 10.199.0.1/24}
	 */
	public String gatewayCidr() {
		return gateway() + "/" + this.prefixLength;
	}

	/**
	 * The address with the given host index.
	 * @param index 1 for the first address after the network address
	 * @return the dotted address
	 */
	public String address(int index) {
		if (index < 1 || index > lastIndex()) {
			throw new IllegalArgumentException("host index " + index + " is outside " + this);
		}
		return format(this.network + index);
	}

	/**
	 * The host index of an address of this subnet.
	 * @param address a dotted address
	 * @return its index, or -1 if it lies outside
	 */
	public int indexOf(String address) {
		long value = parseAddress(address);
		long index = value - this.network;
		return (index >= 1 && index <= lastIndex()) ? (int) index : -1;
	}

	/**
	 * The highest host index (the one before the broadcast address).
	 * @return the last usable index
	 */
	public int lastIndex() {
		return (1 << (32 - this.prefixLength)) - 2;
	}

	@Override
	public String toString() {
		return format(this.network) + "/" + this.prefixLength;
	}

	private static String format(long address) {
		return ((address >> 24) & 0xFF) + "." + ((address >> 16) & 0xFF) + "." + ((address >> 8) & 0xFF) + "."
				+ (address & 0xFF);
	}

}
