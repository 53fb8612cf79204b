package io.cse.web;

import java.io.IOException;
import java.time.Duration;

import io.cse.CheckpointCoordinator;
import io.cse.InstanceIdentity;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.MDC;

import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Puts every request of a servlet web application through the {@link TrafficGate}.
 * <p>
 * While the gate is closed a request is held; if it finds the instance frozen, and thaw
 * on request is on, it thaws the instance itself, so a platform that only unfreezes the
 * process loses no request. A request held longer than the hold timeout gets
 * {@code 503 Service Unavailable} with {@code Retry-After}. Requests to the CSE endpoint
 * always go through: they are how a platform thaws the instance.
 */
public class TrafficGateFilter extends OncePerRequestFilter implements Ordered {

	private final TrafficGate gate;

	private final CheckpointCoordinator coordinator;

	private final String endpointPath;

	private final boolean thawOnRequest;

	private final Duration holdTimeout;

	private final Duration retryAfter;

	/**
	 * Create a filter.
	 * @param gate the gate every request goes through
	 * @param coordinator the coordinator a held request thaws the instance with
	 * @param endpointPath the path of the CSE endpoint, relative to the context path
	 * @param thawOnRequest whether a request that reaches a frozen instance thaws it
	 * @param holdTimeout how long a request is held at most
	 * @param retryAfter what {@code Retry-After} tells a client whose request timed out
	 */
	public TrafficGateFilter(TrafficGate gate, CheckpointCoordinator coordinator, String endpointPath,
			boolean thawOnRequest, Duration holdTimeout, Duration retryAfter) {
		this.gate = gate;
		this.coordinator = coordinator;
		this.endpointPath = endpointPath;
		this.thawOnRequest = thawOnRequest;
		this.holdTimeout = holdTimeout;
		this.retryAfter = retryAfter;
	}

	@Override
	public int getOrder() {
		// Before everything else, so that no other filter does work for a held request.
		return Ordered.HIGHEST_PRECEDENCE;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		if (isEndpointRequest(request)) {
			chain.doFilter(request, response);
			return;
		}
		if (!enter()) {
			long seconds = Math.max(1, (this.retryAfter.toMillis() + 999) / 1000);
			response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString(seconds));
			response.sendError(HttpStatus.SERVICE_UNAVAILABLE.value(),
					"The instance is frozen and did not resume within " + this.holdTimeout.toMillis() + " ms");
			return;
		}
		boolean async = false;
		MDC.put(InstanceIdentity.MDC_KEY, this.coordinator.getIdentity().getInstanceId());
		try {
			chain.doFilter(request, response);
			if (request.isAsyncStarted()) {
				// The request stays in flight until its asynchronous processing ends.
				request.getAsyncContext().addListener(new ExitOnCompletion());
				async = true;
			}
		}
		finally {
			MDC.remove(InstanceIdentity.MDC_KEY);
			if (!async) {
				this.gate.exit();
			}
		}
	}

	private boolean enter() throws ServletException {
		try {
			return this.gate.enter(this.holdTimeout,
					() -> this.thawOnRequest && this.coordinator.thawIfFrozen());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new ServletException("Interrupted while the instance was quiesced", ex);
		}
	}

	private boolean isEndpointRequest(HttpServletRequest request) {
		String path = request.getRequestURI().substring(request.getContextPath().length());
		return path.equals(this.endpointPath) || path.startsWith(this.endpointPath + "/");
	}

	private final class ExitOnCompletion implements AsyncListener {

		private boolean exited;

		@Override
		public void onComplete(AsyncEvent event) {
			exitOnce();
		}

		@Override
		public void onTimeout(AsyncEvent event) {
		}

		@Override
		public void onError(AsyncEvent event) {
		}

		@Override
		public void onStartAsync(AsyncEvent event) {
			event.getAsyncContext().addListener(this);
		}

		private synchronized void exitOnce() {
			if (!this.exited) {
				this.exited = true;
				TrafficGateFilter.this.gate.exit();
			}
		}

	}

}
