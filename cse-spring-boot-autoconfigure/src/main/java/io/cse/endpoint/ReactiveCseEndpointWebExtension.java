package io.cse.endpoint;

import java.util.concurrent.Callable;

import io.cse.web.AfterResponseAction;
import io.cse.web.ReactiveTrafficGateFilter;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.util.context.ContextView;

import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.EndpointWebExtension;
import org.springframework.http.HttpHeaders;
import org.springframework.lang.Nullable;
import org.springframework.web.filter.reactive.ServerWebExchangeContextFilter;

/**
 * {@link EndpointWebExtension @EndpointWebExtension} of the {@link CseEndpoint} for reactive
 * web applications: a dump or a clone answers first and starts once the answer is written,
 * left to the request's {@link ReactiveTrafficGateFilter} as the exchange's
 * {@link AfterResponseAction}.
 * <p>
 * WebFlux runs a blocking operation on a thread that knows nothing of its exchange, so
 * this one is reactive: it finds the exchange in the Reactor context (where the filter
 * puts it, as Spring's {@link ServerWebExchangeContextFilter} does), then runs the
 * operation on a thread that may block, never on the server's event loop.
 * <p>
 * Once an {@link EndpointToken} is required, every operation, reads included, first
 * checks the exchange's {@code Authorization} header; an exchange it cannot find is
 * refused.
 */
@EndpointWebExtension(endpoint = CseEndpoint.class)
public class ReactiveCseEndpointWebExtension {

	private final CseEndpoint endpoint;

	private final EndpointToken token;

	/**
	 * Create an extension of the given endpoint.
	 * @param endpoint the endpoint that runs the operations
	 * @param token the token every request must carry, or {@link EndpointToken#none()}
	 */
	public ReactiveCseEndpointWebExtension(CseEndpoint endpoint, EndpointToken token) {
		this.endpoint = endpoint;
		this.token = token;
	}

	/**
	 * Return what this instance is doing, as {@link CseEndpoint#status()} does.
	 * @return the status, or why the request was refused
	 */
	@ReadOperation
	public Mono<WebEndpointResponse<Object>> status() {
		return Mono.deferContextual((context) -> blocking(
				() -> permitted(context) ? new WebEndpointResponse<>(this.endpoint.status()) : EndpointToken.refused()));
	}

	/**
	 * Return one section of what this instance knows about itself, as
	 * {@link CseEndpoint#section(String)} does.
	 * @param section the section's name
	 * @return the section, or why there is none or the request was refused
	 */
	@ReadOperation
	public Mono<WebEndpointResponse<Object>> section(@Selector String section) {
		return Mono.deferContextual((context) -> blocking(
				() -> permitted(context) ? this.endpoint.section(section) : EndpointToken.refused()));
	}

	/**
	 * Run an operation on this instance, as {@link CseEndpoint#operate(String, String, String)}
	 * does, but start a dump or a clone once the answer is written.
	 * @param action {@code freeze}, {@code thaw}, {@code dump} or {@code clone}
	 * @param properties properties for this instance, applied by a thaw
	 * @param image the name of the image folder a dump or clone writes
	 * @param thawOnRequest for a freeze, {@code false} to hold requests until an explicit
	 * thaw (what the node agent asks)
	 * @return the operation's report, or what was wrong with the request
	 */
	@WriteOperation
	public Mono<WebEndpointResponse<Object>> operate(@Selector String action, @Nullable String properties,
			@Nullable String image, @Nullable Boolean thawOnRequest) {
		return Mono.deferContextual((context) -> {
			if (!permitted(context)) {
				return Mono.just(EndpointToken.refused());
			}
			AfterResponseAction afterResponse = afterResponseAction(context);
			return blocking(() -> this.endpoint.operate(action, properties, image, thawOnRequest, afterResponse));
		});
	}

	private static Mono<WebEndpointResponse<Object>> blocking(Callable<WebEndpointResponse<Object>> operation) {
		return Mono.fromCallable(operation).subscribeOn(Schedulers.boundedElastic());
	}

	private boolean permitted(ContextView context) {
		if (!this.token.isRequired()) {
			return true;
		}
		String authorization = ServerWebExchangeContextFilter.getExchange(context)
			.map((exchange) -> exchange.getRequest().getHeaders().getFirst(HttpHeaders.AUTHORIZATION))
			.orElse(null);
		return this.token.permits(authorization);
	}

	private static AfterResponseAction afterResponseAction(ContextView context) {
		Object offered = ServerWebExchangeContextFilter.getExchange(context)
			.map((exchange) -> exchange.getAttributes().get(AfterResponseAction.ATTRIBUTE))
			.orElse(null);
		return (offered instanceof AfterResponseAction) ? (AfterResponseAction) offered : null;
	}

}
