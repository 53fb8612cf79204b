package io.cse.web;

import java.io.ByteArrayOutputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import javax.servlet.AsyncContext;
import javax.servlet.AsyncEvent;
import javax.servlet.AsyncListener;
import javax.servlet.FilterChain;
import javax.servlet.ServletOutputStream;
import javax.servlet.ServletRequest;
import javax.servlet.ServletResponse;
import javax.servlet.WriteListener;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import javax.servlet.http.HttpServletResponseWrapper;

import io.cse.CheckpointContext;
import io.cse.CheckpointContext.Operation;
import io.cse.CheckpointContext.Resumption;
import io.cse.CheckpointCoordinator;
import io.cse.InstanceIdentity;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.BDDMockito.given;
import static org.mockito.BDDMockito.then;
import static org.mockito.BDDMockito.willAnswer;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;

/**
 * Tests for {@link JavaxTrafficGateFilter}, the traffic gate of Spring Boot 2.7's
 * {@code javax.servlet}, on mocks of that API (the compatibility suite, compat/, runs it
 * in real Spring Boot 2.7 services).
 */
class JavaxTrafficGateFilterTests {

	private static final Duration HOLD = Duration.ofMillis(50);

	private static final int PORT = 40001;

	private final TrafficGate gate = new TrafficGate((event) -> {
	}, null, IdleConnectionCloser.NONE, Duration.ofSeconds(5));

	private final CheckpointCoordinator coordinator = new CheckpointCoordinator(List.of(),
			new InstanceIdentity(Clock.systemUTC()), null, Duration.ofSeconds(5), Clock.systemUTC());

	private final JavaxTrafficGateFilter filter = new JavaxTrafficGateFilter(
			new HeldRequests(this.gate, this.coordinator, "/actuator/cse", false, HOLD, Duration.ofSeconds(3)));

	private final HttpServletResponse response = mock(HttpServletResponse.class);

	private final FilterChain chain = mock(FilterChain.class);

	@Test
	void anOpenGateLetsTheRequestThroughAndCountsIt() throws Exception {
		HttpServletRequest request = request("GET", "/greeting");
		willAnswer((invocation) -> {
			assertThat(this.gate.getInFlight()).isEqualTo(1);
			return null;
		}).given(this.chain).doFilter(request, this.response);
		this.filter.doFilter(request, this.response, this.chain);
		then(this.chain).should().doFilter(request, this.response);
		assertThat(this.gate.getInFlight()).isZero();
	}

	@Test
	void aClosedGateHoldsTheRequestThenRefusesItWithRetryAfter() throws Exception {
		this.gate.quiesce(new CheckpointContext(Operation.FREEZE, null, new InstanceIdentity(Clock.systemUTC())));
		try {
			this.filter.doFilter(request("GET", "/greeting"), this.response, this.chain);
			then(this.chain).should(never()).doFilter(any(), any());
			then(this.response).should().setHeader("Retry-After", "3");
			then(this.response).should().sendError(eq(503), any());
		}
		finally {
			this.gate.resume(new CheckpointContext(Operation.FREEZE, Resumption.THAW,
					new InstanceIdentity(Clock.systemUTC())));
		}
	}

	@Test
	void anUntypedPostToTheEndpointIsReadAsJsonAndOfferedAnAfterResponseAction() throws Exception {
		HttpServletRequest request = request("POST", "/actuator/cse/freeze");
		given(request.getContentLengthLong()).willReturn(-1L);
		ArgumentCaptor<ServletRequest> passed = ArgumentCaptor.forClass(ServletRequest.class);
		ArgumentCaptor<ServletResponse> answered = ArgumentCaptor.forClass(ServletResponse.class);
		this.filter.doFilter(request, this.response, this.chain);
		then(this.chain).should().doFilter(passed.capture(), answered.capture());
		assertThat(((HttpServletResponseWrapper) answered.getValue()).getResponse()).isSameAs(this.response);
		HttpServletRequest json = (HttpServletRequest) passed.getValue();
		assertThat(json.getContentType()).isEqualTo("application/json");
		assertThat(json.getHeader("Content-Type")).isEqualTo("application/json");
		then(request).should().setAttribute(eq(AfterResponseAction.ATTRIBUTE), any(AfterResponseAction.class));
	}

	@Test
	void aMethodTheEndpointDoesNotMapIsAnsweredWithTheMethodsToUse() throws Exception {
		HttpServletRequest request = request("DELETE", "/actuator/cse");
		ByteArrayOutputStream body = new ByteArrayOutputStream();
		given(this.response.getHeader("Allow")).willReturn("GET,HEAD");
		given(this.response.getOutputStream()).willReturn(new ServletOutputStream() {

			@Override
			public void write(int b) {
				body.write(b);
			}

			@Override
			public boolean isReady() {
				return true;
			}

			@Override
			public void setWriteListener(WriteListener listener) {
			}

		});
		// What Spring's DispatcherServlet does with a method no mapping takes
		willAnswer((invocation) -> {
			((HttpServletResponse) invocation.getArgument(1)).sendError(405);
			return null;
		}).given(this.chain).doFilter(any(), any());
		this.filter.doFilter(request, this.response, this.chain);
		then(this.response).should(never()).sendError(eq(405));
		then(this.response).should().setStatus(405);
		assertThat(body.toString("UTF-8")).isEqualTo("{\"error\":\"DELETE /actuator/cse is not an operation of this "
				+ "endpoint, nothing was done: use GET on this path\"}");
	}

	@Test
	void anAsynchronousRequestStaysInFlightUntilItCompletes() throws Exception {
		HttpServletRequest request = request("GET", "/stream");
		AsyncContext async = mock(AsyncContext.class);
		given(request.isAsyncStarted()).willReturn(true);
		given(request.getAsyncContext()).willReturn(async);
		AtomicReference<AsyncListener> listener = new AtomicReference<>();
		willAnswer((invocation) -> {
			listener.set(invocation.getArgument(0));
			return null;
		}).given(async).addListener(any(AsyncListener.class));
		this.filter.doFilter(request, this.response, this.chain);
		assertThat(this.gate.getInFlight()).isEqualTo(1);
		listener.get().onComplete(new AsyncEvent(async));
		assertThat(this.gate.getInFlight()).isZero();
		// Completion is reported once, however often the container says it.
		listener.get().onComplete(new AsyncEvent(async));
		assertThat(this.gate.getInFlight()).isZero();
	}

	private static HttpServletRequest request(String method, String path) {
		HttpServletRequest request = mock(HttpServletRequest.class);
		given(request.getMethod()).willReturn(method);
		given(request.getRequestURI()).willReturn(path);
		given(request.getContextPath()).willReturn("");
		given(request.getRemotePort()).willReturn(PORT);
		return request;
	}

}
