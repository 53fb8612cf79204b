package io.cse.endpoint;

import java.io.IOException;
import java.io.StringReader;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

import io.cse.web.AfterResponse;
import io.cse.CheckpointContext.Operation;
import io.cse.CheckpointCoordinator;
import io.cse.ParticipantStatus;
import io.cse.InstanceIdentity;
import io.cse.OperationRejectedException;
import io.cse.OperationReport;
import io.cse.OperationReport.Outcome;
import io.cse.OperationReport.Step;
import io.cse.memory.MemoryReport;
import io.cse.ready.HazardCheckReport;
import io.cse.ready.HazardCheckReport.ReadyBean;
import io.cse.ready.ServerlessReadyBeans;
import io.cse.ready.UniquenessHazard;
import io.cse.snapshot.EngineStatus;
import io.cse.snapshot.EngineUnavailableException;
import io.cse.snapshot.InvalidImageException;
import io.cse.snapshot.SnapshotEngine;
import io.cse.snapshot.SnapshotService;
import io.cse.snapshot.SnapshotService.Ticket;

import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.lang.Nullable;

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
 * first, in the {@code .properties} format (actuator takes flat JSON bodies only).</li>
 * <li>{@code POST /actuator/cse/dump} and {@code POST /actuator/cse/clone}: answer
 * {@code 202 Accepted} with the image's id and folder, then quiesce and snapshot the
 * process; a dump stops it, a clone keeps it running and makes the image a template whose
 * every restore is a new instance. An optional body {@code {"image": "name"}} names the
 * image folder under {@code cse.images.root}.</li>
 * <li>{@code GET /actuator/cse/hazardCheck}: the {@code @ServerlessReady} beans, their
 * hooks, and the uniqueness hazards that the start-up hazard check found in them.</li>
 * </ul>
 */
@Endpoint(id = "cse", defaultAccess = Access.NONE)
public class CseEndpoint {

	private static final String FREEZE = "freeze";

	private static final String THAW = "thaw";

	private static final String DUMP = "dump";

	private static final String CLONE = "clone";

	private static final String HAZARD_CHECK = "hazardCheck";

	private final CheckpointCoordinator coordinator;

	private final SnapshotService snapshots;

	private final ServerlessReadyBeans serverlessReady;

	/**
	 * Create an endpoint for the given coordinator.
	 * @param coordinator the coordinator to drive
	 * @param snapshots takes dumps and clones, or {@code null} if this application cannot
	 */
	public CseEndpoint(CheckpointCoordinator coordinator, SnapshotService snapshots) {
		this(coordinator, snapshots, null);
	}

	/**
	 * Create an endpoint for the given coordinator.
	 * @param coordinator the coordinator to drive
	 * @param snapshots takes dumps and clones, or {@code null} if this application cannot
	 * @param serverlessReady the {@code @ServerlessReady} beans and their check, or
	 * {@code null} if the check is switched off
	 */
	public CseEndpoint(CheckpointCoordinator coordinator, SnapshotService snapshots,
			ServerlessReadyBeans serverlessReady) {
		this.coordinator = coordinator;
		this.snapshots = snapshots;
		this.serverlessReady = serverlessReady;
	}

	/**
	 * Return the state of this instance.
	 * @return the status
	 */
	@ReadOperation
	public StatusDescriptor status() {
		List<ParticipantDescriptor> participants = this.coordinator.getParticipants()
			.stream()
			.map(ParticipantDescriptor::of)
			.toList();
		return new StatusDescriptor(this.coordinator.getState().name(),
				IdentityDescriptor.of(this.coordinator.getIdentity()), EngineDescriptor.of(this.snapshots), participants,
				OperationDescriptor.of(this.coordinator.getLastReport()));
	}

	/**
	 * Return one section of what this instance knows about itself.
	 * @param section {@code hazardCheck}: the {@code @ServerlessReady} beans and their
	 * uniqueness hazards
	 * @return the section, or why there is none
	 */
	@ReadOperation
	public WebEndpointResponse<Object> section(@Selector String section) {
		if (!HAZARD_CHECK.equals(section)) {
			return error(WebEndpointResponse.STATUS_NOT_FOUND,
					"Unknown section '" + section + "': use GET /actuator/cse/" + HAZARD_CHECK, null);
		}
		if (this.serverlessReady == null) {
			return error(WebEndpointResponse.STATUS_NOT_FOUND,
					"The @ServerlessReady hazard check is switched off: set cse.serverless-ready.enabled=true", null);
		}
		return new WebEndpointResponse<>(HazardCheckDescriptor.of(this.serverlessReady.getReport()),
				WebEndpointResponse.STATUS_OK);
	}

	/**
	 * Run an operation on this instance.
	 * @param action {@code freeze}, {@code thaw}, {@code dump} or {@code clone}
	 * @param properties properties for this instance in the {@code .properties} format,
	 * applied by a thaw before anything resumes
	 * @param image the name of the image folder a dump or clone writes, under
	 * {@code cse.images.root}
	 * @return the operation's report, or what was wrong with the request
	 */
	@WriteOperation
	public WebEndpointResponse<Object> operate(@Selector String action, @Nullable String properties,
			@Nullable String image) {
		if (DUMP.equals(action) || CLONE.equals(action)) {
			return snapshot(DUMP.equals(action) ? Operation.DUMP : Operation.CLONE, image);
		}
		if (image != null) {
			return error(WebEndpointResponse.STATUS_BAD_REQUEST,
					"Only a dump or a clone takes an image: POST /actuator/cse/dump or /actuator/cse/clone", null);
		}
		Map<String, String> overrides;
		try {
			overrides = parse(properties);
		}
		catch (IOException | IllegalArgumentException ex) {
			return error(WebEndpointResponse.STATUS_BAD_REQUEST,
					"Cannot read 'properties': " + ex.getMessage() + ". Send one key=value per line.", null);
		}
		try {
			OperationReport report = switch (action) {
				case FREEZE -> {
					if (!overrides.isEmpty()) {
						yield null;
					}
					yield this.coordinator.freeze();
				}
				case THAW -> this.coordinator.thaw(overrides);
				default -> throw new UnknownActionException(action);
			};
			if (report == null) {
				return error(WebEndpointResponse.STATUS_BAD_REQUEST,
						"A freeze takes no properties: pass them to the thaw", null);
			}
			int status = (report.outcome() == Outcome.SUCCESS) ? WebEndpointResponse.STATUS_OK
					: WebEndpointResponse.STATUS_INTERNAL_SERVER_ERROR;
			return new WebEndpointResponse<>(OperationDescriptor.of(report), status);
		}
		catch (UnknownActionException ex) {
			return error(WebEndpointResponse.STATUS_BAD_REQUEST, "Unknown action '" + action + "': use POST /actuator/cse/"
					+ FREEZE + ", /" + THAW + ", /" + DUMP + " or /" + CLONE, null);
		}
		catch (OperationRejectedException ex) {
			return error(409, ex.getMessage(), ex.getState().name());
		}
		catch (IllegalArgumentException ex) {
			return error(WebEndpointResponse.STATUS_BAD_REQUEST, ex.getMessage(),
					this.coordinator.getState().name());
		}
	}

	private WebEndpointResponse<Object> snapshot(Operation operation, String image) {
		if (this.snapshots == null) {
			return error(501, "This application cannot be snapshotted: it has no snapshot engine", null);
		}
		try {
			Ticket ticket = this.snapshots.prepare(operation, image);
			AfterResponse.run("cse-" + operation.name().toLowerCase(Locale.ROOT), () -> this.snapshots.run(ticket));
			return new WebEndpointResponse<>(new SnapshotDescriptor(operation.name().toLowerCase(Locale.ROOT), ticket.imageId(),
					ticket.folder().toString(), this.snapshots.getEngine().getName(),
					(operation == Operation.DUMP) ? "the process stops once the image is complete"
							: "the process keeps running; every restore of the image is a new instance"),
					202);
		}
		catch (EngineUnavailableException ex) {
			return error(501, ex.getMessage(), null);
		}
		catch (InvalidImageException ex) {
			return error(WebEndpointResponse.STATUS_BAD_REQUEST, ex.getMessage(), null);
		}
		catch (OperationRejectedException ex) {
			return error(409, ex.getMessage(), ex.getState().name());
		}
	}

	private static Map<String, String> parse(String properties) throws IOException {
		if (properties == null || properties.isBlank()) {
			return Map.of();
		}
		Properties parsed = new Properties();
		parsed.load(new StringReader(properties));
		Map<String, String> overrides = new LinkedHashMap<>();
		for (String name : parsed.stringPropertyNames()) {
			overrides.put(name, parsed.getProperty(name));
		}
		return overrides;
	}

	private WebEndpointResponse<Object> error(int status, String message, String state) {
		return new WebEndpointResponse<>(
				new ErrorDescriptor(message, (state != null) ? state : this.coordinator.getState().name()), status);
	}

	private static Double millis(Duration duration) {
		return (duration != null) ? duration.toNanos() / 1_000_000.0 : null;
	}

	private static final class UnknownActionException extends RuntimeException {

		UnknownActionException(String action) {
			super(action);
		}

	}

	/**
	 * The state of an instance.
	 *
	 * @param state the current state
	 * @param instance who the instance is
	 * @param engine what the instance can do
	 * @param participants what each participant did last, in quiesce order
	 * @param lastOperation the last operation's report, or {@code null}
	 */
	public record StatusDescriptor(String state, IdentityDescriptor instance, EngineDescriptor engine,
			List<ParticipantDescriptor> participants, OperationDescriptor lastOperation) {

	}

	/**
	 * Who an instance is.
	 *
	 * @param instanceId the instance id
	 * @param generation the generation
	 * @param parentId the instance this one was cloned from, or {@code null}
	 * @param imageId the image this instance was restored from, or {@code null}
	 * @param startedAt when the instance started
	 * @param resumedAt when the instance last resumed, or {@code null}
	 */
	public record IdentityDescriptor(String instanceId, int generation, String parentId, String imageId,
			Instant startedAt, Instant resumedAt) {

		static IdentityDescriptor of(InstanceIdentity identity) {
			return new IdentityDescriptor(identity.getInstanceId(), identity.getGeneration(), identity.getParentId(),
					identity.getImageId(), identity.getStartedAt(), identity.getResumedAt());
		}

	}

	/**
	 * The snapshot engine and what it can do.
	 *
	 * @param name the engine's name
	 * @param version the version of the tool behind it, or {@code null}
	 * @param capabilities each operation, with {@code available} or why it is not
	 */
	public record EngineDescriptor(String name, String version, Map<String, String> capabilities) {

		static EngineDescriptor of(SnapshotService snapshots) {
			Map<String, String> capabilities = new LinkedHashMap<>();
			capabilities.put(FREEZE, "available");
			if (snapshots == null) {
				capabilities.put(DUMP, "unavailable: no snapshot engine");
				capabilities.put(CLONE, "unavailable: no snapshot engine");
				return new EngineDescriptor("none", null, capabilities);
			}
			SnapshotEngine engine = snapshots.getEngine();
			EngineStatus status = engine.getStatus();
			String available = status.available() ? "available" : "unavailable: " + status.reason();
			capabilities.put(DUMP, available);
			capabilities.put(CLONE, (status.available() && !engine.canLeaveRunning())
					? "available (the process stops: this engine cannot leave it running)" : available);
			return new EngineDescriptor(engine.getName(), status.version(), capabilities);
		}

	}

	/**
	 * A snapshot that was accepted and is under way.
	 *
	 * @param operation {@code dump} or {@code clone}
	 * @param imageId the image's id
	 * @param folder the image folder
	 * @param engine the engine that takes it
	 * @param then what happens to this process
	 */
	public record SnapshotDescriptor(String operation, String imageId, String folder, String engine, String then) {

	}

	/**
	 * What a participant did last.
	 *
	 * @param name the participant's name
	 * @param order its place in the quiesce order
	 * @param lastQuiescedAt when it last quiesced, or {@code null}
	 * @param lastQuiesceMs how long its last quiesce took, or {@code null}
	 * @param lastResumedAt when it last resumed, or {@code null}
	 * @param lastResumeMs how long its last resume took, or {@code null}
	 * @param lastError why its last quiesce or resume failed, or {@code null}
	 */
	public record ParticipantDescriptor(String name, int order, Instant lastQuiescedAt, Double lastQuiesceMs,
			Instant lastResumedAt, Double lastResumeMs, String lastError) {

		static ParticipantDescriptor of(ParticipantStatus status) {
			return new ParticipantDescriptor(status.name(), status.order(), status.lastQuiescedAt(),
					millis(status.lastQuiesceDuration()), status.lastResumedAt(), millis(status.lastResumeDuration()),
					status.lastError());
		}

	}

	/**
	 * What an operation did.
	 *
	 * @param operation {@code freeze} or {@code thaw}
	 * @param outcome how it ended
	 * @param state the state of the instance when it ended
	 * @param startedAt when it started
	 * @param totalMs how long it took
	 * @param participantsMs how long the participants took, without the heap trim
	 * @param steps each participant call
	 * @param memory memory around the heap trim, or {@code null}
	 * @param error why it failed, or {@code null}
	 * @param notes what else it found or did
	 */
	public record OperationDescriptor(String operation, String outcome, String state, Instant startedAt,
			double totalMs, double participantsMs, List<StepDescriptor> steps, MemoryDescriptor memory,
			String error, List<String> notes) {

		static OperationDescriptor of(OperationReport report) {
			if (report == null) {
				return null;
			}
			return new OperationDescriptor(report.operation().value(), report.outcome().name(), report.state().name(),
					report.startedAt(), millis(report.duration()), millis(report.participantsDuration()),
					report.steps().stream().map(StepDescriptor::of).toList(), MemoryDescriptor.of(report.memory()),
					report.error(), report.notes());
		}

	}

	/**
	 * One participant call.
	 *
	 * @param participant the participant's name
	 * @param phase {@code quiesce} or {@code resume}
	 * @param ms how long it took
	 * @param error why it failed, or {@code null}
	 */
	public record StepDescriptor(String participant, String phase, double ms, String error) {

		static StepDescriptor of(Step step) {
			return new StepDescriptor(step.participant(), step.phase(), millis(step.duration()), step.error());
		}

	}

	/**
	 * Memory around a heap trim.
	 *
	 * @param heapUsedBefore heap bytes in use before, garbage included
	 * @param heapUsedAfter heap bytes in use after: about the live data
	 * @param residentBefore resident bytes before, or {@code -1}
	 * @param residentAfter resident bytes after, or {@code -1}
	 * @param trimMs how long the trim took
	 */
	public record MemoryDescriptor(long heapUsedBefore, long heapUsedAfter, long residentBefore,
			long residentAfter, double trimMs) {

		static MemoryDescriptor of(MemoryReport memory) {
			return (memory != null) ? new MemoryDescriptor(memory.heapUsedBefore(), memory.heapUsedAfter(),
					memory.residentBefore(), memory.residentAfter(), millis(memory.duration())) : null;
		}

	}

	/**
	 * What the start-up hazard check found in the {@code @ServerlessReady} beans.
	 *
	 * @param status {@code OK} if no hazard was found, else the highest severity found
	 * ({@code WARN} or {@code ERROR})
	 * @param beans every {@code @ServerlessReady} bean, with its hooks in the order they run
	 * @param hazards every uniqueness hazard found, with its fix
	 */
	public record HazardCheckDescriptor(String status, List<ReadyBeanDescriptor> beans,
			List<HazardDescriptor> hazards) {

		static HazardCheckDescriptor of(HazardCheckReport report) {
			UniquenessHazard.Severity highest = report.highestSeverity();
			return new HazardCheckDescriptor((highest != null) ? highest.name() : "OK",
					report.beans().stream().map(ReadyBeanDescriptor::of).toList(),
					report.hazards().stream().map(HazardDescriptor::of).toList());
		}

	}

	/**
	 * A {@code @ServerlessReady} bean.
	 *
	 * @param name the bean's name
	 * @param type the bean's class
	 * @param beforeCheckpoint its {@code @BeforeCheckpoint} methods with their order
	 * @param afterRestore its {@code @AfterRestore} methods with their order
	 * @param ignoredHazards the fields left out of the check
	 * @param publishedBy the publishers that publish the bean as an RPC provider, and take
	 * it offline while the instance is quiesced
	 */
	public record ReadyBeanDescriptor(String name, String type, List<HookDescriptor> beforeCheckpoint,
			List<HookDescriptor> afterRestore, List<String> ignoredHazards, List<String> publishedBy) {

		static ReadyBeanDescriptor of(ReadyBean bean) {
			return new ReadyBeanDescriptor(bean.name(), bean.type(), HookDescriptor.of(bean.beforeCheckpoint()),
					HookDescriptor.of(bean.afterRestore()), bean.ignoredHazards(), bean.publishedBy());
		}

	}

	/**
	 * A hook method.
	 *
	 * @param method the method's name and parameter types
	 * @param order its order
	 */
	public record HookDescriptor(String method, int order) {

		static List<HookDescriptor> of(List<HazardCheckReport.Hook> hooks) {
			return hooks.stream().map((hook) -> new HookDescriptor(hook.method(), hook.order())).toList();
		}

	}

	/**
	 * A uniqueness hazard.
	 *
	 * @param severity {@code ERROR} or {@code WARN}
	 * @param bean the bean's name, or {@code null} for a generator of the JVM itself
	 * @param type the class that declares the field
	 * @param field the field's name
	 * @param staticField whether the field is static
	 * @param fieldType the field's type
	 * @param reason why a clone would be wrong with it
	 * @param fix what to do about it
	 */
	public record HazardDescriptor(String severity, String bean, String type, String field, boolean staticField,
			String fieldType, String reason, String fix) {

		static HazardDescriptor of(UniquenessHazard hazard) {
			return new HazardDescriptor(hazard.severity().name(), hazard.beanName(), hazard.type(), hazard.field(),
					hazard.staticField(), hazard.fieldType(), hazard.reason(), hazard.fix());
		}

	}

	/**
	 * Why a request was refused.
	 *
	 * @param error what is wrong and what to do
	 * @param state the state of the instance, unchanged by the request
	 */
	public record ErrorDescriptor(String error, String state) {

	}

}
