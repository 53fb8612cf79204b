package io.cse.node.instance;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.cse.snapshot.ImageManifest;

/**
 * What the registry knows about one instance the node agent started: one JSON file in
 * the state folder, which {@link Registry} reads and writes.
 *
 * @param name the instance's name, unique on this host
 * @param kind how it was started
 * @param state whether it has answered 200 yet
 * @param instanceId the instance id its {@code /actuator/cse} reported, or
 * {@value #UNKNOWN_ID}
 * @param source the image it was restored from
 * @param endpoint where its service answers
 * @param network its network namespace and veth pair, or {@code null} if it runs in the
 * host's
 * @param process its main process as the host sees it: the restored process, or for an
 * instance in namespaces the init of its PID namespace; {@link ProcessId#NONE} while
 * unknown
 * @param launcher the process that started its PID namespace ({@code unshare}), or
 * {@link ProcessId#NONE}
 * @param owner the {@code cse} command that is starting it
 * @param cgroups the cgroups {@code cse run} started its service in, or {@code null}
 * @param createdAt when the entry was made (ISO-8601 instant)
 * @param logDir where the restore's logs are (and for {@code cse run}, the service's log)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Instance(String name, Kind kind, State state, String instanceId, Source source, Endpoint endpoint,
		Network network, ProcessId process, ProcessId launcher, ProcessId owner, Cgroups cgroups, String createdAt,
		String logDir) {

	/**
	 * The instance id shown when the instance's {@code /actuator/cse} did not tell.
	 */
	public static final String UNKNOWN_ID = "unknown";

	/**
	 * Whether the instance has network and PID namespaces of its own.
	 * @return whether it has
	 */
	public boolean namespaced() {
		return this.network != null;
	}

	/**
	 * Whether {@code cse run} started the instance in cgroups of its own.
	 * @return whether it did
	 */
	public boolean hasCgroup() {
		return this.cgroups != null;
	}

	/**
	 * The log a service that {@code cse run} started writes.
	 * @return {@code <logDir>/service.log}
	 */
	public Path serviceLog() {
		return Path.of(this.logDir).resolve("service.log");
	}

	/**
	 * The same instance with another main process.
	 * @param process the process
	 * @return the changed instance
	 */
	public Instance withProcess(ProcessId process) {
		return new Instance(this.name, this.kind, this.state, this.instanceId, this.source, this.endpoint,
				this.network, process, this.launcher, this.owner, this.cgroups, this.createdAt, this.logDir);
	}

	/**
	 * The same instance with another launcher.
	 * @param launcher the process that started its PID namespace
	 * @return the changed instance
	 */
	Instance withLauncher(ProcessId launcher) {
		return new Instance(this.name, this.kind, this.state, this.instanceId, this.source, this.endpoint,
				this.network, this.process, launcher, this.owner, this.cgroups, this.createdAt, this.logDir);
	}

	/**
	 * The same instance with another record of its cgroups.
	 * @param cgroups its cgroups
	 * @return the changed instance
	 */
	Instance withCgroups(Cgroups cgroups) {
		return new Instance(this.name, this.kind, this.state, this.instanceId, this.source, this.endpoint,
				this.network, this.process, this.launcher, this.owner, cgroups, this.createdAt, this.logDir);
	}

	/**
	 * The same instance once it answered 200.
	 * @param instanceId the instance id it reported
	 * @return the changed instance
	 */
	Instance running(String instanceId) {
		return new Instance(this.name, this.kind, State.RUNNING, instanceId, this.source, this.endpoint,
				this.network, this.process, this.launcher, this.owner, this.cgroups, this.createdAt, this.logDir);
	}

	/**
	 * The image an instance was restored from.
	 *
	 * @param image the image folder, or {@code null} for a service {@code cse run} started
	 * @param imageId the image's id, or {@code -}
	 */
	public record Source(String image, String imageId) {
	}

	/**
	 * Where an instance's service answers.
	 *
	 * @param address its address ({@code 127.0.0.1} in the host's namespaces)
	 * @param port its HTTP port
	 * @param healthPath the path that answers 200 when it serves
	 * @param healthPort the port that serves the health path (a management port of its
	 * own, or {@code port})
	 * @param endpointPort the port that serves the CSE endpoint (a management port of its
	 * own, or {@code port})
	 * @param endpointPath the CSE endpoint's path on that port
	 */
	public record Endpoint(String address, int port, String healthPath, int healthPort, int endpointPort,
			String endpointPath) {

		/** Where the CSE endpoint is unless the image says otherwise. */
		public static final String DEFAULT_ENDPOINT_PATH = ImageManifest.Application.DEFAULT_ENDPOINT_PATH;

		/**
		 * An endpoint; entries written before the health and endpoint ports were recorded
		 * read as serving everything on the application's port.
		 */
		@JsonCreator
		public Endpoint {
			healthPort = (healthPort > 0) ? healthPort : port;
			endpointPort = (endpointPort > 0) ? endpointPort : port;
			endpointPath = (endpointPath != null) ? endpointPath : DEFAULT_ENDPOINT_PATH;
		}

		/**
		 * A service that serves its health path and the CSE endpoint on its own port.
		 * @param address its address
		 * @param port its HTTP port
		 * @param healthPath the path that answers 200 when it serves
		 */
		public Endpoint(String address, int port, String healthPath) {
			this(address, port, healthPath, port, port, DEFAULT_ENDPOINT_PATH);
		}

		/**
		 * A URI of the service on its application port.
		 * @param path the path, starting with {@code /}
		 * @return {@code http://<address>:<port><path>}
		 */
		public URI uri(String path) {
			return at(this.port, path);
		}

		/**
		 * The URI that answers 200 when the service serves.
		 * @return the health path on its port
		 */
		public URI healthUri() {
			return at(this.healthPort, (this.healthPath != null) ? this.healthPath : "/");
		}

		/**
		 * A URI of the CSE endpoint.
		 * @param action {@code ""} for its status, {@code "/freeze"} or {@code "/thaw"}
		 * @return the endpoint's URI
		 */
		public URI endpointUri(String action) {
			return at(this.endpointPort, this.endpointPath + action);
		}

		private URI at(int port, String path) {
			return URI.create("http://" + this.address + ":" + port + path);
		}

	}

	/**
	 * The network namespace of an instance and how it is attached to the host.
	 *
	 * @param namespace its named network namespace
	 * @param hostInterface the host end of its veth pair
	 * @param bridge the bridge its veth pair hangs on
	 */
	public record Network(String namespace, String hostInterface, String bridge) {
	}

	/**
	 * A process, told apart from a later one that reuses its pid by its start time.
	 *
	 * @param pid the pid, as the host sees it; 0 while unknown
	 * @param startTicks its start time in clock ticks after boot; 0 while not verified
	 */
	public record ProcessId(long pid, long startTicks) {

		/**
		 * No process (yet).
		 */
		public static final ProcessId NONE = new ProcessId(0, 0);

	}

	/**
	 * The cgroup groups {@code cse run} started a service in (on cgroup v2 one group, named
	 * twice).
	 *
	 * @param freezer its freezer group
	 * @param memory its memory group
	 * @param limitBeforeSqueeze the memory limit the group had before {@code cse freeze
	 * --squeeze} lowered it, to restore on thaw; 0 while not squeezed
	 * @param freeze how far the agent got with a freeze or thaw of the group, recorded
	 * before it acts and after the kernel and the service confirmed it, so that an agent
	 * killed in between knows on its next start what to undo; {@code null} in entries of a
	 * {@code cse} that did not record it
	 */
	public record Cgroups(String freezer, String memory, long limitBeforeSqueeze, Freeze freeze,
			long operationTimeoutMillis) {

		/**
		 * The groups of a service that runs, neither frozen nor squeezed.
		 * @param freezer its freezer group
		 * @param memory its memory group
		 */
		public Cgroups(String freezer, String memory) {
			this(freezer, memory, 0, Freeze.THAWED, 0);
		}

		/**
		 * Groups with no operation timeout learnt from the service yet.
		 * @param freezer its freezer group
		 * @param memory its memory group
		 * @param limitBeforeSqueeze the memory limit to restore on thaw, 0 for none
		 * @param freeze how far a freeze or thaw got
		 */
		public Cgroups(String freezer, String memory, long limitBeforeSqueeze, Freeze freeze) {
			this(freezer, memory, limitBeforeSqueeze, freeze, 0);
		}

		/**
		 * Whether a squeeze lowered the memory limit.
		 * @return whether it did
		 */
		public boolean squeezed() {
			return this.limitBeforeSqueeze > 0;
		}

		/**
		 * How long the service's answer to a thaw is awaited: what its status said at the
		 * freeze ({@code longestOperationMs} and a margin), a minute at least; learnt at the
		 * freeze so that a thaw, which a platform waits for, asks nothing first.
		 * @return the time
		 */
		public Duration operationTimeout() {
			Duration learnt = Duration.ofMillis(this.operationTimeoutMillis);
			return (learnt.compareTo(HttpProbe.OPERATION_TIMEOUT) > 0) ? learnt : HttpProbe.OPERATION_TIMEOUT;
		}

		/**
		 * The same groups with another freeze record.
		 * @param freeze how far a freeze or thaw got
		 * @return the changed record
		 */
		public Cgroups withFreeze(Freeze freeze) {
			return new Cgroups(this.freezer, this.memory, this.limitBeforeSqueeze, freeze, this.operationTimeoutMillis);
		}

		/**
		 * The same groups with another limit to restore on thaw.
		 * @param limitBeforeSqueeze the limit, 0 for none
		 * @return the changed record
		 */
		public Cgroups withLimitBeforeSqueeze(long limitBeforeSqueeze) {
			return new Cgroups(this.freezer, this.memory, limitBeforeSqueeze, this.freeze, this.operationTimeoutMillis);
		}

		/**
		 * The same groups with another operation timeout.
		 * @param timeout how long the service's answer to an operation is awaited
		 * @return the changed record
		 */
		public Cgroups withOperationTimeout(Duration timeout) {
			return new Cgroups(this.freezer, this.memory, this.limitBeforeSqueeze, this.freeze, timeout.toMillis());
		}

	}

	/**
	 * How far the agent got with freezing or thawing a service's cgroup.
	 */
	public enum Freeze {

		/**
		 * Running: never frozen, or thawed and resumed.
		 */
		@JsonProperty("thawed")
		THAWED,

		/**
		 * A freeze began (the service may have quiesced, its group may be frozen) and was not
		 * confirmed: an agent that finds this on start thaws the service.
		 */
		@JsonProperty("freezing")
		FREEZING,

		/**
		 * The freeze was confirmed: the service quiesced and its group is frozen (and
		 * squeezed, if asked).
		 */
		@JsonProperty("frozen")
		FROZEN,

		/**
		 * A thaw began and was not confirmed: an agent that finds this on start finishes it.
		 */
		@JsonProperty("thawing")
		THAWING;

		@Override
		public String toString() {
			return name().toLowerCase(Locale.ROOT);
		}

	}

	/**
	 * How an instance was started.
	 */
	public enum Kind {

		/**
		 * {@code cse restore}.
		 */
		@JsonProperty("restore")
		RESTORE,

		/**
		 * {@code cse clone}.
		 */
		@JsonProperty("clone")
		CLONE,

		/**
		 * {@code cse run}.
		 */
		@JsonProperty("run")
		RUN;

		@Override
		public String toString() {
			return name().toLowerCase(Locale.ROOT);
		}

	}

	/**
	 * How far the start of an instance got, as its {@code cse} command recorded it.
	 */
	public enum State {

		/**
		 * It has not answered 200 yet.
		 */
		@JsonProperty("starting")
		STARTING,

		/**
		 * It answered 200.
		 */
		@JsonProperty("running")
		RUNNING;

		@Override
		public String toString() {
			return name().toLowerCase(Locale.ROOT);
		}

	}

}
