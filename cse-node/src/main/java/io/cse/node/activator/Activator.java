package io.cse.node.activator;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.cse.node.CseException;
import io.cse.node.instance.Instance;
import io.cse.node.instance.Node;
import io.cse.node.instance.Registry;
import io.cse.node.linux.Cgroup;

/**
 * Wakes frozen instances when a connection arrives: the agent watches the accept queue of
 * every frozen instance it was asked to wake, and thaws the instance as soon as a
 * connection waits there. A frozen process still has its listening socket, so the kernel
 * completes the connection and queues it: nothing is refused, the first request is served
 * once the thaw is done. Which instances to wake is kept in files, so that an agent that
 * restarts goes on watching them.
 */
public final class Activator implements AutoCloseable {

	private static final Logger logger = Logger.getLogger(Activator.class.getName());

	private static final long POLL_MILLIS = 2;

	private final Node node;

	private final Exclusive exclusive;

	private final Path markers;

	private final Map<String, Instance> watched = new ConcurrentHashMap<>();

	private final AtomicInteger threads = new AtomicInteger();

	private final ExecutorService thaws = Executors.newCachedThreadPool((task) -> {
		Thread thread = new Thread(task, "cse-activator-thaw-" + this.threads.incrementAndGet());
		thread.setDaemon(true);
		return thread;
	});

	private volatile Thread watcher;

	/**
	 * An activator for the instances of a registry.
	 * @param node the instances
	 * @param exclusive holds an instance for the thaw, so that it never interleaves with
	 * another operation on it
	 */
	public Activator(Node node, Exclusive exclusive) {
		this.node = node;
		this.exclusive = exclusive;
		this.markers = node.registry().stateDir().resolve("wake-on-request");
	}

	/**
	 * Wake a frozen instance when a connection arrives, from now on and after an agent
	 * restart, until it is thawed.
	 * @param name the instance, frozen
	 * @throws CseException if it is not frozen
	 */
	public void wakeOnRequest(String name) {
		Instance instance = this.node.registry()
			.find(name)
			.orElseThrow(() -> CseException.notFound("no instance named " + name + " (see 'cse ps')"));
		if (!Cgroup.FROZEN.equals(this.node.freezerState(instance))) {
			throw new CseException(name + " is not frozen: freeze it first");
		}
		try {
			Files.createDirectories(this.markers);
			Files.writeString(this.markers.resolve(name), "");
		}
		catch (IOException ex) {
			throw new CseException("cannot record that " + name + " wakes on a request in " + this.markers + ": " + ex,
					ex);
		}
		this.watched.put(name, instance);
	}

	/**
	 * Return whether an instance is woken by its next connection.
	 * @param name the instance
	 * @return whether it is watched
	 */
	public boolean wakesOnRequest(String name) {
		return this.watched.containsKey(name);
	}

	/**
	 * Return whether the activator watches: only in a resident agent, which outlives the
	 * call that froze the instance.
	 * @return whether it runs
	 */
	public boolean running() {
		return this.watcher != null;
	}

	/**
	 * Start watching, and take over the instances an earlier agent watched.
	 */
	public synchronized void start() {
		if (this.watcher != null) {
			return;
		}
		if (Files.isDirectory(this.markers)) {
			try (DirectoryStream<Path> files = Files.newDirectoryStream(this.markers)) {
				for (Path marker : files) {
					String name = marker.getFileName().toString();
					Optional<Instance> instance = isValidName(name) ? this.node.registry().find(name) : Optional.empty();
					if (instance.isPresent() && Cgroup.FROZEN.equals(this.node.freezerState(instance.get()))) {
						this.watched.put(name, instance.get());
					}
					else {
						Files.deleteIfExists(marker);
					}
				}
			}
			catch (IOException ex) {
				logger.log(Level.WARNING, "Cannot read " + this.markers + ": frozen instances there are not woken", ex);
			}
		}
		Thread thread = new Thread(this::watch, "cse-activator");
		thread.setDaemon(true);
		this.watcher = thread;
		thread.start();
	}

	private void watch() {
		while (!Thread.currentThread().isInterrupted()) {
			for (Instance instance : this.watched.values()) {
				try {
					String state = this.node.freezerState(instance);
					if (!Cgroup.FROZEN.equals(state)) {
						// thawed by someone else, or stopped: nothing to wake any more
						forget(instance.name());
					}
					else if (this.node.waitingConnections(instance) > 0) {
						forget(instance.name());
						this.thaws.execute(() -> thaw(instance.name()));
					}
				}
				catch (RuntimeException ex) {
					logger.log(Level.WARNING, "Watching " + instance.name() + " failed; it is no longer woken", ex);
					forget(instance.name());
				}
			}
			try {
				Thread.sleep(POLL_MILLIS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
	}

	private void thaw(String name) {
		try (AutoCloseable held = this.exclusive.hold(name)) {
			this.node.thaw(name);
			logger.info("A connection reached frozen " + name + ": thawed it");
		}
		catch (Exception ex) {
			// another operation on it was under way (a thaw, a stop): it decides
			logger.log(Level.WARNING, "A connection reached frozen " + name + ", but it did not thaw: "
					+ CseException.messageOf(ex), ex);
		}
	}

	private void forget(String name) {
		this.watched.remove(name);
		try {
			Files.deleteIfExists(this.markers.resolve(name));
		}
		catch (IOException ex) {
			logger.log(Level.WARNING, "Cannot delete " + this.markers.resolve(name), ex);
		}
	}

	private static boolean isValidName(String name) {
		try {
			Registry.requireValidName(name);
			return true;
		}
		catch (CseException ex) {
			return false;
		}
	}

	@Override
	public synchronized void close() {
		if (this.watcher != null) {
			this.watcher.interrupt();
			this.watcher = null;
		}
		this.thaws.shutdown();
	}

	/**
	 * Holds an instance for one operation, or refuses when another one runs on it.
	 */
	@FunctionalInterface
	public interface Exclusive {

		/**
		 * Hold an instance.
		 * @param name the instance
		 * @return what frees it when closed
		 * @throws RuntimeException if another operation runs on it
		 */
		AutoCloseable hold(String name);

	}

}
