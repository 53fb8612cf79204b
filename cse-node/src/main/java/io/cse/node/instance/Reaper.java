package io.cse.node.instance;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.cse.node.CseException;
import io.cse.node.instance.Instance.ProcessId;
import io.cse.node.instance.Instance.State;
import io.cse.node.linux.Host;
import io.cse.node.linux.ProcessInfo;

/**
 * Signals the processes of instances and waits for them to end. A process is only ever
 * taken for an instance's if its start time matches too, so that a pid the kernel has
 * reused for another process is never signalled.
 */
final class Reaper {

	private static final Duration KILL_WAIT = Duration.ofSeconds(10);

	private static final long POLL_MILLIS = 5;

	private final Host host;

	Reaper(Host host) {
		this.host = host;
	}

	/**
	 * The process, if it still runs: not ended, not a zombie, and not another process with
	 * the same pid.
	 * @param process the process as recorded
	 * @return what the host says about it, or empty
	 */
	Optional<ProcessInfo> alive(ProcessId process) {
		if (process.pid() <= 0 || process.startTicks() <= 0) {
			return Optional.empty();
		}
		return this.host.process(process.pid())
			.filter((info) -> !info.isZombie() && info.startTicks() == process.startTicks());
	}

	/**
	 * Whether a process seen before still runs.
	 * @param process the process
	 * @return whether it does
	 */
	boolean isSameAlive(ProcessInfo process) {
		return alive(new ProcessId(process.pid(), process.startTicks())).isPresent();
	}

	/**
	 * What an instance is doing.
	 * @param instance the instance
	 * @return {@link Liveness#STARTING} while its {@code cse} command still starts it, else
	 * whether its main process runs
	 */
	Liveness liveness(Instance instance) {
		boolean alive = alive(instance.process()).isPresent();
		if (instance.state() != State.RUNNING && alive(instance.owner()).isPresent()) {
			return Liveness.STARTING;
		}
		return alive ? Liveness.ALIVE : Liveness.DEAD;
	}

	/**
	 * Send a signal; the process may end on its own meanwhile, so whether it did is checked
	 * afterwards, not here.
	 * @param pid the process
	 * @param signal the signal's name, as {@code kill -s} takes it
	 */
	void signal(long pid, String signal) {
		this.host.run(List.of("kill", "-s", signal, Long.toString(pid)));
	}

	/**
	 * A process's descendants, children before their own children.
	 * @param pid the process
	 * @return what the host says about each
	 */
	List<ProcessInfo> descendants(long pid) {
		List<ProcessInfo> tree = new ArrayList<>();
		collectDescendants(pid, tree);
		return tree;
	}

	private void collectDescendants(long pid, List<ProcessInfo> into) {
		for (long child : this.host.children(pid)) {
			Optional<ProcessInfo> info = this.host.process(child);
			if (info.isPresent()) {
				into.add(info.get());
				collectDescendants(child, into);
			}
		}
	}

	/**
	 * Wait until a process has ended.
	 * @param process the process
	 * @param timeout how long at most
	 * @return whether it ended in time
	 */
	boolean awaitGone(ProcessInfo process, Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (isSameAlive(process)) {
			if (System.nanoTime() - deadline > 0) {
				return false;
			}
			Poll.pause(POLL_MILLIS);
		}
		return true;
	}

	/**
	 * Wait until a killed process of an instance has ended.
	 * @param process the process
	 * @param instance its instance, for the message
	 * @throws CseException if it did not end in time
	 */
	void requireGone(ProcessInfo process, Instance instance) {
		if (!awaitGone(process, KILL_WAIT)) {
			throw new CseException("process " + process.pid() + " (" + process.command() + ") of " + instance.name()
					+ " did not end after SIGKILL within " + KILL_WAIT.toSeconds() + " s (state "
					+ process.state() + "): retry 'cse stop " + instance.name() + "' later");
		}
	}

}
