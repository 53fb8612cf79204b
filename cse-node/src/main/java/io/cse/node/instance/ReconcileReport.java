package io.cse.node.instance;

import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * What the agent found on its start and what it did about it: one finding for each
 * instance of the registry and each leftover of an agent that was killed (see
 * {@link Node#reconcile()}).
 *
 * @param at when the reconcile ended (ISO-8601 instant)
 * @param findings what it found, in the order it acted
 */
public record ReconcileReport(String at, List<Finding> findings) {

	/**
	 * Whether every finding was dealt with.
	 * @return whether none failed
	 */
	public boolean clean() {
		return this.findings.stream().noneMatch(Finding::failed);
	}

	/**
	 * One thing the agent found.
	 *
	 * @param what what kind of thing
	 * @param name the instance's name, or the leftover's (a cgroup's folder, a namespace, an
	 * interface, a device)
	 * @param action what the agent did; starting with "could not" if it failed
	 * @param failed whether it failed (the thing is left as it was found, or part-way)
	 */
	public record Finding(What what, String name, String action, boolean failed) {

		@Override
		public String toString() {
			return this.what + " " + this.name + ": " + this.action;
		}

	}

	/**
	 * The kinds of things a reconcile finds.
	 */
	public enum What {

		/**
		 * A registered instance whose process runs: adopted.
		 */
		RUNNING_INSTANCE,

		/**
		 * A registered instance whose process is gone: removed with what it held.
		 */
		DEAD_INSTANCE,

		/**
		 * An instance that another {@code cse} process is still starting: left to it.
		 */
		STARTING_INSTANCE,

		/**
		 * A run, restore or clone whose starting process is gone before it answered: rolled
		 * back.
		 */
		HALF_DONE_START,

		/**
		 * A service whose freeze the agent did not confirm: thawed.
		 */
		UNCONFIRMED_FREEZE,

		/**
		 * A service whose thaw the agent did not confirm: thawed.
		 */
		UNFINISHED_THAW,

		/**
		 * A cgroup this state folder's instances made that no entry names: removed.
		 */
		ORPHAN_CGROUP,

		/**
		 * A network namespace this state folder's instances made that no entry names:
		 * removed.
		 */
		ORPHAN_NAMESPACE,

		/**
		 * A veth pair this state folder's instances made that no entry names: removed.
		 */
		ORPHAN_VETH,

		/**
		 * The zram swap a squeeze turned on, with no service left: turned off.
		 */
		ZRAM_SWAP;

		@JsonValue
		@Override
		public String toString() {
			return name().toLowerCase(Locale.ROOT).replace('_', '-');
		}

	}

}
