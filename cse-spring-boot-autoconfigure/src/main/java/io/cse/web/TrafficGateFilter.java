package io.cse.web;

import java.io.IOException;
import java.util.Enumeration;

import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;

import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Puts every request of a servlet web application on {@code jakarta.servlet} (Spring Boot 3
 * and 4) through the {@link TrafficGate}, and holds it there while the gate is closed as
 * {@link HeldRequests} says. A request to the CSE endpoint goes through, with an
 * {@link AfterResponseAction} that starts once its response is flushed.
 * <p>
 * What it does is the same on {@code javax.servlet} ({@link JavaxTrafficGateFilter}):
 * this class only presents its request to the gate.
 */
public class TrafficGateFilter extends OncePerRequestFilter implements Ordered {

	private final ServletGate gate;

	/**
	 * Create a filter.
	 * @param held what to do with requests while the gate is closed
	 */
	public TrafficGateFilter(HeldRequests held) {
		this.gate = new ServletGate(held);
	}

	@Override
	public int getOrder() {
		// Before everything else, so that no other filter does work for a held request.
		return Ordered.HIGHEST_PRECEDENCE;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		this.gate.filter(new JakartaExchange(request, response, chain));
	}

	private static final class JakartaExchange implements ServletGate.Exchange<ServletException> {

		private final HttpServletRequest request;

		private final HttpServletResponse response;

		private final FilterChain chain;

		JakartaExchange(HttpServletRequest request, HttpServletResponse response, FilterChain chain) {
			this.request = request;
			this.response = response;
			this.chain = chain;
		}

		@Override
		public int getRemotePort() {
			return this.request.getRemotePort();
		}

		@Override
		public String getPathWithinApplication() {
			return this.request.getRequestURI().substring(this.request.getContextPath().length());
		}

		@Override
		public boolean isUntypedPost() {
			return HeldRequests.isUntypedPost(this.request.getMethod(), this.request.getContentType(),
					this.request.getContentLengthLong());
		}

		@Override
		public void setAttribute(String name, Object value) {
			this.request.setAttribute(name, value);
		}

		@Override
		public void setHeader(String name, String value) {
			this.response.setHeader(name, value);
		}

		@Override
		public void sendError(int status, String message) throws IOException {
			this.response.sendError(status, message);
		}

		@Override
		public void flushBuffer() throws IOException {
			this.response.flushBuffer();
		}

		@Override
		public void proceed() throws IOException, ServletException {
			this.chain.doFilter(this.request, this.response);
		}

		@Override
		public void proceedToEndpoint(boolean asJson) throws IOException, ServletException {
			this.chain.doFilter(asJson ? new JsonRequest(this.request) : this.request,
					new EndpointResponse(this.request, this.response));
		}

		@Override
		public boolean releaseOnAsyncCompletion(Runnable release) {
			if (!this.request.isAsyncStarted()) {
				return false;
			}
			this.request.getAsyncContext().addListener(new OnAsyncComplete(release));
			return true;
		}

		@Override
		public ServletException failure(String message, Throwable cause) {
			return new ServletException(message, cause);
		}

	}

	private static final class JsonRequest extends HttpServletRequestWrapper {

		JsonRequest(HttpServletRequest request) {
			super(request);
		}

		@Override
		public String getContentType() {
			return ServletGate.JSON_CONTENT_TYPE;
		}

		@Override
		public String getHeader(String name) {
			return ServletGate.jsonHeader(name, super::getHeader);
		}

		@Override
		public Enumeration<String> getHeaders(String name) {
			return ServletGate.jsonHeaders(name, super::getHeaders);
		}

		@Override
		public Enumeration<String> getHeaderNames() {
			return ServletGate.jsonHeaderNames(super.getHeaderNames());
		}

	}

	/**
	 * A response of the endpoint whose errors say what to send instead, as
	 * {@link EndpointErrorAnswers} writes them.
	 */
	private static final class EndpointResponse extends HttpServletResponseWrapper {

		private final HttpServletRequest request;

		EndpointResponse(HttpServletRequest request, HttpServletResponse response) {
			super(response);
			this.request = request;
		}

		@Override
		public void sendError(int status) throws IOException {
			sendError(status, null);
		}

		@Override
		public void sendError(int status, String reason) throws IOException {
			byte[] body = isCommitted() ? null : EndpointErrorAnswers.body(status, reason, this.request.getMethod(),
					this.request.getRequestURI(), getHeader(HttpHeaders.ALLOW));
			if (body == null) {
				super.sendError(status, reason);
				return;
			}
			resetBuffer();
			setStatus(status);
			setContentType(EndpointErrorAnswers.CONTENT_TYPE);
			setContentLength(body.length);
			getOutputStream().write(body);
			flushBuffer();
		}

	}

	private static final class OnAsyncComplete implements AsyncListener {

		private final Runnable release;

		OnAsyncComplete(Runnable release) {
			this.release = release;
		}

		@Override
		public void onComplete(AsyncEvent event) {
			this.release.run();
		}

		@Override
		public void onTimeout(AsyncEvent event) {
		}

		@Override
		public void onError(AsyncEvent event) {
		}

		@Override
		public void onStartAsync(AsyncEvent event) {
			// A new asynchronous cycle forgets the listeners of the last one.
			event.getAsyncContext().addListener(this);
		}

	}

}
