package io.cse.autoconfigure;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration of the CSE starter, grouped by concern: one group per participant or
 * feature, each with its own switch.
 * <p>
 * Keys renamed in 0.1.0 ({@code cse.freeze.*}, {@code cse.snapshot.jit-settle-time},
 * {@code cse.readiness.fail-on}) still work for one release: a post-processor of the
 * environment gives their values to their replacements (which win where both are set),
 * and the configuration metadata marks them deprecated, each with its replacement.
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

	private final Endpoint endpoint = new Endpoint();

	private final Traffic traffic = new Traffic();

	private final Memory memory = new Memory();

	private final Executors executors = new Executors();

	private final Lifecycle lifecycle = new Lifecycle();

	private final Jdbc jdbc = new Jdbc();

	private final Redis redis = new Redis();

	private final Registry registry = new Registry();

	private final HttpClients httpClients = new HttpClients();

	private final LogFiles logFiles = new LogFiles();

	private final Dubbo dubbo = new Dubbo();

	private final Rabbitmq rabbitmq = new Rabbitmq();

	private final Kafka kafka = new Kafka();

	private final Eureka eureka = new Eureka();

	private final ServerlessReady serverlessReady = new ServerlessReady();

	private final Clone clone = new Clone();

	private final Snapshot snapshot = new Snapshot();

	private final Images images = new Images();

	private final Criu criu = new Criu();


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

	public Endpoint getEndpoint() {
		return this.endpoint;
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

	public Redis getRedis() {
		return this.redis;
	}

	public Registry getRegistry() {
		return this.registry;
	}

	public HttpClients getHttpClients() {
		return this.httpClients;
	}

	public LogFiles getLogFiles() {
		return this.logFiles;
	}

	public Dubbo getDubbo() {
		return this.dubbo;
	}

	public Rabbitmq getRabbitmq() {
		return this.rabbitmq;
	}

	public Kafka getKafka() {
		return this.kafka;
	}

	public Eureka getEureka() {
		return this.eureka;
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
		 * Whether idle keep-alive connections are closed once requests have drained: those
		 * of an embedded Tomcat, Jetty 12, Undertow or Reactor Netty.
		 */
		private boolean closeIdleConnections = true;

		/**
		 * How long a keep-alive connection must have carried nothing before a freeze or a
		 * clone closes it as idle: one in steady use may carry its client's next request
		 * right now, which would be lost; left open, that request is held and served after
		 * the thaw. A dump closes every idle connection, as its process ends.
		 */
		private Duration idleConnectionQuietTime = Duration.ofSeconds(1);

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

		public Duration getIdleConnectionQuietTime() {
			return this.idleConnectionQuietTime;
		}

		public void setIdleConnectionQuietTime(Duration idleConnectionQuietTime) {
			this.idleConnectionQuietTime = idleConnectionQuietTime;
		}

		public boolean isThawOnRequest() {
			return this.thawOnRequest;
		}

		public void setThawOnRequest(boolean thawOnRequest) {
			this.thawOnRequest = thawOnRequest;
		}

		public Duration getHoldTimeout() {
			return this.holdTimeout;
		}

		public void setHoldTimeout(Duration holdTimeout) {
			this.holdTimeout = holdTimeout;
		}

		public Duration getRetryAfter() {
			return this.retryAfter;
		}

		public void setRetryAfter(Duration retryAfter) {
			this.retryAfter = retryAfter;
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


		public boolean isTrimHeap() {
			return this.trimHeap;
		}

		public void setTrimHeap(boolean trimHeap) {
			this.trimHeap = trimHeap;
		}

		public int getMaxHeapFreeRatio() {
			return this.maxHeapFreeRatio;
		}

		public void setMaxHeapFreeRatio(int maxHeapFreeRatio) {
			this.maxHeapFreeRatio = maxHeapFreeRatio;
		}

		public Duration getJitSettleTime() {
			return this.jitSettleTime;
		}

		public void setJitSettleTime(Duration jitSettleTime) {
			this.jitSettleTime = jitSettleTime;
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
		 * Whether JDBC connection pools (HikariCP, and Druid, DBCP2 and Tomcat JDBC unless
		 * switched off each) close their connections during a freeze, and make their
		 * callers wait.
		 */
		private boolean enabled = true;

		/**
		 * Whether the starter turns on HikariCP pool suspension before a pool starts (the
		 * same as 'spring.datasource.hikari.allow-pool-suspension=true').
		 */
		private boolean enablePoolSuspension = true;

		/**
		 * Alibaba Druid pools.
		 */
		private final Pool druid = new Pool();

		/**
		 * Apache Commons DBCP2 pools.
		 */
		private final Pool dbcp2 = new Pool();

		/**
		 * Tomcat JDBC pools.
		 */
		private final Pool tomcat = new Pool();

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

		public Pool getDruid() {
			return this.druid;
		}

		public Pool getDbcp2() {
			return this.dbcp2;
		}

		public Pool getTomcat() {
			return this.tomcat;
		}

		/**
		 * Settings of one kind of pool.
		 */
		public static class Pool {

			/**
			 * Whether pools of this library ('druid': Alibaba Druid, 'dbcp2': Apache Commons
			 * DBCP2, 'tomcat': Tomcat JDBC) close their connections during a freeze, and
			 * make their callers wait.
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
	 * Spring Data Redis settings.
	 */
	public static class Redis {

		/**
		 * Whether the connections of Lettuce and Jedis connection factories that are not
		 * lifecycle beans (Spring Data Redis before 3.2) are closed during a freeze.
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
	 * Outbound HTTP client settings.
	 */
	public static class HttpClients {

		/**
		 * Whether the idle connections of outbound HTTP clients (Apache HttpClient 5 and 4,
		 * OkHttp), as beans or inside RestTemplate, RestClient and WebClient, are closed while
		 * the instance is quiesced.
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
	 * Log file settings.
	 */
	public static class LogFiles {

		/**
		 * Whether Logback's file appenders close their files before a snapshot and open them
		 * again, at the configured path, in the restored instance and in every clone.
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
	 * RabbitMQ settings.
	 */
	public static class Rabbitmq {

		/**
		 * Whether the connections of Spring AMQP's connection factories are closed while the
		 * instance is quiesced, where their lifecycle does not close them (Spring AMQP 2);
		 * they connect again on demand when it resumes.
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
	 * Spring Kafka settings.
	 */
	public static class Kafka {

		/**
		 * Whether Spring Kafka's producers are closed while the instance is quiesced, and a
		 * clone's consumers get a static group membership (group.instance.id) of their own.
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
	 * Spring Cloud Netflix Eureka settings.
	 */
	public static class Eureka {

		/**
		 * Whether the instance's Eureka registration goes DOWN while the instance is
		 * quiesced and UP when it resumes, each time sent to the Eureka server at once and
		 * acknowledged by it, a clone under its own instance id and address.
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
			 * in 'GET /actuator/cse/hazardCheck'.
			 */
			private FailOn failOn = FailOn.NONE;


			public FailOn getFailOn() {
				return this.failOn;
			}

			public void setFailOn(FailOn failOn) {
				this.failOn = failOn;
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
	 * Settings of instances restored from an image, and of the properties a platform may
	 * give each instance when it thaws it.
	 */
	public static class Clone {

		/**
		 * Properties a thaw may set for this instance ('POST /actuator/cse/thaw' with
		 * 'properties'), each an exact name ('app.region') or a prefix that ends in '.*'
		 * ('feature.*'); a thaw that sets any other is refused. Never overridable, and
		 * refused at start-up if listed: the port and address of the server and of the
		 * management server, the actuator's base path, path mappings and health endpoint,
		 * and 'cse.*'.
		 */
		private Set<String> overridableProperties = new LinkedHashSet<>();

		private final Reseed reseed = new Reseed();

		public Set<String> getOverridableProperties() {
			return this.overridableProperties;
		}

		public void setOverridableProperties(Set<String> overridableProperties) {
			this.overridableProperties = overridableProperties;
		}

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
		 * for the platform to poll; by default the actuator's liveness group (the starter
		 * turns Spring Boot's probes on: it does not ask the database, which may be down
		 * while the instance serves), or its whole health where the probes are switched
		 * off, else '/'. It goes through the traffic gate, unlike '/actuator/cse', which
		 * answers even while the instance resumes.
		 */
		private String healthPath;

		/**
		 * Most snapshots (dumps and clones) that may start in any minute; one more is
		 * refused with 429 until the oldest is a minute old. 0 for no limit.
		 */
		private int maxPerMinute = 10;

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

		public int getMaxPerMinute() {
			return this.maxPerMinute;
		}

		public void setMaxPerMinute(int maxPerMinute) {
			this.maxPerMinute = maxPerMinute;
		}

	}

	/**
	 * Settings of the /actuator/cse endpoint.
	 */
	public static class Endpoint {

		/**
		 * File that holds the token every request to the endpoint must carry as
		 * 'Authorization: Bearer TOKEN'; readable by its owner only. Read once at start;
		 * unset lets anyone who reaches the endpoint call it. The node agent sets it with
		 * the CSE_ENDPOINT_TOKENFILE environment variable for the services it starts.
		 */
		private Path tokenFile;

		public Path getTokenFile() {
			return this.tokenFile;
		}

		public void setTokenFile(Path tokenFile) {
			this.tokenFile = tokenFile;
		}

	}

	/**
	 * Image settings.
	 */
	public static class Images {

		/**
		 * Folder that holds every image; dumps and clones cannot write outside it.
		 */
		private Path root = Paths.get("/var/lib/cse/images");

		/**
		 * Most images to keep in the root, the new one included; the oldest are deleted
		 * after each successful dump or clone. 0 keeps them all.
		 */
		private int maxCount = 0;

		/**
		 * Age beyond which an image is deleted from the root after each successful dump or
		 * clone; unset keeps images of every age.
		 */
		private Duration maxAge;

		public Path getRoot() {
			return this.root;
		}

		public void setRoot(Path root) {
			this.root = root;
		}

		public int getMaxCount() {
			return this.maxCount;
		}

		public void setMaxCount(int maxCount) {
			this.maxCount = maxCount;
		}

		public Duration getMaxAge() {
			return this.maxAge;
		}

		public void setMaxAge(Duration maxAge) {
			this.maxAge = maxAge;
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

}
