package io.cse.endpoint;

import io.cse.web.AfterResponseAction;
import io.cse.web.ReactiveTrafficGateFilter;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.util.context.ContextView;

import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.EndpointWebExtension;
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
 */
@EndpointWebExtension(endpoint = CseEndpoint.class)
public class ReactiveCseEndpointWebExtension {

	private final CseEndpoint endpoint;

	/**
	 * Create an extension of the given endpoint.
	 * @param endpoint the endpoint that runs the operations
	 */
	public ReactiveCseEndpointWebExtension(CseEndpoint endpoint) {
		this.endpoint = endpoint;
	}

	/**
	 * Run an operation on this instance, as {@link CseEndpoint#operate(String, String, String)}
	 * does, but start a dump or a clone once the answer is written.
	 * @param action {@code freeze}, {@code thaw}, {@code dump} or {@code clone}
	 * @param properties properties for this instance, applied by a thaw
	 * @param image the name of the image folder a dump or clone writes
	 * @return the operation's report, or what was wrong with the request
	 */
	@WriteOperation
	public Mono<WebEndpointResponse<Object>> operate(@Selector String action, @Nullable String properties,
			@Nullable String image) {
		return Mono.deferContextual((context) -> {
			AfterResponseAction afterResponse = afterResponseAction(context);
			return Mono.fromCallable(() -> this.endpoint.operate(action, properties, image, afterResponse))
				.subscribeOn(Schedulers.boundedElastic());
		});
	}

	private static AfterResponseAction afterResponseAction(ContextView context) {
		Object offered = ServerWebExchangeContextFilter.getExchange(context)
			.map((exchange) -> exchange.getAttributes().get(AfterResponseAction.ATTRIBUTE))
			.orElse(null);
		return (offered instanceof AfterResponseAction) ? (AfterResponseAction) offered : null;
	}

}
