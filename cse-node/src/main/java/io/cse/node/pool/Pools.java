package io.cse.node.pool;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.cse.node.CseException;
import io.cse.node.image.Image;
import io.cse.node.instance.Deadline;
import io.cse.node.instance.Instance;
import io.cse.node.instance.InstanceStatus;
import io.cse.node.instance.Node;
import io.cse.node.instance.Registry;
import io.cse.node.instance.Started;
import io.cse.node.instance.Thawed;
import io.cse.node.linux.Criu;

/**
 * Pools of frozen clones: each keeps N clones of a template restored, warmed (their first
 * 200), frozen and, if asked, squeezed, so that taking one costs a thaw. A taken clone is
 * replaced in the background, one restore at a time for all pools, so that refills never
 * compete with each other for the CPU the served requests need. Pools live in files of
 * their own, so an agent that restarts finds their clones again.
 */
public final class Pools implements AutoCloseable {

	private static final Logger logger = Logger.getLogger(Pools.class.getName());

	private static final Duration RESTORE_TIMEOUT = Duration.ofSeconds(120);

	private static final Duration RETRY_AFTER_FAILURE = Duration.ofSeconds(5);

	/**
	 * How long a refill waits after a take: takes come in bursts, and a restore started at
	 * once would compete for the CPU with the thaws and the first requests of the clones
	 * just taken.
	 */
	private static final Duration REFILL_AFTER_TAKE = Duration.ofSeconds(1);

	/**
	 * The longest pool name: its clones' names ({@code <name>-<n>}) must fit the 40
	 * characters an instance name may have.
	 */
	static final int MAX_NAME_LENGTH = 32;

	private final Node node;

	private final PoolStore store;

	private final Function<String, Image> images;

	private final Supplier<Criu> criu;

	private final String bridge;

	private final Object lock = new Object();

	private final Map<String, Integer> filling = new HashMap<>();

	private final AtomicBoolean refillQueued = new AtomicBoolean();

	private ScheduledExecutorService refiller;

	/**
	 * Pools whose files are in the registry's state folder.
	 * @param node the instances
	 * @param images finds a template image by id or folder
	 * @param criu the CRIU to restore with
	 * @param bridge the bridge the clones hang on
	 */
	public Pools(Node node, Function<String, Image> images, Supplier<Criu> criu, String bridge) {
		this.node = node;
		this.store = new PoolStore(node.registry().stateDir());
		this.images = images;
		this.criu = criu;
		this.bridge = bridge;
	}

	/**
	 * Keep the pools full in the background from now on: what a resident agent does. Pools
	 * that lost clones while no agent ran are refilled at once.
	 */
	public void refillInBackground() {
		synchronized (this.lock) {
			if (this.refiller == null) {
				this.refiller = Executors.newSingleThreadScheduledExecutor((task) -> {
					Thread thread = new Thread(task, "cse-pool-refill");
					thread.setDaemon(true);
					return thread;
				});
			}
		}
		refillSoon(Duration.ZERO);
	}

	/**
	 * Make a pool and fill it, one clone after the other.
	 * @param name the pool's name
	 * @param template the template image, by id or folder
	 * @param size how many frozen clones to keep
	 * @param squeeze whether to squeeze them after they freeze
	 * @param bridge the bridge its clones hang on, or {@code null} for the agent's
	 * @param timeout how long each clone may take to serve after its restore starts
	 * @return the pool, full
	 * @throws CseException if a clone cannot be made; the pool is then not created, and the
	 * clones made for it are stopped
	 */
	public PoolStatus create(String name, String template, int size, boolean squeeze, String bridge,
			Duration timeout) {
		Image image = this.images.apply(template);
		if (!image.isTemplate()) {
			throw new CseException("image " + image.id() + " is a dump of one instance, not a template: its clones "
					+ "would all be the same instance; take a template of the service for a pool");
		}
		synchronized (this.lock) {
			if (this.store.find(name).isPresent()) {
				throw CseException.refused("a pool named " + name + " exists already: take from it, or delete it first");
			}
			this.store.save(new PoolState(name, image.dir().toString(), size, squeeze, bridge, List.of(), List.of(),
					Instant.now().toString()));
		}
		try {
			while (fillOne(name, timeout)) {
				// one clone at a time, as the refills do
			}
		}
		catch (RuntimeException ex) {
			// Kept, a pool whose clones cannot be made would be refilled in the background (from
			// the next take or start on) and fail again every few seconds, after a call that
			// answered with an error
			List<String> stopped = deleteAfterFailedCreate(name);
			CseException.Reason reason = (ex instanceof CseException cse) ? cse.reason() : CseException.Reason.FAILED;
			throw new CseException(reason, CseException.messageOf(ex) + "; so pool " + name + " was not created"
					+ (stopped.isEmpty() ? "" : ", and the clones made for it were stopped (" + String.join(", ", stopped)
							+ ")")
					+ ": fix the cause, then create it again", ex);
		}
		return status(name);
	}

	private List<String> deleteAfterFailedCreate(String name) {
		try {
			return delete(name);
		}
		catch (CseException ex) {
			if (ex.reason() != CseException.Reason.NOT_FOUND) {
				throw ex;
			}
			// deleted by its owner meanwhile, with its clones
			return List.of();
		}
	}

	/**
	 * The pools.
	 * @return every pool, by name
	 */
	public List<PoolStatus> list() {
		return this.store.list().stream().map(this::statusOf).toList();
	}

	/**
	 * A pool.
	 * @param name its name
	 * @return the pool
	 * @throws CseException if there is no such pool
	 */
	public PoolStatus status(String name) {
		return statusOf(require(name));
	}

	/**
	 * Return whether a pool exists.
	 * @param name its name
	 * @return whether it does
	 */
	public boolean exists(String name) {
		return this.store.find(name).isPresent();
	}

	/**
	 * Take a clone: thaw the oldest frozen one and wait for its first 200; if none is ready,
	 * restore one for the request. Either way the pool is refilled in the background.
	 * @param name the pool's name
	 * @param deadline when the clone must serve
	 * @return the clone, serving
	 * @throws CseException if no clone serves by the deadline
	 * ({@link CseException.Reason#TIMED_OUT})
	 */
	public Taken take(String name, Deadline deadline) {
		long start = System.nanoTime();
		while (!deadline.expired()) {
			Optional<String> member = claim(name);
			if (member.isEmpty()) {
				break;
			}
			try {
				Thawed thawed = this.node.thaw(member.get(), deadline);
				Instance instance = this.node.registry().find(member.get()).orElseThrow();
				refillSoon(REFILL_AFTER_TAKE);
				return new Taken(name, instance, true, thawed, (System.nanoTime() - start) / 1e6);
			}
			catch (CseException ex) {
				if (ex.reason() != CseException.Reason.TIMED_OUT) {
					discard(name, member.get(), ex);
					continue;
				}
				// Thawed, and resuming: taken, as a clone that served would be; stopping it would
				// throw away a clone that is about to serve
				refillSoon(REFILL_AFTER_TAKE);
				throw CseException.timedOut("clone " + member.get() + " of pool " + name + " did not confirm its thaw "
						+ "within " + deadline.describe() + ": it goes on resuming as an instance of its own (see 'cse ps', "
						+ "stop it with 'cse stop " + member.get() + "'); give a take longer with --timeout");
			}
			catch (RuntimeException ex) {
				discard(name, member.get(), ex);
			}
		}
		if (deadline.expired()) {
			throw CseException.timedOut("no clone of pool " + name + " served within " + deadline.describe()
					+ ": give it longer with --timeout, or see the agent's log");
		}
		PoolState pool = require(name);
		Started started = restoreClone(pool, deadline.within(RESTORE_TIMEOUT));
		synchronized (this.lock) {
			this.store.find(name).ifPresent((current) -> this.store.save(current.withMember(started.instance().name())
				.releasing(started.instance().name())));
		}
		refillSoon(Duration.ZERO);
		return new Taken(name, started.instance(), false, null, (System.nanoTime() - start) / 1e6);
	}

	/**
	 * Delete a pool and stop its frozen clones; clones taken from it keep serving.
	 * @param name the pool's name
	 * @return the clones stopped
	 */
	public List<String> delete(String name) {
		PoolState pool;
		synchronized (this.lock) {
			pool = require(name);
			this.store.delete(name);
		}
		for (String member : pool.members()) {
			stopQuietly(member);
		}
		return pool.members();
	}

	@Override
	public void close() {
		ScheduledExecutorService refiller;
		synchronized (this.lock) {
			refiller = this.refiller;
		}
		if (refiller == null) {
			return;
		}
		refiller.shutdownNow();
		try {
			// a refill under way stops at its next wait; what it left half-made, the next
			// agent's recovery stops
			if (!refiller.awaitTermination(30, TimeUnit.SECONDS)) {
				logger.warning("A pool refill did not stop within 30 s");
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * Take the pool's oldest clone out of it, in memory at once, and in its file before the
	 * clone is thawed (an agent killed in between must not offer it again). The write
	 * happens outside the pools' lock: takes sent at once claim one after the other
	 * without waiting for each other's writes, and share one.
	 */
	private Optional<String> claim(String name) {
		String member;
		long change;
		synchronized (this.lock) {
			PoolState pool = require(name);
			if (pool.members().isEmpty()) {
				return Optional.empty();
			}
			member = pool.members().get(0);
			change = this.store.change(name, pool.releasing(member));
		}
		this.store.awaitWritten(name, change);
		return Optional.of(member);
	}

	private void forget(String pool, String instance) {
		synchronized (this.lock) {
			this.store.find(pool).ifPresent((current) -> this.store.save(current.without(instance)));
		}
	}

	/**
	 * Add one frozen clone to a pool that has fewer than it should.
	 * @return whether one was added
	 */
	private boolean fillOne(String name, Duration timeout) {
		PoolState pool;
		synchronized (this.lock) {
			Optional<PoolState> found = this.store.find(name);
			if (found.isEmpty()) {
				return false;
			}
			pool = found.get();
			int underWay = this.filling.getOrDefault(name, 0);
			if (pool.members().size() + underWay >= pool.size()) {
				return false;
			}
			this.filling.merge(name, 1, Integer::sum);
		}
		try {
			Started started = restoreClone(pool, timeout);
			String member = started.instance().name();
			try {
				this.node.freeze(member, pool.squeeze(), Node.DEFAULT_SQUEEZE_FLOOR);
			}
			catch (RuntimeException ex) {
				stopQuietly(member);
				// The freeze's message ends with the service as the freeze left it ("it keeps
				// running"); the pool's clone does not outlive it, and the message says so
				CseException.Reason reason = (ex instanceof CseException cse) ? cse.reason() : CseException.Reason.FAILED;
				throw new CseException(reason, CseException.messageOf(ex) + "; the pool then stopped " + member, ex);
			}
			synchronized (this.lock) {
				Optional<PoolState> current = this.store.find(name);
				if (current.isEmpty()) {
					// deleted while this clone was made
					stopQuietly(member);
					return false;
				}
				this.store.save(current.get().withMember(member));
			}
			return true;
		}
		finally {
			synchronized (this.lock) {
				this.filling.merge(name, -1, Integer::sum);
			}
		}
	}

	/** A clone that did not thaw: stopped and dropped, so that the next take tries another. */
	private void discard(String name, String member, RuntimeException ex) {
		logger.log(Level.WARNING, "Pool " + name + ": clone " + member + " did not thaw (" + CseException.messageOf(ex)
				+ "); stopping it and taking another", ex);
		stopQuietly(member);
		forget(name, member);
	}

	private Started restoreClone(PoolState pool, Duration timeout) {
		Image image = this.images.apply(pool.template());
		String bridge = (pool.bridge() != null) ? pool.bridge() : this.bridge;
		List<Started> clones = this.node.clone(image, this.criu.get(), pool.name(), 1, 1, bridge, true,
				Deadline.in(timeout));
		return clones.get(0);
	}

	private void refillSoon(Duration delay) {
		ScheduledExecutorService refiller;
		synchronized (this.lock) {
			refiller = this.refiller;
		}
		if (refiller != null && !refiller.isShutdown() && this.refillQueued.compareAndSet(false, true)) {
			refiller.schedule(this::refillAll, delay.toMillis(), TimeUnit.MILLISECONDS);
		}
	}

	private void refillAll() {
		this.refillQueued.set(false);
		for (PoolState pool : this.store.list()) {
			try {
				recover(pool.name());
				while (fillOne(pool.name(), RESTORE_TIMEOUT)) {
					// one restore at a time, for every pool
				}
			}
			catch (RuntimeException ex) {
				if (stopping()) {
					// the agent is stopping: the next one finishes the refill
					return;
				}
				logger.log(Level.WARNING, "Pool " + pool.name() + " could not be refilled: "
						+ CseException.messageOf(ex) + "; retrying in " + RETRY_AFTER_FAILURE.toSeconds() + " s", ex);
				refillSoon(RETRY_AFTER_FAILURE);
			}
		}
	}

	/**
	 * Drop what a pool's file names but the host no longer has, and stop clones of the pool
	 * that no file names (made by an agent that was killed before it could record them).
	 */
	private void recover(String name) {
		List<InstanceStatus> instances = this.node.list();
		PoolRecovery recovery;
		synchronized (this.lock) {
			Optional<PoolState> found = this.store.find(name);
			if (found.isEmpty() || this.filling.getOrDefault(name, 0) > 0) {
				return;
			}
			recovery = PoolRecovery.of(found.get(), instances);
			if (!recovery.kept().equals(found.get())) {
				this.store.save(recovery.kept());
			}
		}
		for (String instance : recovery.toStop()) {
			logger.info("Pool " + name + ": stopping " + instance + ", a clone of it that is not ready to be taken");
			stopQuietly(instance);
		}
	}

	private boolean stopping() {
		synchronized (this.lock) {
			return Thread.currentThread().isInterrupted() || (this.refiller != null && this.refiller.isShutdown());
		}
	}

	private PoolStatus statusOf(PoolState pool) {
		int underWay;
		synchronized (this.lock) {
			underWay = this.filling.getOrDefault(pool.name(), 0);
		}
		return new PoolStatus(pool.name(), pool.template(), pool.size(), pool.squeeze(),
				(pool.bridge() != null) ? pool.bridge() : this.bridge, pool.members().size(), pool.members(), underWay);
	}

	private PoolState require(String name) {
		Registry.requireValidName(name);
		return this.store.find(name)
			.orElseThrow(() -> CseException.notFound("no pool named " + name + " (see 'cse pool ls', or GET /pools)"));
	}

	private void stopQuietly(String instance) {
		try {
			if (this.node.registry().find(instance).isPresent()) {
				// A pool's frozen clone never served anyone: nothing in its logs to keep
				this.node.stop(instance, Duration.ofSeconds(5), true);
			}
		}
		catch (RuntimeException ex) {
			logger.log(Level.WARNING, "Could not stop " + instance + ": " + CseException.messageOf(ex), ex);
		}
	}

}
