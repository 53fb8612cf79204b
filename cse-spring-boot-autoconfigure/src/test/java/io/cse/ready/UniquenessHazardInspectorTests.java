package io.cse.ready;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import io.cse.ready.UniquenessHazard.Severity;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * Tests for {@link UniquenessHazardInspector}.
 */
class UniquenessHazardInspectorTests {

	private final UniquenessHazardInspector inspector = new UniquenessHazardInspector();

	@Test
	void staticUuidIsAnErrorNamedByItsField() {
		List<UniquenessHazard> hazards = inspect(new StaticUuid());
		assertThat(hazards).singleElement().satisfies((hazard) -> {
			assertThat(hazard.severity()).isEqualTo(Severity.ERROR);
			assertThat(hazard.beanName()).isEqualTo("bean");
			assertThat(hazard.type()).isEqualTo(StaticUuid.class.getName());
			assertThat(hazard.field()).isEqualTo("NODE");
			assertThat(hazard.staticField()).isTrue();
			assertThat(hazard.fieldType()).isEqualTo("java.util.UUID");
			assertThat(hazard.reason()).contains("every clone");
			assertThat(hazard.fix()).contains("InstanceIdentity").contains("@AfterRestore");
			assertThat(hazard.describe()).startsWith("ERROR bean 'bean': static field " + StaticUuid.class.getName()
					+ ".NODE (java.util.UUID) holds a UUID")
				.contains("ignoreHazards = \"NODE\"");
		});
	}

	@Test
	void cleanBeanHasNoHazard() {
		assertThat(inspect(new Clean())).isEmpty();
	}

	@Test
	void randomGeneratorsOfEveryKindAreErrors() {
		assertThat(new UniquenessHazardInspector(false).inspect("bean", Randoms.class, new Randoms(), Set.of()))
			.extracting(UniquenessHazard::field, UniquenessHazard::severity)
			.containsExactlyInAnyOrder(tuple("random", Severity.ERROR), tuple("secureRandom", Severity.ERROR),
					tuple("splittable", Severity.ERROR), tuple("declaredAsObject", Severity.ERROR));
	}

	@Test
	void secureRandomsAreNoHazardWhereRestoresReseedThem() {
		assertThat(inspect(new Randoms())).extracting(UniquenessHazard::field)
			.containsExactlyInAnyOrder("random", "splittable", "declaredAsObject");
	}

	@Test
	void theJvmsGeneratorsAreNoHazardWhereRestoresReseedThem() {
		assertThat(this.inspector.inspectJvm()).isEmpty();
	}

	@Test
	void threadLocalRandomIsAnErrorWhereRestoresDoNotReseed() {
		assertThat(new UniquenessHazardInspector(false).inspectJvm()).singleElement().satisfies((hazard) -> {
			assertThat(hazard.severity()).isEqualTo(Severity.ERROR);
			assertThat(hazard.beanName()).isNull();
			assertThat(hazard.type()).isEqualTo("java.util.concurrent.ThreadLocalRandom");
			assertThat(hazard.fix()).isEqualTo("set cse.clone.reseed.enabled=true");
			assertThat(hazard.describe()).startsWith("ERROR the JVM: java.util.concurrent.ThreadLocalRandom seeder");
		});
	}

	@Test
	void fieldsThatAreNotSetAreNotHazards() {
		assertThat(inspect(new NotSet())).isEmpty();
	}

	@Test
	void namesThatSuggestIdsOrStartTimesAreWarningsAndSeedsAreErrors() {
		assertThat(inspect(new Named())).extracting(UniquenessHazard::field, UniquenessHazard::severity)
			.containsExactlyInAnyOrder(tuple("workerId", Severity.WARN), tuple("INSTANCE_ID", Severity.WARN),
					tuple("startedAt", Severity.WARN), tuple("startTime", Severity.WARN),
					tuple("seed", Severity.ERROR));
	}

	@Test
	void superclassFieldsAreInspectedAndNamedByTheirClass() {
		assertThat(inspect(new Subclass())).extracting(UniquenessHazard::type, UniquenessHazard::field)
			.containsExactly(tuple(Subclass.class.getName(), "own"), tuple(StaticUuid.class.getName(), "NODE"));
	}

	@Test
	void ignoredFieldsAreLeftAlone() {
		assertThat(new UniquenessHazardInspector(false).inspect("bean", Randoms.class, new Randoms(),
				Set.of("random", "splittable")))
			.extracting(UniquenessHazard::field)
			.containsExactlyInAnyOrder("secureRandom", "declaredAsObject");
	}

	@Test
	void withoutAnInstanceOnlyStaticFieldsAreInspected() {
		assertThat(this.inspector.inspect("bean", Subclass.class, null, Set.of())).extracting(UniquenessHazard::field)
			.containsExactly("NODE");
	}

	@Test
	void openSocketsAreErrorsAndClosedOnesAreNot() throws IOException {
		try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
				Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
			Sockets sockets = new Sockets(server, client);
			assertThat(inspect(sockets)).extracting(UniquenessHazard::field, UniquenessHazard::severity)
				.containsExactlyInAnyOrder(tuple("server", Severity.ERROR), tuple("client", Severity.ERROR));
			client.close();
			server.close();
			assertThat(inspect(sockets)).isEmpty();
		}
	}

	@Test
	void runningThreadIsAnErrorAndAFinishedOneIsNot() throws InterruptedException {
		CountDownLatch stop = new CountDownLatch(1);
		Thread thread = new Thread(() -> {
			try {
				stop.await();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		});
		thread.start();
		try {
			Threads threads = new Threads(thread);
			assertThat(inspect(threads)).singleElement().satisfies((hazard) -> {
				assertThat(hazard.field()).isEqualTo("poller");
				assertThat(hazard.severity()).isEqualTo(Severity.ERROR);
				assertThat(hazard.fix()).contains("ThreadPoolTaskExecutor");
			});
			stop.countDown();
			thread.join(TimeUnit.SECONDS.toMillis(10));
			assertThat(inspect(threads)).isEmpty();
		}
		finally {
			stop.countDown();
		}
	}

	@Test
	void executorIsAWarningUntilItIsShutDown() throws InterruptedException {
		ExecutorService executor = Executors.newSingleThreadExecutor();
		try {
			Executor bean = new Executor(executor);
			assertThat(inspect(bean)).singleElement().satisfies((hazard) -> {
				assertThat(hazard.field()).isEqualTo("executor");
				assertThat(hazard.fieldType()).isEqualTo("java.util.concurrent.Executor");
				assertThat(hazard.severity()).isEqualTo(Severity.WARN);
			});
			executor.shutdown();
			assertThat(inspect(bean)).isEmpty();
		}
		finally {
			executor.shutdownNow();
		}
	}

	private List<UniquenessHazard> inspect(Object bean) {
		return this.inspector.inspect("bean", bean.getClass(), bean, Set.of());
	}

	static class StaticUuid {

		private static final UUID NODE = UUID.randomUUID();

		UUID node() {
			return NODE;
		}

	}

	static class Subclass extends StaticUuid {

		private final Random own = new Random();

	}

	static class Clean {

		private static final long serialVersionUID = 42L;

		private final String name = "clean";

		private final long counter = 7;

		private final Instant lastUsed = Instant.now();

		private final Object lock = new Object();

		private final Runnable task = () -> {
		};

	}

	static class Randoms {

		private final Random random = new Random();

		private final SecureRandom secureRandom = new SecureRandom();

		private final SplittableRandom splittable = new SplittableRandom();

		private final Object declaredAsObject = new Random(42);

	}

	static class NotSet {

		private UUID uuid;

		private Random random;

		private long workerId;

		private String instanceId = "";

		private Integer seed;

	}

	static class Named {

		private static final String INSTANCE_ID = UUID.randomUUID().toString();

		private final int workerId = 3;

		private final Instant startedAt = Instant.now();

		private final Long startTime = System.currentTimeMillis();

		private final long seed = System.nanoTime() | 1;

		private final String name = "not an id";

	}

	static class Sockets {

		private final ServerSocket server;

		private final Socket client;

		Sockets(ServerSocket server, Socket client) {
			this.server = server;
			this.client = client;
		}

	}

	static class Threads {

		private final Thread poller;

		Threads(Thread poller) {
			this.poller = poller;
		}

	}

	static class Executor {

		private final java.util.concurrent.Executor executor;

		Executor(java.util.concurrent.Executor executor) {
			this.executor = executor;
		}

	}

}
