package io.cse.endpoint;

import io.cse.web.AfterResponseAction;
import io.cse.web.TrafficGateFilter;

import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.EndpointWebExtension;
import org.springframework.lang.Nullable;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;

/**
 * {@link EndpointWebExtension @EndpointWebExtension} of the {@link CseEndpoint} for servlet
 * web applications: a dump or a clone answers first and starts once the answer is sent,
 * left to the request's {@link TrafficGateFilter} as the request's
 * {@link AfterResponseAction}. The request is the one Spring holds for the thread that
 * handles it.
 */
@EndpointWebExtension(endpoint = CseEndpoint.class)
public class CseEndpointWebExtension {

	private final CseEndpoint endpoint;

	/**
	 * Create an extension of the given endpoint.
	 * @param endpoint the endpoint that runs the operations
	 */
	public CseEndpointWebExtension(CseEndpoint endpoint) {
		this.endpoint = endpoint;
	}

	/**
	 * Run an operation on this instance, as {@link CseEndpoint#operate(String, String, String)}
	 * does, but start a dump or a clone once the answer is sent.
	 * @param action {@code freeze}, {@code thaw}, {@code dump} or {@code clone}
	 * @param properties properties for this instance, applied by a thaw
	 * @param image the name of the image folder a dump or clone writes
	 * @return the operation's report, or what was wrong with the request
	 */
	@WriteOperation
	public WebEndpointResponse<Object> operate(@Selector String action, @Nullable String properties,
			@Nullable String image) {
		return this.endpoint.operate(action, properties, image, afterResponseAction());
	}

	private static AfterResponseAction afterResponseAction() {
		RequestAttributes request = RequestContextHolder.getRequestAttributes();
		Object offered = (request != null)
				? request.getAttribute(AfterResponseAction.ATTRIBUTE, RequestAttributes.SCOPE_REQUEST) : null;
		return (offered instanceof AfterResponseAction) ? (AfterResponseAction) offered : null;
	}

}
