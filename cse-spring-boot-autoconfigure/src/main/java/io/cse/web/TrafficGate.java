package io.cse.web;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import io.cse.CheckpointContext;
import io.cse.CheckpointContext.Operation;
import io.cse.CheckpointParticipant;
import io.cse.InstanceState;
import io.cse.event.InstanceStateChangedEvent;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.ApplicationListener;

/**
 * The inbound traffic gate: the first participant to quiesce and the last to resume.
 * <p>
 * Quiescing closes the gate: readiness goes to {@link ReadinessState#REFUSING_TRAFFIC},
 * requests in flight finish (bounded by the drain timeout), then idle keep-alive
 * connections are closed. The listening socket stays open: a request that arrives while
 * the gate is closed is held, not refused, and goes through once the gate opens again. A
 * web server filter ({@link TrafficGateFilter}) calls {@link #enter} and {@link #exit}
 * around every request.
 */
public class TrafficGate implements CheckpointParticipant, ApplicationListener<InstanceStateChangedEvent> {

	private static final Log logger = LogFactory.getLog(TrafficGate.class);


	private final ReentrantLock lock = new ReentrantLock();

	private final Condition changed = this.lock.newCondition();

	private final AtomicInteger inFlight = new AtomicInteger();

	private final Map<Integer, Integer> busyPorts = new ConcurrentHashMap<>();

	private final ApplicationEventPublisher eventPublisher;

	private final ApplicationAvailability availability;

	private final IdleConnectionCloser idleConnectionCloser;

	private final Duration drainTimeout;

	private volatile boolean open = true;

	private volatile boolean frozen;

	private volatile long version;

	private volatile boolean refusingTrafficSetByGate;

	private volatile int lastClosedConnections;

	private volatile Duration idleConnectionQuietTime = Duration.ofSeconds(1);

	/**
	 * Create a gate.
	 * @param eventPublisher publishes readiness changes
	 * @param availability the application's availability, or {@code null} if unknown
	 * @param idleConnectionCloser closes the web server's idle keep-alive connections
	 * @param drainTimeout how long requests in flight may take to finish
	 */
	public TrafficGate(ApplicationEventPublisher eventPublisher, ApplicationAvailability availability,
			IdleConnectionCloser idleConnectionCloser, Duration drainTimeout) {
		this.eventPublisher = eventPublisher;
		this.availability = availability;
		this.idleConnectionCloser = idleConnectionCloser;
		this.drainTimeout = drainTimeout;
	}

	/**
	 * Set how long a keep-alive connection must have been quiet before a freeze or a clone
	 * closes it (a second by default): one in steady use may carry the client's next
	 * request right now. A dump closes every idle connection.
	 * @param idleConnectionQuietTime the quiet time
	 */
	public void setIdleConnectionQuietTime(Duration idleConnectionQuietTime) {
		this.idleConnectionQuietTime = idleConnectionQuietTime;
	}

	@Override
	public String getName() {
		return "traffic";
	}

	@Override
	public int getOrder() {
		return TRAFFIC_ORDER;
	}

	/**
	 * Return whether requests go through.
	 * @return whether the gate is open
	 */
	public boolean isOpen() {
		return this.open;
	}

	/**
	 * Return the number of requests in flight.
	 * @return requests that entered and have not exited yet
	 */
	public int getInFlight() {
		return this.inFlight.get();
	}

	/**
	 * Return how many idle connections the last quiesce closed.
	 * @return the number of connections closed
	 */
	public int getLastClosedConnections() {
		return this.lastClosedConnections;
	}

	/**
	 * Let a request in if the gate is open, otherwise hold it until the gate opens.
	 * @param timeout how long to hold the request at most
	 * @param thawOnRequest called, outside any lock, whenever the held request finds the
	 * instance frozen
	 * @return whether the request entered; if it did, {@link #exit()} must follow
	 * @throws InterruptedException if the thread was interrupted while held
	 */
	public boolean enter(Duration timeout, ThawOnRequest thawOnRequest) throws InterruptedException {
		if (tryEnter()) {
			return true;
		}
		long deadline = System.nanoTime() + timeout.toNanos();
		while (true) {
			long seen = this.version;
			if (this.frozen && thawOnRequest.thawIfFrozen(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))
					&& tryEnter()) {
				return true;
			}
			this.lock.lock();
			try {
				long remaining = deadline - System.nanoTime();
				// Wake up when the gate opens or the instance changes state (for example
				// reaches FROZEN, where this request may thaw it).
				while (!this.open && seen == this.version && remaining > 0) {
					remaining = this.changed.awaitNanos(remaining);
				}
			}
			finally {
				this.lock.unlock();
			}
			if (tryEnter()) {
				return true;
			}
			if (deadline - System.nanoTime() <= 0) {
				return false;
			}
		}
	}

	/**
	 * Record that a request that {@link #enter entered} has completed.
	 */
	public void exit() {
		leave();
	}

	/**
	 * Record that the connection with the given client port has a request under way, held
	 * or not: a quiesce leaves that connection open.
	 * @param remotePort the client port of the request's connection
	 * @see #release(int)
	 */
	public void occupy(int remotePort) {
		this.busyPorts.merge(remotePort, 1, Integer::sum);
	}

	/**
	 * Record that a request {@link #occupy occupying} a connection has ended.
	 * @param remotePort the client port of the request's connection
	 */
	public void release(int remotePort) {
		this.busyPorts.computeIfPresent(remotePort, (port, count) -> (count > 1) ? count - 1 : null);
	}

	private void leave() {
		if (this.inFlight.decrementAndGet() == 0 && !this.open) {
			signalAll();
		}
	}

	/**
	 * Let a request in if the gate is open, without ever waiting: what a non-blocking web
	 * stack calls first, before it holds the request on a thread that may block.
	 * @return whether the request entered; if it did, {@link #exit()} must follow
	 */
	public boolean tryEnter() {
		// Count first, then look: a quiesce that closes the gate in between sees the count
		// and waits for it, so no request slips through unseen.
		this.inFlight.incrementAndGet();
		if (this.open) {
			return true;
		}
		leave();
		return false;
	}

	@Override
	public void quiesce(CheckpointContext context) throws Exception {
		this.open = false;
		refuseTraffic();
		long deadline = System.nanoTime() + this.drainTimeout.toNanos();
		this.lock.lock();
		try {
			while (this.inFlight.get() > 0) {
				long remaining = deadline - System.nanoTime();
				if (remaining <= 0) {
					throw new IllegalStateException(this.inFlight.get() + " request(s) still in flight after "
							+ this.drainTimeout.toMillis() + " ms (raise cse.traffic.drain-timeout)");
				}
				this.changed.awaitNanos(remaining);
			}
		}
		finally {
			this.lock.unlock();
		}
		// Requests held at the gate keep their connections: they are served after the thaw.
		// A freeze or a clone template goes on with its connections, and closes only those
		// quiet for a while; a dump ends the process, and a restore closes every
		// connection it held, so all of them go now, for the clients to see it
		Duration quietFor = (context.operation() == Operation.DUMP) ? Duration.ZERO : this.idleConnectionQuietTime;
		this.lastClosedConnections = this.idleConnectionCloser
			.closeIdleConnections((port) -> this.busyPorts.containsKey(port), quietFor);
		logger.debug("Traffic gate closed; " + this.lastClosedConnections + " idle connection(s) closed");
	}

	@Override
	public void resume(CheckpointContext context) {
		// Ready first, then open: a health check held at the gate must not be answered
		// "refusing traffic" by the instance that just let it through.
		acceptTraffic();
		this.lock.lock();
		try {
			this.open = true;
			this.version++;
			this.changed.signalAll();
		}
		finally {
			this.lock.unlock();
		}
	}

	@Override
	public void onApplicationEvent(InstanceStateChangedEvent event) {
		this.frozen = event.getState() == InstanceState.FROZEN;
		this.lock.lock();
		try {
			this.version++;
			this.changed.signalAll();
		}
		finally {
			this.lock.unlock();
		}
	}

	private void refuseTraffic() {
		if (this.availability == null || this.availability.getReadinessState() == ReadinessState.ACCEPTING_TRAFFIC) {
			AvailabilityChangeEvent.publish(this.eventPublisher, this, ReadinessState.REFUSING_TRAFFIC);
			this.refusingTrafficSetByGate = true;
		}
	}

	private void acceptTraffic() {
		// Only undo what the gate did: an application that refused traffic itself keeps
		// refusing it.
		if (this.refusingTrafficSetByGate) {
			this.refusingTrafficSetByGate = false;
			AvailabilityChangeEvent.publish(this.eventPublisher, this, ReadinessState.ACCEPTING_TRAFFIC);
		}
	}

	private void signalAll() {
		this.lock.lock();
		try {
			this.changed.signalAll();
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Thaws a frozen instance for a request held at the gate.
	 */
	@FunctionalInterface
	public interface ThawOnRequest {

		/**
		 * Thaw the instance if it is frozen.
		 * @param maxWait how long the request may still wait, for an operation under way
		 * to end among other things
		 * @return whether the instance was thawed
		 * @throws InterruptedException if the thread was interrupted while waiting
		 */
		boolean thawIfFrozen(Duration maxWait) throws InterruptedException;

	}

}
