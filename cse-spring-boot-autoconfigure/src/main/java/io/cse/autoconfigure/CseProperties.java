package io.cse.autoconfigure;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Set;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.DeprecatedConfigurationProperty;

/**
 * Configuration of the CSE starter, grouped by concern: one group per participant or
 * feature, each with its own switch.
 * <p>
 * Keys renamed in 0.1.0 ({@code cse.freeze.*}, {@code cse.snapshot.jit-settle-time},
 * {@code cse.readiness.fail-on}) are still bound for one release and are deprecated in
 * the configuration metadata, each with its replacement; where a key and the one that
 * replaces it are both set, the replacement wins.
 */
@ConfigurationProperties("cse")
public class CseProperties {

	/**
	 * Whether the starter makes the application snapshot-ready.
	 */
	private boolean enabled = true;

	/**
	 * Longest time one participant may take to quiesce or resume before the operation
	 * fails and is rolled back.
	 */
	private Duration participantTimeout = Duration.ofSeconds(30);

	/**
	 * Engine that takes snapshots: 'auto' picks 'crac' on a CRaC JDK and 'criu' elsewhere;
	 * 'none' switches dumps and clones off.
	 */
	private Engine engine = Engine.AUTO;

	private final Traffic traffic = new Traffic();

	private final Memory memory = new Memory();

	private final Executors executors = new Executors();

	private final Lifecycle lifecycle = new Lifecycle();

	private final Jdbc jdbc = new Jdbc();

	private final Registry registry = new Registry();

	private final Dubbo dubbo = new Dubbo();

	private final ServerlessReady serverlessReady = new ServerlessReady();

	private final Clone clone = new Clone();

	private final Snapshot snapshot = new Snapshot(this.memory);

	private final Images images = new Images();

	private final Criu criu = new Criu();

	private final Metrics metrics = new Metrics();

	private final Freeze freeze = new Freeze(this.memory, this.traffic);

	private final Readiness readiness = new Readiness(this.serverlessReady.getHazardCheck());

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public Duration getParticipantTimeout() {
		return this.participantTimeout;
	}

	public void setParticipantTimeout(Duration participantTimeout) {
		this.participantTimeout = participantTimeout;
	}

	public Engine getEngine() {
		return this.engine;
	}

	public void setEngine(Engine engine) {
		this.engine = engine;
	}

	public Traffic getTraffic() {
		return this.traffic;
	}

	public Memory getMemory() {
		return this.memory;
	}

	public Executors getExecutors() {
		return this.executors;
	}

	public Lifecycle getLifecycle() {
		return this.lifecycle;
	}

	public Jdbc getJdbc() {
		return this.jdbc;
	}

	public Registry getRegistry() {
		return this.registry;
	}

	public Dubbo getDubbo() {
		return this.dubbo;
	}

	public ServerlessReady getServerlessReady() {
		return this.serverlessReady;
	}

	public Clone getClone() {
		return this.clone;
	}

	public Snapshot getSnapshot() {
		return this.snapshot;
	}

	public Images getImages() {
		return this.images;
	}

	public Criu getCriu() {
		return this.criu;
	}

	public Metrics getMetrics() {
		return this.metrics;
	}

	@Deprecated(since = "0.1.0", forRemoval = true)
	public Freeze getFreeze() {
		return this.freeze;
	}

	@Deprecated(since = "0.1.0", forRemoval = true)
	public Readiness getReadiness() {
		return this.readiness;
	}

	/**
	 * The engines that take snapshots.
	 */
	public enum Engine {

		/**
		 * The JDK's checkpoint on a CRaC JDK, CRIU elsewhere.
		 */
		AUTO,

		/**
		 * CRIU, on any JDK on Linux.
		 */
		CRIU,

		/**
		 * The JDK's own checkpoint, on a CRaC JDK.
		 */
		CRAC,

		/**
		 * No snapshots: freeze and thaw only.
		 */
		NONE

	}

	/**
	 * Settings of the traffic gate: inbound requests drained before an operation, and held
	 * while the instance is quiesced or frozen.
	 */
	public static class Traffic {

		/**
		 * Whether inbound requests are drained before, and held during, a freeze.
		 */
		private boolean enabled = true;

		/**
		 * Longest time requests in flight may take to finish before a freeze fails.
		 */
		private Duration drainTimeout = Duration.ofSeconds(10);

		/**
		 * Whether idle keep-alive connections are closed once requests have drained.
		 */
		private boolean closeIdleConnections = true;

		/**
		 * Whether a request that reaches a frozen instance thaws it and is then served.
		 */
		private boolean thawOnRequest = true;

		/**
		 * Longest time a request is held while the instance is quiesced before it is
		 * answered with 503 Service Unavailable.
		 */
		private Duration holdTimeout = Duration.ofSeconds(30);

		/**
		 * Delay a client whose request timed out is told to wait before retrying
		 * (Retry-After header).
		 */
		private Duration retryAfter = Duration.ofSeconds(5);

		private final BoundReplacements bound = new BoundReplacements();

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public Duration getDrainTimeout() {
			return this.drainTimeout;
		}

		public void setDrainTimeout(Duration drainTimeout) {
			this.drainTimeout = drainTimeout;
		}

		public boolean isCloseIdleConnections() {
			return this.closeIdleConnections;
		}

		public void setCloseIdleConnections(boolean closeIdleConnections) {
			this.closeIdleConnections = closeIdleConnections;
		}

		public boolean isThawOnRequest() {
			return this.thawOnRequest;
		}

		public void setThawOnRequest(boolean thawOnRequest) {
			this.thawOnRequest = thawOnRequest;
			this.bound.add("thaw-on-request");
		}

		public Duration getHoldTimeout() {
			return this.holdTimeout;
		}

		public void setHoldTimeout(Duration holdTimeout) {
			this.holdTimeout = holdTimeout;
			this.bound.add("hold-timeout");
		}

		public Duration getRetryAfter() {
			return this.retryAfter;
		}

		public void setRetryAfter(Duration retryAfter) {
			this.retryAfter = retryAfter;
			this.bound.add("retry-after");
		}

	}

	/**
	 * Settings of the memory an instance gives back to the operating system before it is
	 * frozen or snapshotted.
	 */
	public static class Memory {

		/**
		 * Whether a freeze ends with a full garbage collection that gives unused heap back
		 * to the operating system.
		 */
		private boolean trimHeap = true;

		/**
		 * Percentage of free heap the trim leaves committed.
		 */
		private int maxHeapFreeRatio = 10;

		/**
		 * How long a dump or clone lets the JIT compilers rest, once they have nothing
		 * under way, before it trims the C heap: the JVM hands their working memory back
		 * every 5 s, and an image taken sooner carries it (about 20 MB for a Spring Boot
		 * web service). The instance stays quiesced meanwhile, its requests held at the
		 * traffic gate; '0' to snapshot at once.
		 */
		private Duration jitSettleTime = Duration.ofSeconds(6);

		private final BoundReplacements bound = new BoundReplacements();

		public boolean isTrimHeap() {
			return this.trimHeap;
		}

		public void setTrimHeap(boolean trimHeap) {
			this.trimHeap = trimHeap;
			this.bound.add("trim-heap");
		}

		public int getMaxHeapFreeRatio() {
			return this.maxHeapFreeRatio;
		}

		public void setMaxHeapFreeRatio(int maxHeapFreeRatio) {
			this.maxHeapFreeRatio = maxHeapFreeRatio;
			this.bound.add("max-heap-free-ratio");
		}

		public Duration getJitSettleTime() {
			return this.jitSettleTime;
		}

		public void setJitSettleTime(Duration jitSettleTime) {
			this.jitSettleTime = jitSettleTime;
			this.bound.add("jit-settle-time");
		}

	}

	/**
	 * Executor and scheduler settings.
	 */
	public static class Executors {

		/**
		 * Whether Spring's task executors and schedulers (and so @Scheduled and @Async work)
		 * are paused during a freeze.
		 */
		private boolean enabled = true;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

	}

	/**
	 * Settings of the participant that stops other running Lifecycle beans.
	 */
	public static class Lifecycle {

		/**
		 * Whether running Lifecycle beans, such as message listener containers, are stopped
		 * during a freeze.
		 */
		private boolean enabled = true;

		/**
		 * Names of Lifecycle beans to leave running during a freeze.
		 */
		private Set<String> excludedBeans = new LinkedHashSet<>();

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public Set<String> getExcludedBeans() {
			return this.excludedBeans;
		}

		public void setExcludedBeans(Set<String> excludedBeans) {
			this.excludedBeans = excludedBeans;
		}

	}

	/**
	 * JDBC connection pool settings.
	 */
	public static class Jdbc {

		/**
		 * Whether HikariCP pools are suspended, and their connections closed, during a
		 * freeze.
		 */
		private boolean enabled = true;

		/**
		 * Whether the starter turns on HikariCP pool suspension before a pool starts (the
		 * same as 'spring.datasource.hikari.allow-pool-suspension=true').
		 */
		private boolean enablePoolSuspension = true;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public boolean isEnablePoolSuspension() {
			return this.enablePoolSuspension;
		}

		public void setEnablePoolSuspension(boolean enablePoolSuspension) {
			this.enablePoolSuspension = enablePoolSuspension;
		}

	}

	/**
	 * Service registry settings.
	 */
	public static class Registry {

		/**
		 * Whether Spring Cloud service registrations are deregistered while the instance is
		 * quiesced and registered again when it resumes, a clone under its own instance id
		 * and address.
		 */
		private boolean enabled = true;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

	}

	/**
	 * Apache Dubbo settings.
	 */
	public static class Dubbo {

		/**
		 * Whether exported Dubbo services are unregistered while the instance is quiesced
		 * and registered again when it resumes, a clone at its own address, under its own
		 * instance id and with ZooKeeper sessions of its own.
		 */
		private boolean enabled = true;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

	}

	/**
	 * Settings of the @ServerlessReady programming model.
	 */
	public static class ServerlessReady {

		/**
		 * Whether beans annotated @ServerlessReady take part in every freeze and snapshot
		 * through their @BeforeCheckpoint and @AfterRestore methods, and are checked for
		 * uniqueness hazards at start-up.
		 */
		private boolean enabled = true;

		private final HazardCheck hazardCheck = new HazardCheck();

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public HazardCheck getHazardCheck() {
			return this.hazardCheck;
		}

		/**
		 * Settings of the start-up check of @ServerlessReady beans for uniqueness hazards:
		 * values that every clone would copy.
		 */
		public static class HazardCheck {

			/**
			 * Severity of uniqueness hazard that stops the start-up: 'error' stops it on an
			 * ERROR finding, 'warn' on any finding; 'none' only reports them, in the log and
			 * in 'GET /actuator/cse/readiness'.
			 */
			private FailOn failOn = FailOn.NONE;

			private final BoundReplacements bound = new BoundReplacements();

			public FailOn getFailOn() {
				return this.failOn;
			}

			public void setFailOn(FailOn failOn) {
				this.failOn = failOn;
				this.bound.add("fail-on");
			}

			/**
			 * Severities of uniqueness hazard that can stop the start-up.
			 */
			public enum FailOn {

				/**
				 * No finding stops the start-up.
				 */
				NONE,

				/**
				 * Any finding stops the start-up.
				 */
				WARN,

				/**
				 * An ERROR finding stops the start-up.
				 */
				ERROR

			}

		}


	}

	/**
	 * Settings of instances restored from an image.
	 */
	public static class Clone {

		private final Reseed reseed = new Reseed();

		public Reseed getReseed() {
			return this.reseed;
		}

		/**
		 * Settings of the random generators renewed on every restore.
		 */
		public static class Reseed {

			/**
			 * Whether every restore of an image mixes fresh entropy from the operating system
			 * into the random generators seeded before the snapshot (session ids,
			 * SecureRandom fields of singleton beans, ThreadLocalRandom) before traffic comes
			 * back.
			 */
			private boolean enabled = true;

			public boolean isEnabled() {
				return this.enabled;
			}

			public void setEnabled(boolean enabled) {
				this.enabled = enabled;
			}

		}

	}

	/**
	 * Snapshot settings.
	 */
	public static class Snapshot {

		/**
		 * Whether child processes of the service may go into an image (they are refused by
		 * default: a server started by the service would be cloned with it).
		 */
		private boolean allowChildProcesses;

		/**
		 * Path that answers 200 once a restored instance serves, written into every image
		 * for the platform to poll; by default the actuator's health endpoint if there is
		 * one, else '/'. It goes through the traffic gate, unlike '/actuator/cse', which
		 * answers even while the instance resumes.
		 */
		private String healthPath;

		private final Memory memory;

		private Snapshot(Memory memory) {
			this.memory = memory;
		}

		public boolean isAllowChildProcesses() {
			return this.allowChildProcesses;
		}

		public void setAllowChildProcesses(boolean allowChildProcesses) {
			this.allowChildProcesses = allowChildProcesses;
		}

		public String getHealthPath() {
			return this.healthPath;
		}

		public void setHealthPath(String healthPath) {
			this.healthPath = healthPath;
		}

		@Deprecated(since = "0.1.0", forRemoval = true)
		@DeprecatedConfigurationProperty(replacement = "cse.memory.jit-settle-time", since = "0.1.0")
		public Duration getJitSettleTime() {
			return this.memory.getJitSettleTime();
		}

		@Deprecated(since = "0.1.0", forRemoval = true)
		public void setJitSettleTime(Duration jitSettleTime) {
			this.memory.bound.ifUnbound("jit-settle-time", () -> this.memory.jitSettleTime = jitSettleTime);
		}

	}

	/**
	 * Image settings.
	 */
	public static class Images {

		/**
		 * Folder that holds every image; dumps and clones cannot write outside it.
		 */
		private Path root = Path.of("/var/lib/cse/images");

		public Path getRoot() {
			return this.root;
		}

		public void setRoot(Path root) {
			this.root = root;
		}

	}

	/**
	 * CRIU engine settings.
	 */
	public static class Criu {

		/**
		 * CRIU binary to run; by default '/opt/cse/criu/bin/criu' (where
		 * 'scripts/install-criu.sh' puts it), then 'criu' on the PATH.
		 */
		private Path path;

		/**
		 * Longest time a dump may take before the snapshot is given up.
		 */
		private Duration dumpTimeout = Duration.ofMinutes(2);

		public Path getPath() {
			return this.path;
		}

		public void setPath(Path path) {
			this.path = path;
		}

		public Duration getDumpTimeout() {
			return this.dumpTimeout;
		}

		public void setDumpTimeout(Duration dumpTimeout) {
			this.dumpTimeout = dumpTimeout;
		}

	}

	/**
	 * Metrics settings.
	 */
	public static class Metrics {

		/**
		 * Whether the starter's Micrometer metrics ('cse.operations', 'cse.participants',
		 * 'cse.state', 'cse.instance') are registered.
		 */
		private boolean enabled = true;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

	}

	/**
	 * Settings that were under 'cse.freeze' before 0.1.0: the heap trim is under
	 * 'cse.memory' now, the requests held at the traffic gate under 'cse.traffic'.
	 * @deprecated since 0.1.0 for removal in the next release, in favour of
	 * {@link Memory} and {@link Traffic}
	 */
	@Deprecated(since = "0.1.0", forRemoval = true)
	public static final class Freeze {

		private final Memory memory;

		private final Traffic traffic;

		private Freeze(Memory memory, Traffic traffic) {
			this.memory = memory;
			this.traffic = traffic;
		}

		@Deprecated(since = "0.1.0", forRemoval = true)
		@DeprecatedConfigurationProperty(replacement = "cse.memory.trim-heap", since = "0.1.0")
		public boolean isTrimHeap() {
			return this.memory.isTrimHeap();
		}

		@Deprecated(since = "0.1.0", forRemoval = true)
		public void setTrimHeap(boolean trimHeap) {
			this.memory.bound.ifUnbound("trim-heap", () -> this.memory.trimHeap = trimHeap);
		}

		@Deprecated(since = "0.1.0", forRemoval = true)
		@DeprecatedConfigurationProperty(replacement = "cse.memory.max-heap-free-ratio", since = "0.1.0")
		public int getMaxHeapFreeRatio() {
			return this.memory.getMaxHeapFreeRatio();
		}

		@Deprecated(since = "0.1.0", forRemoval = true)
		public void setMaxHeapFreeRatio(int maxHeapFreeRatio) {
			this.memory.bound.ifUnbound("max-heap-free-ratio", () -> this.memory.maxHeapFreeRatio = maxHeapFreeRatio);
		}

		@Deprecated(since = "0.1.0", forRemoval = true)
		@DeprecatedConfigurationProperty(replacement = "cse.traffic.thaw-on-request", since = "0.1.0")
		public boolean isThawOnRequest() {
			return this.traffic.isThawOnRequest();
		}

		@Deprecated(since = "0.1.0", forRemoval = true)
		public void setThawOnRequest(boolean thawOnRequest) {
			this.traffic.bound.ifUnbound("thaw-on-request", () -> this.traffic.thawOnRequest = thawOnRequest);
		}

		@Deprecated(since = "0.1.0", forRemoval = true)
		@DeprecatedConfigurationProperty(replacement = "cse.traffic.hold-timeout", since = "0.1.0")
		public Duration getHoldTimeout() {
			return this.traffic.getHoldTimeout();
		}

		@Deprecated(since = "0.1.0", forRemoval = true)
		public void setHoldTimeout(Duration holdTimeout) {
			this.traffic.bound.ifUnbound("hold-timeout", () -> this.traffic.holdTimeout = holdTimeout);
		}

		@Deprecated(since = "0.1.0", forRemoval = true)
		@DeprecatedConfigurationProperty(replacement = "cse.traffic.retry-after", since = "0.1.0")
		public Duration getRetryAfter() {
			return this.traffic.getRetryAfter();
		}

		@Deprecated(since = "0.1.0", forRemoval = true)
		public void setRetryAfter(Duration retryAfter) {
			this.traffic.bound.ifUnbound("retry-after", () -> this.traffic.retryAfter = retryAfter);
		}

	}

	/**
	 * Settings that were under 'cse.readiness' before 0.1.0: the check of @ServerlessReady
	 * beans is under 'cse.serverless-ready.hazard-check' now.
	 * @deprecated since 0.1.0 for removal in the next release, in favour of
	 * {@link ServerlessReady.HazardCheck}
	 */
	@Deprecated(since = "0.1.0", forRemoval = true)
	public static final class Readiness {

		private final ServerlessReady.HazardCheck hazardCheck;

		private Readiness(ServerlessReady.HazardCheck hazardCheck) {
			this.hazardCheck = hazardCheck;
		}

		@Deprecated(since = "0.1.0", forRemoval = true)
		@DeprecatedConfigurationProperty(replacement = "cse.serverless-ready.hazard-check.fail-on", since = "0.1.0")
		public ServerlessReady.HazardCheck.FailOn getFailOn() {
			return this.hazardCheck.getFailOn();
		}

		@Deprecated(since = "0.1.0", forRemoval = true)
		public void setFailOn(ServerlessReady.HazardCheck.FailOn failOn) {
			this.hazardCheck.bound.ifUnbound("fail-on", () -> this.hazardCheck.failOn = failOn);
		}

	}

	/**
	 * The properties of a group that replace deprecated keys and have been bound. A value
	 * bound to a deprecated key applies only while the property that replaces it is
	 * unbound, so that the new key wins whichever of the two the binder sets first.
	 */
	private static final class BoundReplacements {

		private final Set<String> names = new HashSet<>();

		void add(String name) {
			this.names.add(name);
		}

		void ifUnbound(String name, Runnable bindDeprecated) {
			if (!this.names.contains(name)) {
				bindDeprecated.run();
			}
		}

	}

}
