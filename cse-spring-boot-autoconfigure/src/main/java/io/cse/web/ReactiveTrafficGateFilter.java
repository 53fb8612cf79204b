package io.cse.web;

import java.time.Duration;

import io.cse.CheckpointCoordinator;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Puts every request of a reactive web application (WebFlux on Reactor Netty, or any other
 * reactive server) through the {@link TrafficGate}, as {@link TrafficGateFilter} does on
 * servlet stacks.
 * <p>
 * An open gate costs a counter and no thread hop. A request that finds the gate closed is
 * held on a thread that may block (never on the server's event loop), thaws a frozen
 * instance if thaw on request is on, and gets {@code 503 Service Unavailable} with
 * {@code Retry-After} after the hold timeout. Requests to the CSE endpoint always go
 * through: they are how a platform thaws the instance.
 */
public class ReactiveTrafficGateFilter implements WebFilter, Ordered {

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
	 * @param endpointPath the path of the CSE endpoint, relative to the base path
	 * @param thawOnRequest whether a request that reaches a frozen instance thaws it
	 * @param holdTimeout how long a request is held at most
	 * @param retryAfter what {@code Retry-After} tells a client whose request timed out
	 */
	public ReactiveTrafficGateFilter(TrafficGate gate, CheckpointCoordinator coordinator, String endpointPath,
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
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		if (isEndpointRequest(exchange.getRequest())) {
			return chain.filter(asJsonIfUntyped(exchange));
		}
		if (this.gate.tryEnter()) {
			return passThrough(exchange, chain);
		}
		return Mono.fromCallable(this::enterHeld)
			.subscribeOn(Schedulers.boundedElastic())
			.flatMap((entered) -> entered ? passThrough(exchange, chain) : refuse(exchange.getResponse()));
	}

	private Mono<Void> passThrough(ServerWebExchange exchange, WebFilterChain chain) {
		return chain.filter(exchange).doFinally((signal) -> this.gate.exit());
	}

	private boolean enterHeld() throws InterruptedException {
		return this.gate.enter(this.holdTimeout,
				(maxWait) -> this.thawOnRequest && this.coordinator.thawIfFrozen(maxWait));
	}

	private Mono<Void> refuse(ServerHttpResponse response) {
		long seconds = Math.max(1, (this.retryAfter.toMillis() + 999) / 1000);
		response.setStatusCode(HttpStatus.SERVICE_UNAVAILABLE);
		response.getHeaders().set(HttpHeaders.RETRY_AFTER, Long.toString(seconds));
		return response.setComplete();
	}

	private boolean isEndpointRequest(ServerHttpRequest request) {
		String path = request.getPath().pathWithinApplication().value();
		return path.equals(this.endpointPath) || path.startsWith(this.endpointPath + "/");
	}

	/**
	 * Actuator takes a write operation's body as JSON only when the request says so; a
	 * platform that posts an action without a body and without a content type means no
	 * parameters, so {@code curl -X POST .../actuator/cse/freeze} just works.
	 */
	private static ServerWebExchange asJsonIfUntyped(ServerWebExchange exchange) {
		ServerHttpRequest request = exchange.getRequest();
		HttpHeaders headers = request.getHeaders();
		if (request.getMethod() != HttpMethod.POST || headers.getContentType() != null
				|| headers.getContentLength() > 0) {
			return exchange;
		}
		return exchange.mutate()
			.request(request.mutate().headers((mutable) -> mutable.setContentType(MediaType.APPLICATION_JSON)).build())
			.build();
	}

}
