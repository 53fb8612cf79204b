package io.cse.endpoint;

import java.io.IOException;
import java.io.StringReader;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.function.Supplier;

import io.cse.CheckpointContext.Operation;
import io.cse.CheckpointCoordinator;
import io.cse.InstanceState;
import io.cse.OperationRejectedException;
import io.cse.OperationReport;
import io.cse.OperationReport.Outcome;
import io.cse.ready.ServerlessReadyBeans;
import io.cse.snapshot.EngineUnavailableException;
import io.cse.snapshot.InvalidImageException;
import io.cse.snapshot.SnapshotRateLimitedException;
import io.cse.snapshot.SnapshotService;
import io.cse.snapshot.SnapshotService.Ticket;
import io.cse.web.AfterResponseAction;

import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.lang.Nullable;
import org.springframework.util.StringUtils;

/**
 * {@code /actuator/cse}: what a platform calls to freeze and thaw this instance, and to
 * see its state. Nothing is reachable until the application opts in, for example with
 * {@code management.endpoint.cse.access=unrestricted} and
 * {@code management.endpoints.web.exposure.include=cse}.
 * <ul>
 * <li>{@code GET /actuator/cse}: state, engine capabilities, identity, participants and
 * the last operation's report.</li>
 * <li>{@code POST /actuator/cse/freeze}: quiesce everything and trim the heap.</li>
 * <li>{@code POST /actuator/cse/thaw}: resume everything; an optional JSON body
 * {@code {"properties": "key=value\nother=value"}} sets properties for this instance
 * first, in the {@code .properties} format (actuator takes flat JSON bodies only), if
 * every one of them is {@link OverridableProperties overridable}.</li>
 * <li>{@code POST /actuator/cse/dump} and {@code POST /actuator/cse/clone}: answer
 * {@code 202 Accepted} with the image's id and folder, then quiesce and snapshot the
 * process; a dump stops it, a clone keeps it running and makes the image a template whose
 * every restore is a new instance. An optional body {@code {"image": "name"}} names the
 * image folder under {@code cse.images.root}.</li>
 * <li>{@code GET /actuator/cse/hazardCheck}: the {@code @ServerlessReady} beans, their
 * hooks, and the uniqueness hazards that the start-up hazard check found in them.</li>
 * </ul>
 * A request is checked whole before anything happens: a refused one changes nothing and
 * says what to do. Over HTTP, a dump or a clone starts once its answer is sent (see the
 * web extensions, {@link CseEndpointWebExtension} and
 * {@link ReactiveCseEndpointWebExtension}); called otherwise, it starts at once on a
 * thread of its own.
 */
@Endpoint(id = "cse", defaultAccess = Access.NONE)
public class CseEndpoint {

	private static final String HAZARD_CHECK = "hazardCheck";

	private static final int STATUS_ACCEPTED = 202;

	private static final int STATUS_CONFLICT = 409;

	private static final int STATUS_NOT_IMPLEMENTED = 501;

	private static final int STATUS_TOO_MANY_REQUESTS = 429;

	private final CheckpointCoordinator coordinator;

	private final SnapshotService snapshots;

	private final ServerlessReadyBeans serverlessReady;

	private final OverridableProperties overridableProperties;

	/**
	 * Create an endpoint for the given coordinator, whose thaw sets no properties.
	 * @param coordinator the coordinator to drive
	 * @param snapshots takes dumps and clones, or {@code null} if this application cannot
	 */
	public CseEndpoint(CheckpointCoordinator coordinator, SnapshotService snapshots) {
		this(coordinator, snapshots, null);
	}

	/**
	 * Create an endpoint for the given coordinator, whose thaw sets no properties.
	 * @param coordinator the coordinator to drive
	 * @param snapshots takes dumps and clones, or {@code null} if this application cannot
	 * @param serverlessReady the {@code @ServerlessReady} beans and their hazard check, or
	 * {@code null} if the check is switched off
	 */
	public CseEndpoint(CheckpointCoordinator coordinator, SnapshotService snapshots,
			ServerlessReadyBeans serverlessReady) {
		this(coordinator, snapshots, serverlessReady, OverridableProperties.none());
	}

	/**
	 * Create an endpoint for the given coordinator.
	 * @param coordinator the coordinator to drive
	 * @param snapshots takes dumps and clones, or {@code null} if this application cannot
	 * @param serverlessReady the {@code @ServerlessReady} beans and their hazard check, or
	 * {@code null} if the check is switched off
	 * @param overridableProperties the properties a thaw may set
	 */
	public CseEndpoint(CheckpointCoordinator coordinator, SnapshotService snapshots,
			ServerlessReadyBeans serverlessReady, OverridableProperties overridableProperties) {
		this.coordinator = coordinator;
		this.snapshots = snapshots;
		this.serverlessReady = serverlessReady;
		this.overridableProperties = overridableProperties;
	}

	/**
	 * Return the state of this instance.
	 * @return the status
	 */
	@ReadOperation
	public StatusDescriptor status() {
		return StatusDescriptor.of(this.coordinator, this.snapshots);
	}

	/**
	 * Return one section of what this instance knows about itself.
	 * @param section {@code hazardCheck}: the {@code @ServerlessReady} beans and their
	 * uniqueness hazards
	 * @return the section, or why there is none
	 */
	@ReadOperation
	public WebEndpointResponse<Object> section(@Selector String section) {
		return answer(() -> hazardCheck(section));
	}

	/**
	 * Run an operation on this instance. A dump or a clone starts at once, on a thread of
	 * its own.
	 * @param action {@code freeze}, {@code thaw}, {@code dump} or {@code clone}
	 * @param properties properties for this instance in the {@code .properties} format,
	 * applied by a thaw before anything resumes; each must be overridable
	 * @param image the name of the image folder a dump or clone writes, under
	 * {@code cse.images.root}
	 * @param thawOnRequest for a freeze, {@code false} to hold requests until an explicit
	 * thaw even where {@code cse.traffic.thaw-on-request} is on (what the node agent asks)
	 * @return the operation's report, or what was wrong with the request
	 */
	@WriteOperation
	public WebEndpointResponse<Object> operate(@Selector String action, @Nullable String properties,
			@Nullable String image, @Nullable Boolean thawOnRequest) {
		return operate(action, properties, image, thawOnRequest, null);
	}

	/**
	 * Run an operation on this instance, as a caller without a request does. A dump or a
	 * clone starts at once, on a thread of its own.
	 * @param action {@code freeze}, {@code thaw}, {@code dump} or {@code clone}
	 * @param properties properties for this instance, applied by a thaw
	 * @param image the name of the image folder a dump or clone writes
	 * @return the operation's report, or what was wrong with the request
	 */
	public WebEndpointResponse<Object> operate(String action, @Nullable String properties, @Nullable String image) {
		return operate(action, properties, image, null, null);
	}

	/**
	 * Run an operation on this instance, leaving a dump or a clone to start once the answer
	 * is sent.
	 * @param action {@code freeze}, {@code thaw}, {@code dump} or {@code clone}
	 * @param properties properties for this instance in the {@code .properties} format,
	 * applied by a thaw before anything resumes; each must be overridable
	 * @param image the name of the image folder a dump or clone writes, under
	 * {@code cse.images.root}
	 * @param afterResponse where the request's filter takes a dump or a clone to start once
	 * the answer is sent, or {@code null} to start it at once
	 * @return the operation's report, or what was wrong with the request
	 */
	public WebEndpointResponse<Object> operate(String action, @Nullable String properties, @Nullable String image,
			@Nullable AfterResponseAction afterResponse) {
		return operate(action, properties, image, null, afterResponse);
	}

	/**
	 * Run an operation on this instance, leaving a dump or a clone to start once the answer
	 * is sent.
	 * @param action {@code freeze}, {@code thaw}, {@code dump} or {@code clone}
	 * @param properties properties for this instance in the {@code .properties} format,
	 * applied by a thaw before anything resumes; each must be overridable
	 * @param image the name of the image folder a dump or clone writes, under
	 * {@code cse.images.root}
	 * @param thawOnRequest for a freeze, {@code false} to hold the requests that reach the
	 * frozen instance until an explicit thaw even where {@code cse.traffic.thaw-on-request}
	 * is on: what the node agent asks, as it freezes the process's cgroup next
	 * @param afterResponse where the request's filter takes a dump or a clone to start once
	 * the answer is sent, or {@code null} to start it at once
	 * @return the operation's report, or what was wrong with the request
	 */
	public WebEndpointResponse<Object> operate(String action, @Nullable String properties, @Nullable String image,
			@Nullable Boolean thawOnRequest, @Nullable AfterResponseAction afterResponse) {
		return answer(() -> {
			Action parsed = Action.of(action);
			Map<String, String> overrides = checkParameters(parsed, properties, image);
			if (thawOnRequest != null && parsed != Action.FREEZE) {
				throw new RequestRefusedException(WebEndpointResponse.STATUS_BAD_REQUEST,
						"Only a freeze takes thawOnRequest: POST /actuator/cse/freeze?thawOnRequest=false");
			}
			switch (parsed) {
				case FREEZE:
					return this.coordinator.freeze(thawOnRequest == null || thawOnRequest);
				case THAW:
					return this.coordinator.thaw(overrides);
				default:
					return snapshot(parsed, image, afterResponse);
			}
		});
	}

	private HazardCheckDescriptor hazardCheck(String section) {
		if (!HAZARD_CHECK.equals(section)) {
			throw new RequestRefusedException(WebEndpointResponse.STATUS_NOT_FOUND,
					"Unknown section '" + section + "': use GET /actuator/cse/" + HAZARD_CHECK);
		}
		if (this.serverlessReady == null) {
			throw new RequestRefusedException(WebEndpointResponse.STATUS_NOT_FOUND,
					"The @ServerlessReady hazard check is switched off: set cse.serverless-ready.enabled=true");
		}
		return HazardCheckDescriptor.of(this.serverlessReady.getReport());
	}

	/**
	 * Check what an action is given, before anything happens.
	 * @return the properties a thaw sets, empty for any other action
	 */
	private Map<String, String> checkParameters(Action action, String properties, String image) {
		if (image != null && !action.takesImage()) {
			throw new RequestRefusedException(WebEndpointResponse.STATUS_BAD_REQUEST,
					"Only a dump or a clone takes an image: POST /actuator/cse/dump or /actuator/cse/clone");
		}
		if (!StringUtils.hasText(properties)) {
			return Collections.emptyMap();
		}
		if (action != Action.THAW) {
			throw new RequestRefusedException(WebEndpointResponse.STATUS_BAD_REQUEST,
					"A " + action.value() + " takes no properties: pass them to the thaw (POST /actuator/cse/thaw)");
		}
		Map<String, String> overrides = readProperties(properties);
		try {
			this.overridableProperties.check(overrides.keySet());
		}
		catch (IllegalArgumentException ex) {
			throw new RequestRefusedException(WebEndpointResponse.STATUS_BAD_REQUEST, ex.getMessage());
		}
		return overrides;
	}

	private static Map<String, String> readProperties(String properties) {
		try {
			Properties parsed = new Properties();
			parsed.load(new StringReader(properties));
			Map<String, String> overrides = new LinkedHashMap<>();
			for (String name : parsed.stringPropertyNames()) {
				overrides.put(name, parsed.getProperty(name));
			}
			return overrides;
		}
		catch (IOException | IllegalArgumentException ex) {
			throw new RequestRefusedException(WebEndpointResponse.STATUS_BAD_REQUEST,
					"Cannot read 'properties': " + ex.getMessage() + ". Send one key=value per line.");
		}
	}

	private SnapshotDescriptor snapshot(Action action, String image, AfterResponseAction afterResponse) {
		if (this.snapshots == null) {
			throw new EngineUnavailableException("This application cannot be snapshotted: it has no snapshot engine");
		}
		Ticket ticket = this.snapshots.prepare(action.operation(), image);
		try {
			AfterResponseAction.leaveOrStart(afterResponse, "cse-" + action.value(), () -> this.snapshots.run(ticket));
		}
		catch (RuntimeException ex) {
			ticket.cancel();
			throw ex;
		}
		return new SnapshotDescriptor(action.value(), ticket.imageId(), ticket.folder().toString(),
				this.snapshots.getEngine().getName(), then(action));
	}

	/**
	 * What happens to this process after the snapshot an action takes: a dump stops it, and
	 * so does a clone on an engine that cannot leave it running (CRaC's).
	 * @param action a dump or a clone
	 * @return the sentence for the answer's {@code then}
	 */
	private String then(Action action) {
		if (action == Action.DUMP) {
			return "the process stops once the image is complete";
		}
		return this.snapshots.getEngine().canLeaveRunning()
				? "the process keeps running; every restore of the image is a new instance"
				: "the process stops once the image is complete (this engine cannot leave it running); "
						+ "every restore of the image is a new instance";
	}

	/**
	 * Answer a request: the one place where what an operation did, or why it was refused,
	 * becomes an HTTP status.
	 */
	private WebEndpointResponse<Object> answer(Supplier<Object> request) {
		try {
			Object result = request.get();
			if (result instanceof OperationReport) {
				OperationReport report = (OperationReport) result;
				// A failed operation answers with its report: it says what failed, and the
				// instance is running again.
				return new WebEndpointResponse<>(OperationDescriptor.of(report),
						(report.outcome() == Outcome.SUCCESS) ? WebEndpointResponse.STATUS_OK
								: WebEndpointResponse.STATUS_INTERNAL_SERVER_ERROR);
			}
			if (result instanceof SnapshotDescriptor) {
				return new WebEndpointResponse<>(result, STATUS_ACCEPTED);
			}
			return new WebEndpointResponse<>(result, WebEndpointResponse.STATUS_OK);
		}
		catch (RequestRefusedException ex) {
			return refusal(ex.getStatus(), ex, null);
		}
		catch (OperationRejectedException ex) {
			return refusal(STATUS_CONFLICT, ex, ex.getState());
		}
		catch (EngineUnavailableException ex) {
			return refusal(STATUS_NOT_IMPLEMENTED, ex, null);
		}
		catch (SnapshotRateLimitedException ex) {
			return refusal(STATUS_TOO_MANY_REQUESTS, ex, null);
		}
		catch (InvalidImageException | IllegalArgumentException ex) {
			return refusal(WebEndpointResponse.STATUS_BAD_REQUEST, ex, null);
		}
	}

	private WebEndpointResponse<Object> refusal(int status, RuntimeException ex, InstanceState state) {
		InstanceState current = (state != null) ? state : this.coordinator.getState();
		return new WebEndpointResponse<>(new ErrorDescriptor(ex.getMessage(), current.name()), status);
	}

	/**
	 * The actions of {@code POST /actuator/cse/{action}}.
	 */
	enum Action {

		FREEZE, THAW, DUMP, CLONE;

		/**
		 * Return the action's name in a request's path, in reports and in the status.
		 * @return the lower-case name
		 */
		String value() {
			return name().toLowerCase(Locale.ROOT);
		}

		boolean takesImage() {
			return this == DUMP || this == CLONE;
		}

		Operation operation() {
			return Operation.valueOf(name());
		}

		static Action of(String action) {
			for (Action candidate : values()) {
				if (candidate.value().equals(action)) {
					return candidate;
				}
			}
			throw new RequestRefusedException(WebEndpointResponse.STATUS_BAD_REQUEST, "Unknown action '" + action
					+ "': use POST /actuator/cse/freeze, /thaw, /dump or /clone");
		}

	}

	/**
	 * A request that is wrong in itself, whatever the state of the instance.
	 */
	private static final class RequestRefusedException extends RuntimeException {

		private final int status;

		RequestRefusedException(int status, String message) {
			super(message);
			this.status = status;
		}

		int getStatus() {
			return this.status;
		}

	}

}
