package io.cse.node.instance;

import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What the registry knows about one instance the node agent started: one JSON file in
 * the state folder.
 *
 * @param name the instance's name, unique on this host
 * @param kind how it was started
 * @param image the image folder it was restored from
 * @param imageId the image's id
 * @param address the address its service answers on ({@code 127.0.0.1} for a restore
 * in the host's namespaces)
 * @param port its HTTP port
 * @param healthPath the path that answers 200 when it serves
 * @param namespace its network namespace, or {@code null} if it runs in the host's
 * @param hostInterface the host end of its veth pair, or {@code null}
 * @param bridge the bridge its veth pair hangs on, or {@code null}
 * @param pid its main process as the host sees it: the restored process, or for an
 * instance in namespaces the init of its PID namespace; 0 while unknown
 * @param pidStartTicks the start time of {@code pid}, so that a reused pid is never
 * taken for it
 * @param launcherPid the process that started the PID namespace ({@code unshare}), or 0
 * @param launcherStartTicks its start time
 * @param instanceId the instance id its {@code /actuator/cse} reported, or
 * {@code unknown}
 * @param state {@value #STARTING} until it answered 200, then {@value #RUNNING}
 * @param ownerPid the {@code cse} command that is starting it
 * @param ownerStartTicks that command's start time
 * @param createdAt when the entry was made (ISO-8601 instant)
 * @param logDir where the restore's logs are (and for {@code cse run}, the service's log)
 * @param freezerCgroup the cgroup v1 freezer group {@code cse run} started the service in,
 * or {@code null}
 * @param memoryCgroup its memory group, or {@code null}
 * @param limitBeforeSqueeze the memory limit the group had before {@code cse freeze
 * --squeeze} lowered it, to restore on thaw; 0 while not squeezed
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Instance(String name, Kind kind, String image, String imageId, String address, int port,
		String healthPath, String namespace, String hostInterface, String bridge, long pid, long pidStartTicks,
		long launcherPid, long launcherStartTicks, String instanceId, String state, long ownerPid,
		long ownerStartTicks, String createdAt, String logDir, String freezerCgroup, String memoryCgroup,
		long limitBeforeSqueeze) {

	/**
	 * An instance in no cgroup of its own (a restore or a clone).
	 */
	public Instance(String name, Kind kind, String image, String imageId, String address, int port, String healthPath,
			String namespace, String hostInterface, String bridge, long pid, long pidStartTicks, long launcherPid,
			long launcherStartTicks, String instanceId, String state, long ownerPid, long ownerStartTicks,
			String createdAt, String logDir) {
		this(name, kind, image, imageId, address, port, healthPath, namespace, hostInterface, bridge, pid,
				pidStartTicks, launcherPid, launcherStartTicks, instanceId, state, ownerPid, ownerStartTicks, createdAt,
				logDir, null, null, 0);
	}

	/**
	 * The state of an instance that has not answered 200 yet.
	 */
	public static final String STARTING = "starting";

	/**
	 * The state of an instance that answered 200.
	 */
	public static final String RUNNING = "running";

	/**
	 * The instance id shown when the instance's {@code /actuator/cse} did not tell.
	 */
	public static final String UNKNOWN_ID = "unknown";

	/**
	 * Whether the instance has network and PID namespaces of its own.
	 * @return whether it has
	 */
	public boolean namespaced() {
		return this.namespace != null;
	}

	Instance withPid(long pid, long startTicks) {
		return new Instance(this.name, this.kind, this.image, this.imageId, this.address, this.port, this.healthPath,
				this.namespace, this.hostInterface, this.bridge, pid, startTicks, this.launcherPid,
				this.launcherStartTicks, this.instanceId, this.state, this.ownerPid, this.ownerStartTicks,
				this.createdAt, this.logDir, this.freezerCgroup, this.memoryCgroup, this.limitBeforeSqueeze);
	}

	/**
	 * Whether {@code cse run} started the instance in cgroups of its own.
	 * @return whether it did
	 */
	public boolean hasCgroup() {
		return this.freezerCgroup != null && this.memoryCgroup != null;
	}

	Instance withLimitBeforeSqueeze(long limit) {
		return new Instance(this.name, this.kind, this.image, this.imageId, this.address, this.port, this.healthPath,
				this.namespace, this.hostInterface, this.bridge, this.pid, this.pidStartTicks, this.launcherPid,
				this.launcherStartTicks, this.instanceId, this.state, this.ownerPid, this.ownerStartTicks,
				this.createdAt, this.logDir, this.freezerCgroup, this.memoryCgroup, limit);
	}

	Instance withLauncher(long pid, long startTicks) {
		return new Instance(this.name, this.kind, this.image, this.imageId, this.address, this.port, this.healthPath,
				this.namespace, this.hostInterface, this.bridge, this.pid, this.pidStartTicks, pid, startTicks,
				this.instanceId, this.state, this.ownerPid, this.ownerStartTicks, this.createdAt, this.logDir,
				this.freezerCgroup, this.memoryCgroup, this.limitBeforeSqueeze);
	}

	Instance running(String instanceId) {
		return new Instance(this.name, this.kind, this.image, this.imageId, this.address, this.port, this.healthPath,
				this.namespace, this.hostInterface, this.bridge, this.pid, this.pidStartTicks, this.launcherPid,
				this.launcherStartTicks, instanceId, RUNNING, this.ownerPid, this.ownerStartTicks, this.createdAt,
				this.logDir, this.freezerCgroup, this.memoryCgroup, this.limitBeforeSqueeze);
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

}
