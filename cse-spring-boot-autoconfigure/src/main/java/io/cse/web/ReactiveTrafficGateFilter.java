package io.cse.web;

import java.util.stream.Collectors;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.util.context.Context;

import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.filter.reactive.ServerWebExchangeContextFilter;
import org.springframework.web.server.MethodNotAllowedException;
import org.springframework.web.server.NotAcceptableStatusException;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ServerWebInputException;
import org.springframework.web.server.UnsupportedMediaTypeStatusException;
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
			.onErrorResume(ResponseStatusException.class, (ex) -> answer(exchange, ex))
			.doFinally((signal) -> afterResponse.start())
			.contextWrite(Context.of(ServerWebExchangeContextFilter.EXCHANGE_CONTEXT_ATTRIBUTE, exchange));
	}

	/**
	 * Answer a request to the endpoint that Spring refused before the endpoint saw it as
	 * {@link EndpointErrorAnswers} says: what to send instead.
	 */
	private static Mono<Void> answer(ServerWebExchange exchange, ResponseStatusException refusal) {
		ServerHttpRequest request = exchange.getRequest();
		ServerHttpResponse response = exchange.getResponse();
		// Told apart by type: the status's own accessor changed between Spring 5 and 6
		int status;
		String allow = null;
		if (refusal instanceof MethodNotAllowedException) {
			status = HttpStatus.METHOD_NOT_ALLOWED.value();
			allow = ((MethodNotAllowedException) refusal).getSupportedMethods()
				.stream()
				.map(HttpMethod::name)
				.collect(Collectors.joining(","));
			response.getHeaders().set(HttpHeaders.ALLOW, allow);
		}
		else if (refusal instanceof UnsupportedMediaTypeStatusException) {
			status = HttpStatus.UNSUPPORTED_MEDIA_TYPE.value();
		}
		else if (refusal instanceof NotAcceptableStatusException) {
			status = HttpStatus.NOT_ACCEPTABLE.value();
		}
		else if (refusal instanceof ServerWebInputException) {
			status = HttpStatus.BAD_REQUEST.value();
		}
		else {
			return Mono.error(refusal);
		}
		byte[] body = response.isCommitted() ? null : EndpointErrorAnswers.body(status, refusal.getReason(),
				request.getMethod().name(), request.getPath().value(), allow);
		if (body == null) {
			return Mono.error(refusal);
		}
		response.setStatusCode(HttpStatus.valueOf(status));
		response.getHeaders().set(HttpHeaders.CONTENT_TYPE, EndpointErrorAnswers.CONTENT_TYPE);
		response.getHeaders().setContentLength(body.length);
		return response.writeWith(Mono.just(response.bufferFactory().wrap(body)));
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
