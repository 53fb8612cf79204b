package io.cse.node.instance;

import java.util.Locale;

/**
 * What an instance is doing now, as the host sees it: worked out from its processes each
 * time it is asked, never stored.
 */
public enum Liveness {

	/**
	 * Its main process runs.
	 */
	ALIVE,

	/**
	 * The {@code cse} command that starts it still runs and it has not answered 200 yet.
	 */
	STARTING,

	/**
	 * Its main process is gone (or was never seen): {@code cse stop} removes what it left.
	 */
	DEAD;

	@Override
	public String toString() {
		return name().toLowerCase(Locale.ROOT);
	}

}
