package io.cse.node.host;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.cse.node.CseRun;
import io.cse.node.instance.Instance;
import io.cse.node.instance.NodeContext;
import io.cse.node.instance.Registry;
import io.cse.samples.kafka.KafkaProcess;
import io.cse.samples.postgres.PostgresProcess;
import io.cse.samples.rabbitmq.RabbitMqBroker;
import io.cse.samples.redis.RedisProcess;
import io.cse.snapshot.ImageManifest;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

/**
 * {@code samples/order-service}, a service that holds every kind of connection the starter
 * handles at once (a Druid pool on PostgreSQL, Redis, a RabbitMQ listener, a Kafka producer
 * and listener, an Apache HttpClient 5 pool, a log file), the whole way on this machine, on
 * JDK 17 and on JDK 25: 20 freezes and thaws under steady traffic and messages, with the
 * servers' own views checked while frozen; then a dump, {@code cse restore}, and two clones
 * of the restored instance, in each of which every path works. Needs root and CRIU (see
 * {@link RootOnly}), and the Redis and RabbitMQ servers of the scripts.
 * <p>
 * Every server listens on the test bridge's address, which the host and every clone's
 * namespace reach alike, and tells its clients apart by their addresses.
 */
@Timeout(300)
class OrderServiceEndToEndTests {

	private static final String BRIDGE = "cseord";

	private static final String SUBNET = "10.199.253.0/24";

	private static final String GATEWAY = "10.199.253.1";

	private static final Duration STARTUP = Duration.ofSeconds(120);

	private static final int CYCLES = 20;

	private static final ObjectMapper json = new ObjectMapper();

	@TempDir
	static Path work;

	private static PostgresProcess postgres;

	private static RedisProcess redis;

	private static RabbitMqBroker rabbit;

	private static KafkaProcess kafka;

	private static HttpServer pricing;

	/** The addresses the pricing service was called from, which tell the instances apart. */
	private static final Set<String> pricingCallers = ConcurrentHashMap.newKeySet();

	private final ServiceProcesses services = new ServiceProcesses();

	private final ExecutorService trafficThread = Executors.newSingleThreadExecutor();

	private final AtomicBoolean trafficOn = new AtomicBoolean();

	private KafkaProducer<String, String> producer;

	@BeforeAll
	static void servers() throws Exception {
		RootOnly.require();
		CseRun up = cse(work.resolve("state"), "net", "up", "--bridge", BRIDGE, "--subnet", SUBNET);
		assertThat(up.exitCode()).as(up.toString()).isZero();
		// The two brokers take seconds each to start: side by side
		CompletableFuture<RabbitMqBroker> startingRabbit = CompletableFuture
			.supplyAsync(() -> unchecked(() -> RabbitMqBroker.startForTests(List.of(GATEWAY))));
		CompletableFuture<KafkaProcess> startingKafka = CompletableFuture
			.supplyAsync(() -> unchecked(() -> KafkaProcess.start(GATEWAY)));
		try {
			postgres = PostgresProcess.start(Path.of(System.getProperty("cse.postgres.jar")), "127.0.0.1," + GATEWAY,
					List.of(SUBNET));
			redis = RedisProcess.start(List.of(GATEWAY));
			pricing = HttpServer.create(new InetSocketAddress(GATEWAY, 0), 0);
			pricing.createContext("/price", (exchange) -> {
				pricingCallers.add(exchange.getRemoteAddress().getAddress().getHostAddress());
				byte[] price = "42".getBytes(StandardCharsets.UTF_8);
				exchange.getResponseHeaders().add("Content-Type", "application/json");
				exchange.sendResponseHeaders(200, price.length);
				try (OutputStream body = exchange.getResponseBody()) {
					body.write(price);
				}
			});
			pricing.setExecutor(Executors.newFixedThreadPool(4));
			pricing.start();
		}
		finally {
			// Kept even when something above failed, so that @AfterAll stops them
			rabbit = startingRabbit.join();
			kafka = startingKafka.join();
		}
	}

	@AfterAll
	static void stopServers() {
		if (kafka != null) {
			// What the broker still holds once every instance stopped, for whoever reads the output
			System.out.printf("Kafka's service listener holds %d connections after the tests%n",
					kafka.countServiceConnections());
		}
		if (pricing != null) {
			pricing.stop(0);
			((ExecutorService) pricing.getExecutor()).shutdownNow();
		}
		for (AutoCloseable server : new AutoCloseable[] { kafka, rabbit, redis, postgres }) {
			if (server != null) {
				try {
					server.close();
				}
				catch (Exception ex) {
					// The other servers must still be stopped; the first failure is enough to see
					ex.printStackTrace();
				}
			}
		}
		cse(work.resolve("state"), "net", "down", "--bridge", BRIDGE);
	}

	@AfterEach
	void stopEverything() throws InterruptedException {
		this.trafficOn.set(false);
		this.trafficThread.shutdownNow();
		this.trafficThread.awaitTermination(60, TimeUnit.SECONDS);
		if (this.producer != null) {
			this.producer.close(Duration.ofSeconds(10));
		}
		cse(work.resolve("state"), "stop", "--all", "--timeout", "5s");
		this.services.close();
	}

	@ParameterizedTest(name = "on {0}")
	@MethodSource("io.cse.node.host.RootOnly#snapshotJdks")
	void freezeThawDumpRestoreAndCloneOrderService(String javaHome) throws Exception {
		Path java = RootOnly.java(javaHome);
		String name = Path.of(javaHome).getFileName().toString().replaceAll("[^A-Za-z0-9]", "");
		Path state = work.resolve("state");
		Path images = work.resolve("images-" + name);
		int port = ServiceProcesses.freePort();
		String local = "http://127.0.0.1:" + port;
		// Names of this run's own, so that the runs on the two JDKs share the servers
		String topic = "order-events-" + name;
		String queue = "payments-" + name;
		String group = "order-service-" + name;
		dropTables();
		this.producer = new KafkaProducer<>(Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
				kafka.getAdminBootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(),
				new StringSerializer());

		Path log = Files.createDirectories(Path.of("target", "e2e-logs")).resolve("orders-" + name + "-" + port + ".log");
		Path serviceLog = work.resolve("logs-" + name).resolve("order-service.log");
		Process original = this.services.start(java, log,
				List.of("-XX:-UsePerfData", "-Xmx256m", "-jar", System.getProperty("cse.order-service.jar"),
						"--server.port=" + port, "--orders.datasource.url=" + postgres.getJdbcUrl(GATEWAY),
						"--spring.data.redis.host=" + GATEWAY, "--spring.data.redis.port=" + redis.getPort(),
						"--spring.rabbitmq.host=" + GATEWAY, "--spring.rabbitmq.port=" + rabbit.getAmqpPort(),
						"--spring.kafka.bootstrap-servers=" + kafka.getBootstrapServers(), "--orders.topic=" + topic,
						"--spring.kafka.consumer.group-id=" + group, "--orders.payments-queue=" + queue,
						"--orders.pricing-url=http://" + GATEWAY + ":" + pricing.getAddress().getPort(),
						"--cse.images.root=" + images, "--logging.file.name=" + serviceLog));
		this.services.awaitAnswering(original, local + "/actuator/cse", log, STARTUP);
		long firstOrder = createOrder(local);
		String originalId = status(local).path("instance").path("instanceId").asText();

		// Steady traffic: an order and a read of it every 20 ms, on through every freeze.
		List<String> failures = new CopyOnWriteArrayList<>();
		AtomicInteger served = new AtomicInteger();
		List<String> retried = new CopyOnWriteArrayList<>();
		startTraffic(local, failures, served, retried);

		// 20 freezes and thaws, messages sent before and during each; the servers' own views
		// are read while frozen in every fifth cycle (each read waits on RabbitMQ's statistics).
		Set<String> payments = new HashSet<>();
		Set<String> records = new HashSet<>();
		long started = System.nanoTime();
		for (int cycle = 1; cycle <= CYCLES; cycle++) {
			send(queue, topic, firstOrder, "running-" + cycle, payments, records);
			HttpResponse<String> freeze = post(local + "/actuator/cse/freeze", null);
			assertThat(freeze.statusCode()).as(freeze.body()).isEqualTo(200);
			assertThat(json.readTree(freeze.body()).path("state").asText()).isEqualTo("FROZEN");
			if (cycle % 5 == 1) {
				assertServersSeeNoConnectionOf(original.pid(), GATEWAY, queue, group);
			}
			send(queue, topic, firstOrder, "frozen-" + cycle, payments, records);
			HttpResponse<String> thaw = post(local + "/actuator/cse/thaw", null);
			assertThat(thaw.statusCode()).as(thaw.body()).isEqualTo(200);
			// The held requests are answered, and new ones served, before the next freeze
			int before = served.get();
			await().atMost(Duration.ofSeconds(30)).until(() -> served.get() >= before + 2);
		}
		stopTraffic();
		long takenAlready = Files.readAllLines(serviceLog).stream().filter((line) -> line.contains("was taken already")).count();
		System.out.printf("%d freeze/thaw cycles on %s: %d ms, %d orders taken and read, %d requests sent again %s,"
				+ " %d orders asked for twice%n", CYCLES, name, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
				served.get(), retried.size(), retried, takenAlready);
		assertThat(failures).as("requests that failed across the freezes").isEmpty();
		assertThat(served.get()).isGreaterThan(2 * CYCLES);
		assertThat(rowsPerKey("select item from orders where item like 'traffic-%'"))
			.as("orders taken more than once (a request sent again must not have been read the first time)")
			.allSatisfy((item, rows) -> assertThat(rows).as(item).isEqualTo(1));
		awaitEveryMessageReadOnce(payments, records);

		// Dump: 202 first, then the process stops once the image is complete.
		HttpResponse<String> dump = post(local + "/actuator/cse/dump", "{\"image\": \"dump\"}");
		assertThat(dump.statusCode()).as(dump.body()).isEqualTo(202);
		assertThat(original.waitFor(120, TimeUnit.SECONDS)).as("the dumped process stopped").isTrue();
		Path dumpImage = images.resolve("dump");
		await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(dumpImage.resolve("manifest.json")));
		assertThat(ImageManifest.read(dumpImage).identity().instanceId()).isEqualTo(originalId);
		// Rotated away while the image waits, as logrotate does: the restore opens it again
		Files.move(serviceLog, serviceLog.resolveSibling("order-service.log.1"));

		CseRun restore = cse(state, "restore", dumpImage.toString(), "--name", name + "-r", "--timeout", "120s");
		assertThat(restore.exitCode()).as(restore.toString()).isZero();
		assertThat(status(local).path("instance").path("instanceId").asText()).isEqualTo(originalId);
		assertEveryPathWorks(local, GATEWAY, queue, topic, serviceLog);

		// Clone: the restored instance becomes a template and keeps running.
		HttpResponse<String> clone = post(local + "/actuator/cse/clone", "{\"image\": \"template\"}");
		assertThat(clone.statusCode()).as(clone.body()).isEqualTo(202);
		Path template = images.resolve("template");
		await().atMost(Duration.ofSeconds(120)).until(() -> Files.exists(template.resolve("manifest.json")));
		await().atMost(Duration.ofSeconds(30))
			.until(() -> "clone".equals(status(local).path("lastOperation").path("operation").asText()));
		assertThat(status(local).path("lastOperation").path("outcome").asText()).isEqualTo("SUCCESS");
		CseRun clones = cse(state, "clone", template.toString(), "--count", "2", "--name-prefix", name + "-c",
				"--bridge", BRIDGE, "--timeout", "120s");
		assertThat(clones.exitCode()).as(clones.toString()).isZero();
		List<Instance> cloned = new Registry(state).list()
			.stream()
			.filter((instance) -> instance.name().startsWith(name + "-c"))
			.toList();
		assertThat(cloned).hasSize(2);

		Set<String> ids = new HashSet<>();
		ids.add(status(local).path("instance").path("instanceId").asText());
		for (Instance instance : cloned) {
			String address = instance.endpoint().address();
			String base = "http://" + address + ":" + port;
			JsonNode cloneStatus = status(base);
			assertThat(cloneStatus.path("instance").path("parentId").asText()).isEqualTo(originalId);
			ids.add(cloneStatus.path("instance").path("instanceId").asText());
			assertEveryPathWorks(base, address, queue, topic, serviceLog);
		}
		assertThat(ids).as("the restored instance's and the clones' ids").hasSize(3);
		// The restored instance still works beside its clones, and all three are in the group
		assertEveryPathWorks(local, GATEWAY, queue, topic, serviceLog);
		assertThat(kafka.groupMembers(group)).hasSize(3);

		CseRun stop = cse(state, "stop", "--all");
		assertThat(stop.exitCode()).as(stop.toString()).isZero();
		assertThat(new Registry(state).list()).isEmpty();
	}

	/**
	 * While frozen, no server holds a connection of the instance at the given address (of
	 * the given process, on Kafka's listener).
	 */
	private void assertServersSeeNoConnectionOf(long pid, String address, String queue, String group)
			throws Exception {
		// The kernel's socket table first, read at once: a socket the client closes an instant
		// after the freeze answered is waited for, and reported. Only this process's: the
		// broker may still list connections of the previous run's clones, whose namespaces
		// went away before their last packets reached it.
		long frozenAt = System.nanoTime();
		AtomicInteger reads = new AtomicInteger();
		await().pollDelay(Duration.ZERO)
			.pollInterval(Duration.ofMillis(10))
			.atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(kafka.countServiceConnections(pid))
				.as("connections of the service's process on Kafka's service listener")
				.satisfies((connections) -> reads.incrementAndGet())
				.isZero());
		if (reads.get() > 1) {
			System.out.printf("Kafka's service listener still had connections of the frozen service for %d ms%n",
					TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - frozenAt));
		}
		assertThat(postgres.countConnectionsFrom(address)).as("PostgreSQL's pg_stat_activity").isZero();
		assertThat(redis.clients()).as("Redis's CLIENT LIST")
			.noneMatch((client) -> client.getOrDefault("addr", "").startsWith(address + ":"));
		assertThat(kafka.groupMembers(group)).as("members of the Kafka consumer group").isEmpty();
		// RabbitMQ's management API lags its statistics by up to half a second
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			assertThat(rabbit.connections()).as("RabbitMQ's connections")
				.noneMatch((connection) -> connection.name().startsWith(address + ":"));
			assertThat(rabbit.queue(queue).consumers()).as("consumers of the payments queue").isZero();
		});
	}

	/**
	 * The instance at the given base URL (client address {@code address}) takes an order:
	 * priced over HTTP, stored in PostgreSQL, cached in Redis, announced on Kafka and read
	 * back from there, paid through RabbitMQ, and logged; the servers list its connections.
	 */
	private void assertEveryPathWorks(String base, String address, String queue, String topic, Path serviceLog)
			throws Exception {
		long id = createOrder(base);
		JsonNode cached = json.readTree(get(base + "/orders/" + id).body());
		assertThat(cached.path("cached").asBoolean()).as("read from Redis").isTrue();
		assertThat(pricingCallers).as("callers of the pricing service").contains(address);
		rabbit.publish(queue, "paid-" + id + ":" + id);
		// Read by whichever instance RabbitMQ gives it to, as the order's event is by whichever
		// member of the group holds the topic's partition
		await().atMost(Duration.ofSeconds(30)).until(() -> countRows("payments", "paid-" + id) == 1);
		await().atMost(Duration.ofSeconds(30)).until(() -> countRows("order_events", Long.toString(id)) == 1);
		assertThat(postgres.countConnectionsFrom(address)).as("the instance's Druid pool in pg_stat_activity")
			.isPositive();
		assertThat(redis.clients()).as("the instance in Redis's CLIENT LIST")
			.anyMatch((client) -> client.getOrDefault("addr", "").startsWith(address + ":"));
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(rabbit.consumerConnections(queue)).as("consumers of " + queue)
				.anyMatch((connection) -> connection.startsWith(address + ":")));
		assertThat(serviceLog).as("the configured log file").content().contains("Order " + id + " created");
	}

	private void startTraffic(String base, List<String> failures, AtomicInteger served, List<String> retried) {
		this.trafficOn.set(true);
		this.trafficThread.execute(() -> {
			int n = 0;
			while (this.trafficOn.get()) {
				n++;
				String item = "traffic-" + n;
				try {
					HttpResponse<String> created = retryOnClosedConnection("POST /orders?item=" + item,
							() -> post(base + "/orders?item=" + item + "&requestId=" + item, null), retried);
					if (created.statusCode() != 200) {
						failures.add("POST /orders?item=" + item + ": " + created.statusCode() + " " + created.body());
						continue;
					}
					long id = json.readTree(created.body()).path("id").asLong();
					HttpResponse<String> read = retryOnClosedConnection("GET /orders/" + id,
							() -> get(base + "/orders/" + id), retried);
					if (read.statusCode() != 200) {
						failures.add("GET /orders/" + id + ": " + read.statusCode() + " " + read.body());
						continue;
					}
					served.incrementAndGet();
				}
				catch (IOException ex) {
					failures.add(item + ": " + ex);
				}
				// Pacing, not synchronisation: a request every 20 ms
				LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
			}
		});
	}

	/**
	 * Send a request, and once more if its connection ended before the whole answer. A
	 * freeze closes the idle keep-alive connections, and a request sent on one just then
	 * gets no answer (HTTP clients send it again, as after a keep-alive timeout; the JDK's
	 * does so only for idempotent methods, so this client does it for the POST too). The
	 * test also saw a request read and held although its connection was closed, served after
	 * the thaw to nobody, and an answer cut after its headers: the POST carries a request id,
	 * which the service takes each order once by, and the test checks that no order was
	 * taken twice. Each request sent again is listed in the test's output.
	 */
	private static HttpResponse<String> retryOnClosedConnection(String what, IoSupplier<HttpResponse<String>> request,
			List<String> retried) throws IOException {
		try {
			return request.get();
		}
		catch (java.net.http.HttpTimeoutException ex) {
			throw ex;
		}
		catch (IOException ex) {
			retried.add(what + " (" + ex.getMessage() + ")");
			return request.get();
		}
	}

	private void stopTraffic() throws InterruptedException {
		this.trafficOn.set(false);
		this.trafficThread.shutdown();
		assertThat(this.trafficThread.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
	}

	/**
	 * Send one payment to RabbitMQ and one record to Kafka, from the servers' side: the test
	 * holds no connection on what the service uses.
	 */
	private void send(String queue, String topic, long order, String tag, Set<String> payments, Set<String> records)
			throws Exception {
		String payment = "payment-" + tag;
		rabbit.publish(queue, payment + ":" + order);
		payments.add(payment);
		String record = "record-" + tag;
		this.producer.send(new ProducerRecord<>(topic, record, "sent by the test")).get(30, TimeUnit.SECONDS);
		records.add(record);
	}

	/**
	 * Every payment and record sent was read, and each once; so was every order's event.
	 */
	private void awaitEveryMessageReadOnce(Set<String> payments, Set<String> records) throws Exception {
		await().atMost(Duration.ofSeconds(60))
			.untilAsserted(() -> assertThat(rowsPerKey("select payment_id from payments")).containsOnlyKeys(payments));
		await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(
				rowsPerKey("select event_key from order_events where event_key like 'record-%'"))
			.containsOnlyKeys(records));
		await().atMost(Duration.ofSeconds(60))
			.untilAsserted(() -> assertThat(rowsPerKey("select event_key from order_events where event_key not like 'record-%'"))
				.containsOnlyKeys(rowsPerKey("select id::text from orders").keySet()));
		assertThat(rowsPerKey("select payment_id from payments")).as("payments read more than once")
			.allSatisfy((key, rows) -> assertThat(rows).as(key).isEqualTo(1));
		assertThat(rowsPerKey("select event_key from order_events")).as("Kafka records read more than once")
			.allSatisfy((key, rows) -> assertThat(rows).as(key).isEqualTo(1));
	}

	private static Map<String, Integer> rowsPerKey(String query) throws SQLException {
		Map<String, Integer> rows = new HashMap<>();
		try (Connection connection = postgres.connect();
				Statement statement = connection.createStatement();
				var result = statement.executeQuery(query)) {
			while (result.next()) {
				rows.merge(result.getString(1), 1, Integer::sum);
			}
		}
		return rows;
	}

	private static int countRows(String table, String key) throws SQLException {
		String column = "payments".equals(table) ? "payment_id" : "event_key";
		try (Connection connection = postgres.connect();
				var statement = connection.prepareStatement("select count(*) from " + table + " where " + column + " = ?")) {
			statement.setString(1, key);
			try (var result = statement.executeQuery()) {
				result.next();
				return result.getInt(1);
			}
		}
	}

	private static void dropTables() throws SQLException {
		// The service creates them at start: each run begins with none of the previous one's rows
		try (Connection connection = postgres.connect(); Statement statement = connection.createStatement()) {
			statement.execute("drop table if exists orders, payments, order_events");
		}
	}

	private long createOrder(String base) throws IOException {
		HttpResponse<String> created = post(base + "/orders?item=book", null);
		assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
		return json.readTree(created.body()).path("id").asLong();
	}

	private JsonNode status(String base) throws IOException {
		return this.services.status(base);
	}

	private HttpResponse<String> get(String url) throws IOException {
		return this.services.get(url);
	}

	private HttpResponse<String> post(String url, String body) throws IOException {
		return this.services.post(url, body);
	}

	private static CseRun cse(Path state, String... args) {
		List<String> all = new ArrayList<>(List.of(args));
		all.addAll(List.of("--state-dir", state.toString()));
		return CseRun.of(NodeContext.local(), all.toArray(String[]::new));
	}

	private static <T> T unchecked(IoSupplier<T> supplier) {
		try {
			return supplier.get();
		}
		catch (IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
	}

	@FunctionalInterface
	private interface IoSupplier<T> {

		T get() throws IOException;

	}

}
