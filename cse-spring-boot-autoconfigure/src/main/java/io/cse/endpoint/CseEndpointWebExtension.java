package io.cse.endpoint;

import io.cse.web.AfterResponseAction;
import io.cse.web.TrafficGateFilter;

import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.EndpointWebExtension;
import org.springframework.http.HttpHeaders;
import org.springframework.lang.Nullable;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;

/**
 * {@link EndpointWebExtension @EndpointWebExtension} of the {@link CseEndpoint} for servlet
 * web applications: a dump or a clone answers first and starts once the answer is sent,
 * left to the request's {@link TrafficGateFilter} as the request's
 * {@link AfterResponseAction}. The request is the one Spring holds for the thread that
 * handles it.
 * <p>
 * Once an {@link EndpointToken} is required, every operation, reads included, first
 * checks the request's {@code Authorization} header, whatever path led to it.
 */
@EndpointWebExtension(endpoint = CseEndpoint.class)
public class CseEndpointWebExtension {

	private final CseEndpoint endpoint;

	private final EndpointToken token;

	/**
	 * Create an extension of the given endpoint.
	 * @param endpoint the endpoint that runs the operations
	 * @param token the token every request must carry, or {@link EndpointToken#none()}
	 */
	public CseEndpointWebExtension(CseEndpoint endpoint, EndpointToken token) {
		this.endpoint = endpoint;
		this.token = token;
	}

	/**
	 * Return what this instance is doing, as {@link CseEndpoint#status()} does.
	 * @return the status, or why the request was refused
	 */
	@ReadOperation
	public WebEndpointResponse<Object> status() {
		return permitted() ? new WebEndpointResponse<>(this.endpoint.status()) : EndpointToken.refused();
	}

	/**
	 * Return one section of what this instance knows about itself, as
	 * {@link CseEndpoint#section(String)} does.
	 * @param section the section's name
	 * @return the section, or why there is none or the request was refused
	 */
	@ReadOperation
	public WebEndpointResponse<Object> section(@Selector String section) {
		return permitted() ? this.endpoint.section(section) : EndpointToken.refused();
	}

	/**
	 * Run an operation on this instance, as {@link CseEndpoint#operate(String, String, String)}
	 * does, but start a dump or a clone once the answer is sent.
	 * @param action {@code freeze}, {@code thaw}, {@code dump} or {@code clone}
	 * @param properties properties for this instance, applied by a thaw
	 * @param image the name of the image folder a dump or clone writes
	 * @param thawOnRequest for a freeze, {@code false} to hold requests until an explicit
	 * thaw (what the node agent asks)
	 * @return the operation's report, or what was wrong with the request
	 */
	@WriteOperation
	public WebEndpointResponse<Object> operate(@Selector String action, @Nullable String properties,
			@Nullable String image, @Nullable Boolean thawOnRequest) {
		if (!permitted()) {
			return EndpointToken.refused();
		}
		return this.endpoint.operate(action, properties, image, thawOnRequest, afterResponseAction());
	}

	private boolean permitted() {
		return !this.token.isRequired() || this.token.permits(ServletRequestHeader.of(HttpHeaders.AUTHORIZATION));
	}

	private static AfterResponseAction afterResponseAction() {
		RequestAttributes request = RequestContextHolder.getRequestAttributes();
		Object offered = (request != null)
				? request.getAttribute(AfterResponseAction.ATTRIBUTE, RequestAttributes.SCOPE_REQUEST) : null;
		return (offered instanceof AfterResponseAction) ? (AfterResponseAction) offered : null;
	}

}
