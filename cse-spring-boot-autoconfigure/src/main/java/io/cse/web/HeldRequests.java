package io.cse.web;

import java.time.Duration;

import io.cse.CheckpointCoordinator;

/**
 * What a web stack's filter does with a request while the {@link TrafficGate} is closed:
 * the same on servlet stacks ({@link TrafficGateFilter}) and reactive ones
 * ({@link ReactiveTrafficGateFilter}).
 * <p>
 * Requests to the CSE endpoint always go through: they are how a platform thaws the
 * instance. Any other request is held; if it finds the instance frozen, and thaw on
 * request is on, it thaws the instance itself, so a platform that only unfreezes the
 * process loses no request. A request held longer than the hold timeout is refused with
 * {@code 503 Service Unavailable} and {@code Retry-After}.
 */
public final class HeldRequests {

	private final TrafficGate gate;

	private final CheckpointCoordinator coordinator;

	private final EndpointPath endpointPath;

	private final boolean thawOnRequest;

	private final Duration holdTimeout;

	private final Duration retryAfter;

	/**
	 * Create the rules for requests held at a gate.
	 * @param gate the gate every request goes through
	 * @param coordinator the coordinator a held request thaws the instance with
	 * @param endpointPath the path of the CSE endpoint, relative to the application's path
	 * @param thawOnRequest whether a request that reaches a frozen instance thaws it
	 * @param holdTimeout how long a request is held at most
	 * @param retryAfter what {@code Retry-After} tells a client whose request timed out
	 */
	public HeldRequests(TrafficGate gate, CheckpointCoordinator coordinator, String endpointPath,
			boolean thawOnRequest, Duration holdTimeout, Duration retryAfter) {
		this.gate = gate;
		this.coordinator = coordinator;
		this.endpointPath = new EndpointPath(endpointPath);
		this.thawOnRequest = thawOnRequest;
		this.holdTimeout = holdTimeout;
		this.retryAfter = retryAfter;
	}

	/**
	 * Return the gate.
	 * @return the gate every request goes through
	 */
	public TrafficGate getGate() {
		return this.gate;
	}

	/**
	 * Return the coordinator.
	 * @return the coordinator of this instance
	 */
	public CheckpointCoordinator getCoordinator() {
		return this.coordinator;
	}

	/**
	 * Return whether a request is for the CSE endpoint, which it always reaches: read as
	 * Spring's request mapping reads it (decoded, without matrix parameters), and never
	 * a path whose dot segments or doubled slashes could lead elsewhere.
	 * @param pathWithinApplication the request's path as sent, without the application's own
	 * @return whether the path is the endpoint's or below it
	 */
	public boolean isEndpoint(String pathWithinApplication) {
		return this.endpointPath.matches(pathWithinApplication);
	}

	/**
	 * Let a request in, holding it while the gate is closed, thawing a frozen instance if
	 * thaw on request is on. Blocks: a non-blocking stack calls
	 * {@link TrafficGate#tryEnter()} first and this only on a thread that may block.
	 * @return whether the request entered; if it did, {@link TrafficGate#exit()} must follow
	 * @throws InterruptedException if the thread was interrupted while held
	 */
	public boolean enter() throws InterruptedException {
		return this.gate.enter(this.holdTimeout,
				(maxWait) -> this.thawOnRequest && this.coordinator.thawIfFrozen(maxWait));
	}

	/**
	 * Return what a refused request's {@code Retry-After} header says.
	 * @return whole seconds, at least one
	 */
	public String retryAfterSeconds() {
		return Long.toString(Math.max(1, (this.retryAfter.toMillis() + 999) / 1000));
	}

	/**
	 * Return why a request was refused.
	 * @return the reason, for the response
	 */
	public String refusal() {
		return "The instance is frozen and did not resume within " + this.holdTimeout.toMillis() + " ms";
	}

	/**
	 * Return whether an endpoint request is a {@code POST} with no body and no content
	 * type. Actuator takes a write operation's body as JSON only when the request says so;
	 * a platform that posts an action without a body means no parameters, so such a request
	 * is given a JSON content type ({@code curl -X POST .../actuator/cse/freeze} just works).
	 * @param method the request's method
	 * @param contentType its content type, or {@code null}
	 * @param contentLength its content length, or a negative number if it has none
	 * @return whether the request should be read as JSON
	 */
	public static boolean isUntypedPost(String method, Object contentType, long contentLength) {
		return "POST".equals(method) && contentType == null && contentLength <= 0;
	}

}
