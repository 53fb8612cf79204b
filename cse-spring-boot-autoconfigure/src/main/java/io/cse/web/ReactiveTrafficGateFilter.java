package io.cse.web;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.util.context.Context;

import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.filter.reactive.ServerWebExchangeContextFilter;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Puts every request of a reactive web application (WebFlux on Reactor Netty, or any other
 * reactive server) through the {@link TrafficGate}, and holds it there while the gate is
 * closed as {@link HeldRequests} says, as {@link TrafficGateFilter} does on servlet stacks.
 * <p>
 * An open gate costs a counter and no thread hop. A request that finds the gate closed is
 * held on a thread that may block (Reactor's bounded elastic threads), never on the
 * server's event loop.
 * <p>
 * A request to the CSE endpoint goes through, with an {@link AfterResponseAction} that
 * starts once its response is written. Actuator hands an endpoint operation no exchange,
 * so this filter also puts the exchange in the Reactor context, where Spring's
 * {@link ServerWebExchangeContextFilter} would: the endpoint's reactive web extension
 * finds it there.
 */
public class ReactiveTrafficGateFilter implements WebFilter, Ordered {

	private final HeldRequests held;

	private final TrafficGate gate;

	/**
	 * Create a filter.
	 * @param held what to do with requests while the gate is closed
	 */
	public ReactiveTrafficGateFilter(HeldRequests held) {
		this.held = held;
		this.gate = held.getGate();
	}

	@Override
	public int getOrder() {
		// Before everything else, so that no other filter does work for a held request.
		return Ordered.HIGHEST_PRECEDENCE;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		if (this.held.isEndpoint(exchange.getRequest().getPath().pathWithinApplication().value())) {
			return filterEndpointRequest(asJsonIfUntyped(exchange), chain);
		}
		if (this.gate.tryEnter()) {
			return passThrough(exchange, chain);
		}
		return Mono.fromCallable(this.held::enter)
			.subscribeOn(Schedulers.boundedElastic())
			.flatMap((entered) -> entered ? passThrough(exchange, chain) : refuse(exchange.getResponse()));
	}

	private Mono<Void> filterEndpointRequest(ServerWebExchange exchange, WebFilterChain chain) {
		ServerHttpResponse response = exchange.getResponse();
		AfterResponseAction afterResponse = new AfterResponseAction(
				() -> response.getHeaders().set(HttpHeaders.CONNECTION, "close"));
		exchange.getAttributes().put(AfterResponseAction.ATTRIBUTE, afterResponse);
		// Once the response is written, or failed: a snapshot left here holds the instance.
		return chain.filter(exchange)
			.doFinally((signal) -> afterResponse.start())
			.contextWrite(Context.of(ServerWebExchangeContextFilter.EXCHANGE_CONTEXT_ATTRIBUTE, exchange));
	}

	private Mono<Void> passThrough(ServerWebExchange exchange, WebFilterChain chain) {
		return chain.filter(exchange).doFinally((signal) -> this.gate.exit());
	}

	private Mono<Void> refuse(ServerHttpResponse response) {
		response.setStatusCode(HttpStatus.SERVICE_UNAVAILABLE);
		response.getHeaders().set(HttpHeaders.RETRY_AFTER, this.held.retryAfterSeconds());
		return response.setComplete();
	}

	private static ServerWebExchange asJsonIfUntyped(ServerWebExchange exchange) {
		ServerHttpRequest request = exchange.getRequest();
		HttpHeaders headers = request.getHeaders();
		if (!HeldRequests.isUntypedPost(request.getMethod().name(), headers.getContentType(),
				headers.getContentLength())) {
			return exchange;
		}
		return exchange.mutate()
			.request(request.mutate().headers((mutable) -> mutable.setContentType(MediaType.APPLICATION_JSON)).build())
			.build();
	}

}
