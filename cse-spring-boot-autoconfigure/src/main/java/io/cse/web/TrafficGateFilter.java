package io.cse.web;

import java.io.IOException;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

import io.cse.CheckpointCoordinator;
import io.cse.InstanceIdentity;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.MDC;

import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Puts every request of a servlet web application through the {@link TrafficGate}, and
 * holds it there while the gate is closed as {@link HeldRequests} says. A request to the
 * CSE endpoint goes through, with an {@link AfterResponseAction} that starts once its
 * response is flushed.
 */
public class TrafficGateFilter extends OncePerRequestFilter implements Ordered {

	private final HeldRequests held;

	private final TrafficGate gate;

	private final CheckpointCoordinator coordinator;

	/**
	 * Create a filter.
	 * @param held what to do with requests while the gate is closed
	 */
	public TrafficGateFilter(HeldRequests held) {
		this.held = held;
		this.gate = held.getGate();
		this.coordinator = held.getCoordinator();
	}

	@Override
	public int getOrder() {
		// Before everything else, so that no other filter does work for a held request.
		return Ordered.HIGHEST_PRECEDENCE;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		int remotePort = request.getRemotePort();
		// Every request, the endpoint's included, keeps its connection open through a quiesce.
		this.gate.occupy(remotePort);
		AfterResponseAction afterResponse = null;
		boolean async = false;
		try {
			if (isEndpointRequest(request)) {
				afterResponse = offerAfterResponseAction(request, response);
				chain.doFilter(asJsonIfUntyped(request), response);
				if (afterResponse.isLeft()) {
					response.flushBuffer();
				}
				async = releaseOnAsyncCompletion(request, remotePort, false);
				return;
			}
			if (!enter()) {
				response.setHeader(HttpHeaders.RETRY_AFTER, this.held.retryAfterSeconds());
				response.sendError(HttpStatus.SERVICE_UNAVAILABLE.value(), this.held.refusal());
				return;
			}
			MDC.put(InstanceIdentity.MDC_KEY, this.coordinator.getIdentity().getInstanceId());
			try {
				chain.doFilter(request, response);
				// The request stays in flight until its asynchronous processing ends.
				async = releaseOnAsyncCompletion(request, remotePort, true);
			}
			finally {
				MDC.remove(InstanceIdentity.MDC_KEY);
				if (!async) {
					this.gate.exit();
				}
			}
		}
		finally {
			if (!async) {
				this.gate.release(remotePort);
			}
			// Once the connection is released, which a snapshot's quiesce may then close;
			// and even if the response failed: a snapshot left here holds the instance.
			if (afterResponse != null) {
				afterResponse.start();
			}
		}
	}

	/**
	 * Offer the endpoint a place to leave what it does once its answer is sent (a dump, a
	 * clone), as a request attribute.
	 */
	private static AfterResponseAction offerAfterResponseAction(HttpServletRequest request,
			HttpServletResponse response) {
		AfterResponseAction afterResponse = new AfterResponseAction(
				() -> response.setHeader(HttpHeaders.CONNECTION, "close"));
		request.setAttribute(AfterResponseAction.ATTRIBUTE, afterResponse);
		return afterResponse;
	}

	private boolean releaseOnAsyncCompletion(HttpServletRequest request, int remotePort, boolean entered) {
		if (!request.isAsyncStarted()) {
			return false;
		}
		request.getAsyncContext().addListener(new ReleaseOnCompletion(remotePort, entered));
		return true;
	}

	private boolean enter() throws ServletException {
		try {
			return this.held.enter();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new ServletException("Interrupted while the instance was quiesced", ex);
		}
	}

	private boolean isEndpointRequest(HttpServletRequest request) {
		return this.held.isEndpoint(request.getRequestURI().substring(request.getContextPath().length()));
	}

	private static HttpServletRequest asJsonIfUntyped(HttpServletRequest request) {
		if (!HeldRequests.isUntypedPost(request.getMethod(), request.getContentType(),
				request.getContentLengthLong())) {
			return request;
		}
		return new HttpServletRequestWrapper(request) {

			@Override
			public String getContentType() {
				return MediaType.APPLICATION_JSON_VALUE;
			}

			@Override
			public String getHeader(String name) {
				return HttpHeaders.CONTENT_TYPE.equalsIgnoreCase(name) ? MediaType.APPLICATION_JSON_VALUE
						: super.getHeader(name);
			}

			@Override
			public Enumeration<String> getHeaders(String name) {
				return HttpHeaders.CONTENT_TYPE.equalsIgnoreCase(name)
						? Collections.enumeration(List.of(MediaType.APPLICATION_JSON_VALUE)) : super.getHeaders(name);
			}

			@Override
			public Enumeration<String> getHeaderNames() {
				List<String> names = Collections.list(super.getHeaderNames());
				names.add(HttpHeaders.CONTENT_TYPE);
				return Collections.enumeration(names);
			}

		};
	}

	private final class ReleaseOnCompletion implements AsyncListener {

		private final int remotePort;

		private final boolean entered;

		private boolean released;

		ReleaseOnCompletion(int remotePort, boolean entered) {
			this.remotePort = remotePort;
			this.entered = entered;
		}

		@Override
		public void onComplete(AsyncEvent event) {
			releaseOnce();
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

		private synchronized void releaseOnce() {
			if (!this.released) {
				this.released = true;
				if (this.entered) {
					TrafficGateFilter.this.gate.exit();
				}
				TrafficGateFilter.this.gate.release(this.remotePort);
			}
		}

	}

}
