package io.cse.node.instance;

import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What an instance is doing now, as the host sees it: worked out from its processes each
 * time it is asked, never stored. Written in JSON as {@link #toString()} writes it, as
 * {@code cse ps} and the agent's metrics show it.
 */
public enum Liveness {

	/**
	 * Its main process runs.
	 */
	@JsonProperty("alive")
	ALIVE,

	/**
	 * The {@code cse} command that starts it still runs and it has not answered 200 yet.
	 */
	@JsonProperty("starting")
	STARTING,

	/**
	 * Its main process is gone (or was never seen): {@code cse stop} removes what it left.
	 */
	@JsonProperty("dead")
	DEAD;

	@Override
	public String toString() {
		return name().toLowerCase(Locale.ROOT);
	}

}
