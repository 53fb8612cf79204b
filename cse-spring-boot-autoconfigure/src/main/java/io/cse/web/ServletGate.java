package io.cse.web;

import java.io.IOException;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.function.Function;

import io.cse.CheckpointCoordinator;
import io.cse.InstanceIdentity;
import org.slf4j.MDC;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;

/**
 * What the traffic gate does with one request of a servlet web application, written once
 * for both servlet APIs: the filters of each ({@link TrafficGateFilter} for
 * {@code jakarta.servlet}, {@link JavaxTrafficGateFilter} for the {@code javax.servlet} of
 * Spring Boot 2.7) only present their request as an {@link Exchange}.
 * <p>
 * Every request goes through the {@link TrafficGate}, and is held there while the gate is
 * closed, as {@link HeldRequests} says. A request to the CSE endpoint goes through, with an
 * {@link AfterResponseAction} that starts once its response is flushed.
 */
final class ServletGate {

	/** The content type an untyped POST to the endpoint is read with. */
	static final String JSON_CONTENT_TYPE = MediaType.APPLICATION_JSON_VALUE;

	private final HeldRequests held;

	private final TrafficGate gate;

	private final CheckpointCoordinator coordinator;

	ServletGate(HeldRequests held) {
		this.held = held;
		this.gate = held.getGate();
		this.coordinator = held.getCoordinator();
	}

	/**
	 * Let a request through the gate, hold it, or refuse it.
	 * @param exchange the request and its response
	 * @param <E> the servlet API's {@code ServletException}
	 * @throws IOException if the request or its response fails
	 * @throws E if the application fails the request
	 */
	<E extends Exception> void filter(Exchange<E> exchange) throws IOException, E {
		int remotePort = exchange.getRemotePort();
		// Every request, the endpoint's included, keeps its connection open through a quiesce.
		this.gate.occupy(remotePort);
		AfterResponseAction afterResponse = null;
		boolean async = false;
		try {
			if (this.held.isEndpoint(exchange.getPathWithinApplication())) {
				afterResponse = offerAfterResponseAction(exchange);
				exchange.proceedToEndpoint(exchange.isUntypedPost());
				if (afterResponse.isLeft()) {
					exchange.flushBuffer();
				}
				async = exchange.releaseOnAsyncCompletion(new Release(remotePort, false));
				return;
			}
			if (!enter(exchange)) {
				exchange.setHeader(HttpHeaders.RETRY_AFTER, this.held.retryAfterSeconds());
				exchange.sendError(HttpStatus.SERVICE_UNAVAILABLE.value(), this.held.refusal());
				return;
			}
			MDC.put(InstanceIdentity.MDC_KEY, this.coordinator.getIdentity().getInstanceId());
			try {
				exchange.proceed();
				// The request stays in flight until its asynchronous processing ends.
				async = exchange.releaseOnAsyncCompletion(new Release(remotePort, true));
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
	private static AfterResponseAction offerAfterResponseAction(Exchange<?> exchange) {
		AfterResponseAction afterResponse = new AfterResponseAction(
				() -> exchange.setHeader(HttpHeaders.CONNECTION, "close"));
		exchange.setAttribute(AfterResponseAction.ATTRIBUTE, afterResponse);
		return afterResponse;
	}

	private <E extends Exception> boolean enter(Exchange<E> exchange) throws E {
		try {
			return this.held.enter();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw exchange.failure("Interrupted while the instance was quiesced", ex);
		}
	}

	/**
	 * What the endpoint request of an untyped POST answers for a header, read as JSON.
	 * @param name the header's name
	 * @param header the request's own header of that name
	 * @return the header
	 */
	static String jsonHeader(String name, Function<String, String> header) {
		return HttpHeaders.CONTENT_TYPE.equalsIgnoreCase(name) ? JSON_CONTENT_TYPE : header.apply(name);
	}

	/**
	 * What the endpoint request of an untyped POST answers for all headers of a name, read
	 * as JSON.
	 * @param name the header's name
	 * @param headers the request's own headers of that name
	 * @return the headers
	 */
	static Enumeration<String> jsonHeaders(String name, Function<String, Enumeration<String>> headers) {
		return HttpHeaders.CONTENT_TYPE.equalsIgnoreCase(name)
				? Collections.enumeration(Collections.singletonList(JSON_CONTENT_TYPE))
				: headers.apply(name);
	}

	/**
	 * What the endpoint request of an untyped POST answers for its header names, read as
	 * JSON.
	 * @param headerNames the request's own header names
	 * @return the header names, with the content type
	 */
	static Enumeration<String> jsonHeaderNames(Enumeration<String> headerNames) {
		List<String> names = Collections.list(headerNames);
		names.add(HttpHeaders.CONTENT_TYPE);
		return Collections.enumeration(names);
	}

	/**
	 * Ends a request in the gate once: when the filter returns, or, for an asynchronous
	 * request, when its asynchronous processing completes.
	 */
	private final class Release implements Runnable {

		private final int remotePort;

		private final boolean entered;

		private boolean released;

		Release(int remotePort, boolean entered) {
			this.remotePort = remotePort;
			this.entered = entered;
		}

		@Override
		public synchronized void run() {
			if (!this.released) {
				this.released = true;
				if (this.entered) {
					ServletGate.this.gate.exit();
				}
				ServletGate.this.gate.release(this.remotePort);
			}
		}

	}

	/**
	 * A request and its response, as a filter of one servlet API sees them.
	 *
	 * @param <E> the servlet API's {@code ServletException}
	 */
	interface Exchange<E extends Exception> {

		/**
		 * Return the client port of the request's connection.
		 * @return the port
		 */
		int getRemotePort();

		/**
		 * Return the request's path, without the application's own.
		 * @return the path
		 */
		String getPathWithinApplication();

		/**
		 * Return whether the request is a {@code POST} with no body and no content type.
		 * @return whether it should be read as JSON
		 * @see HeldRequests#isUntypedPost
		 */
		boolean isUntypedPost();

		/**
		 * Set a request attribute.
		 * @param name the attribute's name
		 * @param value its value
		 */
		void setAttribute(String name, Object value);

		/**
		 * Set a response header.
		 * @param name the header's name
		 * @param value its value
		 */
		void setHeader(String name, String value);

		/**
		 * Answer with an error.
		 * @param status the status
		 * @param message why
		 * @throws IOException if the answer cannot be sent
		 */
		void sendError(int status, String message) throws IOException;

		/**
		 * Send the response written so far.
		 * @throws IOException if it cannot be sent
		 */
		void flushBuffer() throws IOException;

		/**
		 * Pass the request on to the rest of the filter chain.
		 * @throws IOException if the request or its response fails
		 * @throws E if the application fails the request
		 */
		void proceed() throws IOException, E;

		/**
		 * Pass a request to the endpoint on to the rest of the filter chain, with a
		 * response whose errors say what to send instead, as {@link EndpointErrorAnswers}
		 * writes them.
		 * @param asJson whether the request's body is to be read as JSON
		 * @throws IOException if the request or its response fails
		 * @throws E if the application fails the request
		 */
		void proceedToEndpoint(boolean asJson) throws IOException, E;

		/**
		 * Run {@code release} once the request's asynchronous processing completes, if it
		 * was started.
		 * @param release what ends the request in the gate
		 * @return whether the request is asynchronous (then {@code release} runs later)
		 */
		boolean releaseOnAsyncCompletion(Runnable release);

		/**
		 * Return the servlet API's exception for a request that failed in the gate.
		 * @param message why
		 * @param cause the cause
		 * @return the exception to throw
		 */
		E failure(String message, Throwable cause);

	}

}
