package io.cse.linux;

import java.util.Objects;

/**
 * A TCP socket from {@code /proc/net/tcp}.
 */
public final class TcpSocket {

	private final String local;

	private final String remote;

	private final int state;

	private final long inode;

	TcpSocket(String local, String remote, int state, long inode) {
		this.local = local;
		this.remote = remote;
		this.state = state;
		this.inode = inode;
	}

	/**
	 * Return the local address and port.
	 * @return the local
	 */
	public String local() {
		return this.local;
	}

	/**
	 * Return the remote address and port.
	 * @return the remote
	 */
	public String remote() {
		return this.remote;
	}

	/**
	 * Return the kernel's state number ({@code 1} established, {@code 10} listening).
	 * @return the state
	 */
	public int state() {
		return this.state;
	}

	/**
	 * Return the socket's inode, matching {@code socket:[inode]} of a descriptor.
	 * @return the inode
	 */
	public long inode() {
		return this.inode;
	}

	@Override
	public boolean equals(Object other) {
		if (this == other) {
			return true;
		}
		if (!(other instanceof TcpSocket)) {
			return false;
		}
		TcpSocket that = (TcpSocket) other;
		return Objects.equals(this.local, that.local)
				&& Objects.equals(this.remote, that.remote)
				&& this.state == that.state
				&& this.inode == that.inode;
	}

	@Override
	public int hashCode() {
		return Objects.hash(this.local, this.remote, this.state, this.inode);
	}

	@Override
	public String toString() {
		return "TcpSocket[local=" + this.local + ", remote=" + this.remote + ", state=" + this.state + ", inode="
				+ this.inode + "]";
	}

	/**
	 * Return whether the socket has a connected peer.
	 * @return whether the state is ESTABLISHED
	 */
	public boolean isEstablished() {
		return this.state == 1;
	}

	/**
	 * Return whether the socket listens for connections.
	 * @return whether the state is LISTEN
	 */
	public boolean isListening() {
		return this.state == 10;
	}

}
