package io.cse.node.instance;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.cse.node.CseException;
import io.cse.node.linux.Bridge;
import io.cse.node.linux.Host;
import io.cse.node.linux.NetworkNamespace;

/**
 * Undoes restores and clones that did not finish: every one either ends with its
 * instances serving and registered, or removes everything it did (processes, network
 * namespaces, veth pairs, registry entries, and the bridge if it created it and nothing
 * else uses it). Only the restores' logs stay, for the error message to point at.
 */
final class RollBack {

	private static final Duration WORKER_WAIT = Duration.ofSeconds(10);

	private final Host host;

	private final Registry registry;

	private final Stopper stopper;

	private final Set<String> pending = ConcurrentHashMap.newKeySet();

	private final Set<ExecutorService> workers = ConcurrentHashMap.newKeySet();

	private volatile boolean closing;

	// The bridge a restore or clone created and has not finished with.
	private volatile Bridge createdBridge;

	RollBack(Host host, Registry registry, Stopper stopper) {
		this.host = host;
		this.registry = registry;
		this.stopper = stopper;
	}

	/**
	 * Whether this JVM is ending and the restores are being undone.
	 * @return whether it is
	 */
	boolean closing() {
		return this.closing;
	}

	/**
	 * Run restores of reserved instances, and remove them all if any fails.
	 * @param names the reserved instances
	 * @param action the restores
	 * @return what the restores returned
	 * @throws CseException if a restore fails, once everything is removed
	 */
	List<Started> guard(List<String> names, Supplier<List<Started>> action) {
		this.pending.addAll(names);
		try {
			List<Started> started = action.get();
			this.pending.removeAll(names);
			return started;
		}
		catch (RuntimeException ex) {
			List<String> leftovers = new ArrayList<>();
			for (String name : names) {
				discard(name).ifPresent((problem) -> leftovers.add(name + " (" + problem + ")"));
			}
			if (ex instanceof Cancelled) {
				throw new CseException("cancelled");
			}
			String message = CseException.messageOf(ex);
			if (names.size() > 1 || !leftovers.isEmpty()) {
				message += leftovers.isEmpty()
						? "; stopped the other instances this command started and removed everything they used"
						: "; could not clean up " + String.join(", ", leftovers)
								+ ": remove them with 'cse stop NAME' once the cause is fixed";
			}
			throw new CseException(message, ex);
		}
	}

	/**
	 * Run restores in namespaces, and release the network they set up if they fail.
	 * @param <T> what the restores return
	 * @param created the bridge the restores' reservation created, or {@code null}
	 * @param action the restores, {@link #guard guarded} themselves
	 * @return what the restores returned
	 * @see #releaseNetwork(Bridge)
	 */
	<T> T guardNetwork(Bridge created, Supplier<T> action) {
		if (created != null) {
			this.createdBridge = created;
		}
		try {
			return action.get();
		}
		catch (RuntimeException ex) {
			releaseNetwork(created);
			throw ex;
		}
		finally {
			this.createdBridge = null;
		}
	}

	/**
	 * Let the roll-back on exit stop the restore threads of an executor.
	 * @param executor the executor
	 */
	void track(ExecutorService executor) {
		this.workers.add(executor);
	}

	/**
	 * Forget an executor whose threads are done.
	 * @param executor the executor
	 */
	void untrack(ExecutorService executor) {
		this.workers.remove(executor);
	}

	/**
	 * Undo, when this JVM ends (Ctrl-C), whatever a restore or clone has not finished.
	 */
	void onExit() {
		Runtime.getRuntime().addShutdownHook(new Thread(() -> {
			if (this.pending.isEmpty()) {
				return;
			}
			this.closing = true;
			for (ExecutorService executor : this.workers) {
				executor.shutdownNow();
				awaitTermination(executor);
			}
			List<String> names = List.copyOf(this.pending);
			for (String name : names) {
				discard(name).ifPresent((problem) -> System.err.println("cse: could not clean up " + name + ": "
						+ problem));
			}
			try {
				releaseNetwork(this.createdBridge);
			}
			catch (RuntimeException ex) {
				System.err.println("cse: " + ex.getMessage());
			}
			System.err.println("cse: interrupted; removed what this command had started (" + String.join(", ", names)
					+ ")");
		}, "cse-roll-back"));
	}

	/**
	 * Take down a bridge a restore created, unless instances came to use it meanwhile, and
	 * unmount {@code /run/netns} once no instance in namespaces is left.
	 * @param created the bridge, or {@code null}
	 */
	void releaseNetwork(Bridge created) {
		this.registry.locked(() -> {
			if (this.registry.list().stream().noneMatch(Instance::namespaced)) {
				if (created != null && created.attachedInterfaces().isEmpty()) {
					downQuietly(created);
				}
				NetworkNamespace.releaseMountIfUnused(this.host);
			}
			return null;
		});
	}

	/**
	 * Remove at once (no grace period) what an unfinished restore started.
	 * @return what went wrong, if something did
	 */
	private Optional<String> discard(String name) {
		try {
			this.registry.find(name).ifPresent((instance) -> this.stopper.stop(instance, Duration.ZERO, false));
			return Optional.empty();
		}
		catch (RuntimeException ex) {
			return Optional.of(CseException.messageOf(ex));
		}
		finally {
			this.pending.remove(name);
		}
	}

	/**
	 * Take a bridge down that a command created, telling what to do if that fails.
	 * @param bridge the bridge
	 */
	static void downQuietly(Bridge bridge) {
		try {
			bridge.down();
		}
		catch (RuntimeException ex) {
			System.err.println("cse: could not delete the bridge " + bridge.name() + " this command created: "
					+ ex.getMessage() + "; delete it with 'cse net down'");
		}
	}

	/**
	 * Wait a while for an executor's threads to end, then interrupt them.
	 * @param executor the executor, shut down
	 */
	static void awaitTermination(ExecutorService executor) {
		try {
			if (!executor.awaitTermination(WORKER_WAIT.toSeconds(), TimeUnit.SECONDS)) {
				executor.shutdownNow();
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
