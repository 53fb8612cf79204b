package io.cse.node.instance;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import io.cse.node.CseException;
import io.cse.node.linux.Cgroup;
import io.cse.node.linux.CommandResult;
import io.cse.node.linux.Host;
import io.cse.node.linux.NetworkNamespace;
import io.cse.node.linux.ProcessInfo;

/**
 * Stops instances of every kind and removes everything they used: their processes (asked
 * with SIGTERM first, killed after the grace period), the network namespace and veth pair
 * of one in namespaces, the cgroups of a service {@code cse run} started and the zram swap
 * once no such service is left, and the registry entry. A stop that fails keeps the entry,
 * so that it can be retried.
 */
final class Stopper {

	private static final Duration LAUNCHER_WAIT = Duration.ofSeconds(2);

	private static final long POLL_MILLIS = 2;

	private final Host host;

	private final Registry registry;

	private final Reaper reaper;

	private final ZramSwap swap;

	Stopper(Host host, Registry registry, Reaper reaper, ZramSwap swap) {
		this.host = host;
		this.registry = registry;
		this.reaper = reaper;
		this.swap = swap;
	}

	/**
	 * Stop an instance and remove everything it used. An instance that is already dead only
	 * loses what is left.
	 * @param instance the instance
	 * @param grace how long its service may take to stop after SIGTERM
	 * @param deleteLogs whether its logs go too (a failed start keeps them, for the error
	 * message to point at)
	 * @throws CseException if a process does not end or something cannot be removed
	 */
	void stop(Instance instance, Duration grace, boolean deleteLogs) {
		if (instance.hasCgroup()) {
			thawForStop(instance);
		}
		if (instance.namespaced()) {
			stopNamespace(instance, grace);
			NetworkNamespace.delete(this.host, NetworkNamespace.nameFor(instance.name()), hostInterfaceOf(instance));
		}
		else {
			stopInHost(instance, grace);
		}
		if (instance.hasCgroup()) {
			removeCgroups(instance);
		}
		this.registry.remove(instance.name());
		if (instance.hasCgroup()) {
			this.swap.releaseIfUnused(List.of(instance.name()));
		}
		if (deleteLogs) {
			// From the name, never the path the state file records: a changed entry must not
			// make 'cse stop' delete another folder
			LogDirs.delete(this.registry.logDir(instance.name()));
		}
	}

	/**
	 * Unmount {@code /run/netns} once no instance in namespaces is left and no other named
	 * network namespace exists, so that stopping the last clone leaves the mounts as they
	 * were before the first.
	 */
	void releaseNamespaceMountIfUnused() {
		this.registry.locked(() -> {
			if (this.registry.list().stream().noneMatch(Instance::namespaced)) {
				NetworkNamespace.releaseMountIfUnused(this.host);
			}
			return null;
		});
	}

	/**
	 * Turn the zram swap a squeeze turned on off, if no service {@code cse run} started is
	 * left.
	 */
	void releaseSwapIfUnused() {
		this.swap.releaseIfUnused(List.of());
	}

	private void stopNamespace(Instance instance, Duration grace) {
		Optional<ProcessInfo> init = this.reaper.alive(instance.process());
		if (init.isPresent()) {
			boolean ended = false;
			if (!grace.isZero()) {
				// The restored service is the init's child: SIGTERM lets it shut down; CRIU, the
				// init, exits after it, and the kernel then ends the whole namespace.
				for (long child : this.host.children(init.get().pid())) {
					this.reaper.signal(child, "TERM");
				}
				ended = this.reaper.awaitGone(init.get(), grace);
			}
			if (!ended) {
				this.reaper.signal(init.get().pid(), "KILL");
				this.reaper.requireGone(init.get(), instance);
			}
		}
		Optional<ProcessInfo> launcher = this.reaper.alive(instance.launcher());
		if (launcher.isPresent() && (init.isEmpty() || !this.reaper.awaitGone(launcher.get(), LAUNCHER_WAIT))) {
			// unshare --kill-child: its death takes a namespace init we never saw along
			this.reaper.signal(launcher.get().pid(), "KILL");
			this.reaper.requireGone(launcher.get(), instance);
		}
		String namespace = NetworkNamespace.nameFor(instance.name());
		if (NetworkNamespace.exists(this.host, namespace)) {
			// Anything still in the network namespace is ours too (a process that escaped the
			// PID namespace cannot be): nothing may keep it alive.
			CommandResult pids = this.host.run(List.of("ip", "netns", "pids", namespace));
			for (String line : pids.output().lines().map(String::strip).filter((line) -> line.matches("\\d+")).toList()) {
				Optional<ProcessInfo> process = this.host.process(Long.parseLong(line)).filter((info) -> !info.isZombie());
				if (process.isPresent()) {
					this.reaper.signal(process.get().pid(), "KILL");
					this.reaper.requireGone(process.get(), instance);
				}
			}
		}
	}

	/**
	 * The host end of an instance's veth pair, as its state file records it, if it has the
	 * form the agent gives it ({@code <bridge>v<index>}); else {@code null}, so that a
	 * changed entry cannot make the agent delete another interface of the host (the pair
	 * then goes with its namespace).
	 */
	static String hostInterfaceOf(Instance instance) {
		String bridge = instance.network().bridge();
		String hostInterface = instance.network().hostInterface();
		if (bridge == null || hostInterface == null || !bridge.matches("[A-Za-z0-9_-]{1,12}")
				|| !hostInterface.matches(Pattern.quote(bridge) + "v\\d{1,3}")) {
			return null;
		}
		return hostInterface;
	}

	private void stopInHost(Instance instance, Duration grace) {
		Optional<ProcessInfo> process = this.reaper.alive(instance.process());
		if (process.isEmpty()) {
			return;
		}
		List<ProcessInfo> tree = this.reaper.descendants(process.get().pid());
		boolean ended = false;
		if (!grace.isZero()) {
			this.reaper.signal(process.get().pid(), "TERM");
			ended = this.reaper.awaitGone(process.get(), grace);
		}
		if (!ended) {
			this.reaper.signal(process.get().pid(), "KILL");
		}
		for (ProcessInfo descendant : tree) {
			if (this.reaper.isSameAlive(descendant)) {
				this.reaper.signal(descendant.pid(), "KILL");
			}
		}
		this.reaper.requireGone(process.get(), instance);
		for (ProcessInfo descendant : tree) {
			this.reaper.requireGone(descendant, instance);
		}
	}

	/**
	 * Make a service's processes able to end: restore its memory limit and thaw its group
	 * (a process in a frozen cgroup v1 group does not act on signals, not even SIGKILL).
	 */
	private void thawForStop(Instance instance) {
		Cgroup cgroup = CgroupServices.cgroupOf(this.host, instance);
		if (!cgroup.exists()) {
			return;
		}
		if (instance.cgroups().squeezed()) {
			cgroup.limit(instance.cgroups().limitBeforeSqueeze());
		}
		if (!Cgroup.THAWED.equals(cgroup.state())) {
			cgroup.thaw(CgroupServices.CGROUP_TIMEOUT);
		}
	}

	private void removeCgroups(Instance instance) {
		removeCgroup(CgroupServices.cgroupOf(this.host, instance), instance.name(), "retry 'cse stop "
				+ instance.name() + "'");
	}

	/**
	 * Kill whatever is in a thawed group and remove it.
	 * @param cgroup the group
	 * @param owner whose it is, for the message
	 * @param advice what to do if it cannot be removed
	 * @throws CseException if it is still there after {@link CgroupServices#CGROUP_TIMEOUT}
	 */
	void removeCgroup(Cgroup cgroup, String owner, String advice) {
		// whatever is still in the group is the service's, even if it left its process tree
		for (long pid : cgroup.pids()) {
			this.reaper.signal(pid, "KILL");
		}
		long deadline = System.nanoTime() + CgroupServices.CGROUP_TIMEOUT.toNanos();
		// the kernel removes an ended process from its groups a little after it is reaped
		while (!cgroup.remove()) {
			if (System.nanoTime() - deadline > 0) {
				throw new CseException("could not remove cgroup " + cgroup + " of " + owner + " (processes in it: "
						+ cgroup.pids() + "): " + advice);
			}
			Poll.pause(POLL_MILLIS);
		}
	}

}
