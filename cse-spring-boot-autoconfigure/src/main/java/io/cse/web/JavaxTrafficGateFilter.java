package io.cse.web;

import java.io.IOException;
import java.util.Enumeration;

import javax.servlet.AsyncEvent;
import javax.servlet.AsyncListener;
import javax.servlet.Filter;
import javax.servlet.FilterChain;
import javax.servlet.FilterConfig;
import javax.servlet.ServletException;
import javax.servlet.ServletRequest;
import javax.servlet.ServletResponse;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletRequestWrapper;
import javax.servlet.http.HttpServletResponse;
import javax.servlet.http.HttpServletResponseWrapper;

import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;

/**
 * Puts every request of a servlet web application on {@code javax.servlet} (Spring Boot
 * 2.7) through the {@link TrafficGate}, as {@link TrafficGateFilter} does on
 * {@code jakarta.servlet}: this class only presents its request to the gate.
 * <p>
 * A plain {@link Filter}, not Spring's {@code OncePerRequestFilter}, whose servlet API
 * changed with Spring Framework 6. Spring Boot 2.7 registers a {@code Filter} bean for
 * every request, in the order {@link #getOrder()} gives, and for the {@code REQUEST}
 * dispatch only: it runs once per request, as Spring's filter would.
 */
public class JavaxTrafficGateFilter implements Filter, Ordered {

	private final ServletGate gate;

	/**
	 * Create a filter.
	 * @param held what to do with requests while the gate is closed
	 */
	public JavaxTrafficGateFilter(HeldRequests held) {
		this.gate = new ServletGate(held);
	}

	@Override
	public int getOrder() {
		// Before everything else, so that no other filter does work for a held request.
		return Ordered.HIGHEST_PRECEDENCE;
	}

	@Override
	public void init(FilterConfig filterConfig) {
		// Servlet 3.1 (Jetty 9.4) has no default for it
	}

	@Override
	public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
			throws IOException, ServletException {
		if (request instanceof HttpServletRequest && response instanceof HttpServletResponse) {
			this.gate.filter(new JavaxExchange((HttpServletRequest) request, (HttpServletResponse) response, chain));
		}
		else {
			chain.doFilter(request, response);
		}
	}

	@Override
	public void destroy() {
		// Servlet 3.1 (Jetty 9.4) has no default for it
	}

	private static final class JavaxExchange implements ServletGate.Exchange<ServletException> {

		private final HttpServletRequest request;

		private final HttpServletResponse response;

		private final FilterChain chain;

		JavaxExchange(HttpServletRequest request, HttpServletResponse response, FilterChain chain) {
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
