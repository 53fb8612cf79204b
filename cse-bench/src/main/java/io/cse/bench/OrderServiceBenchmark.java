package io.cse.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.cse.node.CseException;
import io.cse.samples.kafka.KafkaProcess;
import io.cse.samples.postgres.PostgresProcess;
import io.cse.samples.rabbitmq.RabbitMqBroker;
import io.cse.samples.redis.RedisProcess;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code cse-bench order-service}: freeze and thaw of {@code samples/order-service}, the
 * sample that holds every kind of connection the starter handles at once (a Druid pool on
 * PostgreSQL, Redis, a RabbitMQ listener, a Kafka producer and listener, an Apache
 * HttpClient 5 pool to a pricing service, a log file), over many cycles, with the time of
 * each participant. Plain processes and HTTP: no root, no agent.
 */
@Command(name = "order-service", mixinStandardHelpOptions = true, sortOptions = false,
		description = { "Freeze and thaw samples/order-service over many cycles, each after traffic that used every "
				+ "client (PostgreSQL, Redis, RabbitMQ, Kafka, outbound HTTP), and write the figures, with each "
				+ "participant's own time, into --output.",
				"Starts PostgreSQL, Redis, RabbitMQ, Kafka and a pricing server on 127.0.0.1, each in a process of its "
						+ "own (Redis and RabbitMQ from scripts/install-redis.sh and scripts/install-rabbitmq.sh), and "
						+ "stops them all when it ends or fails. Needs neither root nor the agent." })
final class OrderServiceBenchmark implements Callable<Integer> {

	static final String TITLE = "Freeze and thaw of samples/order-service (PostgreSQL, Redis, RabbitMQ, Kafka, "
			+ "outbound HTTP)";

	private static final Duration STARTUP = Duration.ofMinutes(3);

	private static final Duration SETTLE = Duration.ofSeconds(60);

	private static final int ORDERS_PER_CYCLE = 2;

	private final ObjectMapper json = new ObjectMapper();

	@Option(names = "--jar", paramLabel = "JAR", description = "samples/order-service's executable jar (default: "
			+ "${DEFAULT-VALUE}).", defaultValue = "samples/order-service/target/order-service-0.1.0-SNAPSHOT-exec.jar")
	Path jar;

	@Option(names = "--postgres-jar", paramLabel = "JAR",
			description = "The embedded PostgreSQL server (default: ${DEFAULT-VALUE}).",
			defaultValue = "samples/embedded-postgres/target/embedded-postgres-0.1.0-SNAPSHOT-exec.jar")
	Path postgresJar;

	@Option(names = "--kafka-classpath", paramLabel = "FILE",
			description = "The Kafka broker's class path, as samples/embedded-kafka's build writes it (default: "
					+ "${DEFAULT-VALUE}).",
			defaultValue = "samples/embedded-kafka/target/kafka-broker.classpath")
	Path kafkaClasspath;

	@Option(names = "--java", paramLabel = "PATH",
			description = "The JDK's java that runs the service (default: the one running cse-bench).")
	Path java = Path.of(System.getProperty("java.home"), "bin", "java");

	@Option(names = "--output", paramLabel = "FILE", description = "The file to write (default: ${DEFAULT-VALUE}).",
			defaultValue = "docs/benchmarks.md")
	Path output;

	@Option(names = "--cycles", description = "Measured freeze/thaw cycles (default: ${DEFAULT-VALUE}).",
			defaultValue = "30")
	int cycles;

	@Option(names = "--warmup", description = "Cycles run first and not measured (default: ${DEFAULT-VALUE}).",
			defaultValue = "5")
	int warmup;

	@Option(names = "--service-arg", paramLabel = "ARG",
			description = "A further argument for the service, such as --logging.level.io.cse=DEBUG to see "
					+ "which lifecycle bean takes the time (repeatable; the section names them).")
	List<String> serviceArgs = new ArrayList<>();

	@Spec
	CommandSpec spec;

	private int orders;

	private int payments;

	@Override
	public Integer call() throws Exception {
		validate();
		// PostgresProcess.connect() asks DriverManager, which may not see the driver nested in this jar
		Class.forName("org.postgresql.Driver");
		// KafkaProcess reads the broker's class path from this property, as the tests set it
		System.setProperty(KafkaProcess.CLASSPATH_PROPERTY, this.kafkaClasspath.toAbsolutePath().toString());
		Path logs = Files.createTempDirectory("cse-bench-orders-");
		long start = System.nanoTime();
		System.out.println("Starting PostgreSQL, Redis, RabbitMQ, Kafka and the pricing server (logs in " + logs + ")");
		// Closed in the reverse order, whatever fails: the service first, the servers after it
		try (PostgresProcess postgres = PostgresProcess.start(this.postgresJar, "127.0.0.1");
				RedisProcess redis = RedisProcess.start();
				RabbitMqBroker rabbit = RabbitMqBroker.start();
				KafkaProcess kafka = KafkaProcess.start();
				PricingServer pricing = PricingServer.start()) {
			System.out.printf(Locale.ROOT, "Servers up after %.1f s; starting the service%n",
					(System.nanoTime() - start) / 1e9);
			List<String> arguments = new ArrayList<>(List.of("--orders.datasource.url=" + postgres.getJdbcUrl(),
					"--spring.data.redis.host=127.0.0.1", "--spring.data.redis.port=" + redis.getPort(),
					"--spring.rabbitmq.host=127.0.0.1", "--spring.rabbitmq.port=" + rabbit.getAmqpPort(),
					"--spring.kafka.bootstrap-servers=" + kafka.getBootstrapServers(),
					"--orders.pricing-url=http://127.0.0.1:" + pricing.port(),
					"--logging.file.name=" + logs.resolve("order-service-file.log")));
			arguments.addAll(this.serviceArgs);
			Result result;
			Path log = logs.resolve("order-service.log");
			try (ServiceProcess service = ServiceProcess.start(this.java, List.of("-Xmx512m"),
					List.of("-jar", this.jar.toString()), arguments, log)) {
				double first200 = service.awaitFirst200("/actuator/cse", STARTUP);
				System.out.printf(Locale.ROOT, "order-service answered after %.0f ms%n", first200);
				result = measure(service, postgres, rabbit, pricing);
			}
			result.containerStops(Files.readAllLines(log));
			BenchmarkReport.write(this.output, "order-service", markdown(result));
			System.out.printf(Locale.ROOT, "Wrote %s after %.1f min (service logs in %s)%n", this.output,
					(System.nanoTime() - start) / 60e9, logs);
		}
		return 0;
	}

	void validate() {
		if (this.cycles < 10) {
			throw new ParameterException(this.spec.commandLine(),
					"--cycles must be at least 10 for a meaningful median, not " + this.cycles);
		}
		if (this.warmup < 0) {
			throw new ParameterException(this.spec.commandLine(), "--warmup cannot be negative");
		}
		for (Path file : List.of(this.jar, this.postgresJar, this.kafkaClasspath)) {
			if (!Files.isRegularFile(file)) {
				throw new CseException("No file at " + file + ": build it with 'mvn -B -pl cse-bench,samples/order-service "
						+ "-am package -DskipTests' from the project root, or pass its path");
			}
		}
		if (!Files.isExecutable(this.java)) {
			throw new CseException("No java at " + this.java + ": pass a JDK's bin/java with --java");
		}
		String redis = RedisProcess.unavailableReason();
		if (redis != null) {
			throw new CseException(redis);
		}
		if (!Files.isExecutable(RabbitMqBroker.SERVER)) {
			throw new CseException("No RabbitMQ server at " + RabbitMqBroker.SERVER
					+ ": install it with 'sudo scripts/install-rabbitmq.sh'");
		}
	}

	private Result measure(ServiceProcess service, PostgresProcess postgres, RabbitMqBroker rabbit,
			PricingServer pricing) throws Exception {
		Result result = new Result();
		int total = this.warmup + this.cycles;
		for (int i = 0; i < total; i++) {
			boolean measured = i >= this.warmup;
			cycle(service, postgres, rabbit, measured ? result : new Result());
			if ((i + 1) % 5 == 0) {
				System.out.printf(Locale.ROOT, "cycle %d/%d (%d warm-up)%n", i + 1, total, this.warmup);
			}
		}
		result.pricingCalls = pricing.calls();
		result.orders = this.orders;
		result.payments = this.payments;
		return result;
	}

	/**
	 * Orders (pricing over HTTP, PostgreSQL, Redis, a Kafka record), a read of each (Redis),
	 * a payment (RabbitMQ, then PostgreSQL and Redis again), and the order events read back
	 * from Kafka by the service's listener: every client has worked since the last thaw.
	 * Then a freeze, a thaw, and a new order on a new connection.
	 */
	private void cycle(ServiceProcess service, PostgresProcess postgres, RabbitMqBroker rabbit, Result result)
			throws Exception {
		HttpClient client = HttpClient.newHttpClient();
		long lastOrder = -1;
		for (int i = 0; i < ORDERS_PER_CYCLE; i++) {
			lastOrder = order(client, service);
			expect200(client, HttpRequest.newBuilder(service.uri("/orders/" + lastOrder)).build());
		}
		this.payments++;
		rabbit.publish("payments", "payment-" + this.payments + ":" + lastOrder);
		awaitPaidAndAnnounced(client, service, postgres, lastOrder);

		Instant freezeStarted = Instant.now();
		long start = System.nanoTime();
		JsonNode freeze = expect200(client, post(service.uri("/actuator/cse/freeze")));
		result.freeze.add(elapsed(start));
		result.freezeWindows.add(new Instant[] { freezeStarted, Instant.now() });
		if (!"FROZEN".equals(freeze.path("state").asText())) {
			throw new IOException("The freeze did not end FROZEN: " + freeze);
		}
		result.freezeParticipants.add(freeze.path("participantsMs").asDouble());
		result.trim.add(freeze.path("memory").path("trimMs").asDouble());
		result.addSteps(freeze.path("steps"));

		start = System.nanoTime();
		JsonNode thaw = expect200(client, post(service.uri("/actuator/cse/thaw")));
		long thawed = System.nanoTime();
		result.thaw.add((thawed - start) / 1e6);
		result.thawParticipants.add(thaw.path("participantsMs").asDouble());
		result.addSteps(thaw.path("steps"));

		// The freeze closed every connection, the service's to its servers and the callers' to
		// it: the first order after the thaw opens a new one to it, and reconnects every
		// client it needs (pricing, PostgreSQL, Redis, Kafka's producer) on its way.
		HttpClient fresh = HttpClient.newHttpClient();
		order(fresh, service);
		result.firstOrder.add(elapsed(thawed));
	}

	private long order(HttpClient client, ServiceProcess service) throws IOException, InterruptedException {
		this.orders++;
		String item = "bench-" + this.orders;
		JsonNode order = expect200(client, post(service.uri("/orders?item=" + item + "&requestId=" + item)));
		return order.path("id").asLong();
	}

	/**
	 * Wait until the payment listener (RabbitMQ) marked the order paid and the order event
	 * listener (Kafka) stored the order's record, so that both consumers have read since the
	 * thaw before the next freeze.
	 */
	private void awaitPaidAndAnnounced(HttpClient client, ServiceProcess service, PostgresProcess postgres,
			long order) throws Exception {
		long deadline = System.nanoTime() + SETTLE.toNanos();
		boolean paid = false;
		boolean announced = false;
		while (System.nanoTime() < deadline) {
			if (!paid) {
				JsonNode read = expect200(client, HttpRequest.newBuilder(service.uri("/orders/" + order)).build());
				paid = "PAID".equals(read.path("status").asText());
			}
			if (!announced) {
				announced = eventsOf(postgres, order) > 0;
			}
			if (paid && announced) {
				return;
			}
			TimeUnit.MILLISECONDS.sleep(10);
		}
		throw new IOException("Order " + order + " was not " + (paid ? "" : "paid (RabbitMQ listener) ")
				+ (announced ? "" : "read back from Kafka (order event listener) ") + "within " + SETTLE.toSeconds()
				+ " s");
	}

	private static int eventsOf(PostgresProcess postgres, long order) throws SQLException {
		try (Connection connection = postgres.connect();
				PreparedStatement statement = connection
					.prepareStatement("select count(*) from order_events where event_key = ?")) {
			statement.setString(1, Long.toString(order));
			try (ResultSet rows = statement.executeQuery()) {
				rows.next();
				return rows.getInt(1);
			}
		}
	}

	private JsonNode expect200(HttpClient client, HttpRequest request) throws IOException, InterruptedException {
		HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
		if (response.statusCode() != 200) {
			throw new IOException(request.method() + " " + request.uri() + " answered " + response.statusCode() + ": "
					+ response.body());
		}
		String body = response.body();
		return (body.startsWith("{")) ? this.json.readTree(body) : this.json.createObjectNode();
	}

	private static HttpRequest post(URI uri) {
		return HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(1)).POST(HttpRequest.BodyPublishers.noBody())
			.build();
	}

	private static double elapsed(long start) {
		return (System.nanoTime() - start) / 1e6;
	}

	String markdown(Result result) {
		StringBuilder out = new StringBuilder();
		out.append("## ").append(TITLE).append("\n\n");
		out.append("`cse-bench order-service --cycles ").append(this.cycles).append(" --warmup ").append(this.warmup);
		this.serviceArgs.forEach((arg) -> out.append(" --service-arg=").append(arg));
		out.append("`, Spring Boot ").append(BenchmarkReport.springBootVersion(this.jar)).append(".\n");
		out.append("Machine: ").append(BenchmarkReport.machine(this.java)).append(".\n");
		out.append("Load average (1 min) when the figures were written: ").append(BenchmarkReport.loadAverage())
			.append(".\n\n");
		out.append("PostgreSQL, Redis, RabbitMQ, Kafka (KRaft, one broker) and a pricing server (the JDK's HttpServer) ")
			.append("run on 127.0.0.1, each in a process of its own; the service runs with `-Xmx512m`. Each cycle takes ")
			.append(ORDERS_PER_CYCLE).append(" orders (`POST /orders`: the pricing server over the Apache HttpClient ")
			.append("pool, a row through the Druid pool, a Redis hash, a Kafka record waited for) and reads each ")
			.append("(`GET /orders/{id}`, from Redis), publishes a payment to RabbitMQ, and waits until the payment ")
			.append("listener has marked the order paid and the Kafka listener has stored its event: every client has ")
			.append("worked since the last thaw. Then it freezes and thaws through `/actuator/cse` (the whole HTTP ")
			.append("calls timed on the caller's clock, the participants' times as the report has them), and takes ")
			.append("one more order on a new connection, timed from the thaw call's return: it reconnects the ")
			.append("pricing pool, PostgreSQL, Redis and Kafka's producer on its way. The sample waits for the ")
			.append("platform's thaw (`cse.traffic.thaw-on-request=false`), so there is no thaw on request here. ")
			.append(this.warmup).append(" warm-up cycles are not counted; ").append(result.orders)
			.append(" orders, ").append(result.payments).append(" payments and ").append(result.pricingCalls)
			.append(" pricing calls in all.\n\n");
		out.append("| measure | median | p99 | min | max | n | target |\n|---|---|---|---|---|---|---|\n");
		out.append(Stats.of(result.freezeParticipants).row("freeze, participants only (excluding the heap trim)",
				"<= 50 ms (hello-web's budget, for comparison)")).append('\n');
		out.append(Stats.of(result.trim).row("heap trim (full GC, heap shrink, native trim)", "")).append('\n');
		out.append(Stats.of(result.freeze).row("freeze, whole HTTP call", "")).append('\n');
		out.append(Stats.of(result.thawParticipants).row("thaw, participants", "")).append('\n');
		out.append(Stats.of(result.thaw).row("thaw, whole HTTP call", "")).append('\n');
		out.append(Stats.of(result.firstOrder).row("first `POST /orders` answered, from the thaw call's return", ""))
			.append('\n');
		out.append("\n### Each participant's time\n\n");
		out.append("From the `steps` of the freeze and thaw reports (a participant called more than once in one ")
			.append("operation counts once, with the sum), sorted by the median quiesce time. The participants run ")
			.append("one after the other, so their quiesce times add up to about the freeze's participants time.\n\n");
		out.append("| participant | quiesce median | quiesce p99 | quiesce max | resume median | resume p99 | resume max "
				+ "| n |\n|---|---|---|---|---|---|---|---|\n");
		List<String> names = new ArrayList<>(result.quiesce.keySet());
		result.resume.keySet().stream().filter((name) -> !names.contains(name)).forEach(names::add);
		names.sort(Comparator.comparingDouble((String name) -> median(result.quiesce.get(name))).reversed());
		for (String name : names) {
			List<Double> quiesce = result.quiesce.get(name);
			List<Double> resume = result.resume.get(name);
			out.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %d |%n", name,
					cell(quiesce, Stats::median), cell(quiesce, Stats::p99), cell(quiesce, Stats::max),
					cell(resume, Stats::median), cell(resume, Stats::p99), cell(resume, Stats::max),
					Math.max(size(quiesce), size(resume))));
		}
		if (!result.rabbitStop.isEmpty() || !result.kafkaStop.isEmpty()) {
			out.append("\nInside `lifecycle` (Spring's lifecycle beans, stopped one after the other), the two listener ")
				.append("containers, timed from their own INFO lines in the service's log within each measured freeze ")
				.append("(millisecond timestamps):\n\n");
			out.append("| measure | median | p99 | min | max | n | target |\n|---|---|---|---|---|---|---|\n");
			if (!result.rabbitStop.isEmpty()) {
				out.append(Stats.of(result.rabbitStop).row("RabbitMQ listener container (Spring AMQP's "
						+ "`SimpleMessageListenerContainer`): 'Waiting for workers to finish' to 'Successfully waited'",
						"")).append('\n');
			}
			if (!result.kafkaStop.isEmpty()) {
				out.append(Stats.of(result.kafkaStop).row("Kafka listener container (Spring Kafka's "
						+ "`KafkaMessageListenerContainer`): 'partitions revoked' to 'Consumer stopped'", ""))
					.append('\n');
			}
		}
		double total = Stats.of(result.freezeParticipants).median();
		if (!names.isEmpty() && result.quiesce.containsKey(names.get(0))) {
			double largest = median(result.quiesce.get(names.get(0)));
			out.append(String.format(Locale.ROOT, "%nThe largest quiesce, `%s`, is %.0f %% of the median freeze "
					+ "participants time (%s).%n", names.get(0), largest / total * 100, Stats.ms(total)));
		}
		return out.toString();
	}

	private static double median(List<Double> values) {
		return (values == null || values.isEmpty()) ? -1 : Stats.of(values).median();
	}

	private static int size(List<Double> values) {
		return (values != null) ? values.size() : 0;
	}

	private static String cell(List<Double> values, java.util.function.ToDoubleFunction<Stats> measure) {
		return (values == null || values.isEmpty()) ? "" : Stats.ms(measure.applyAsDouble(Stats.of(values)));
	}

	/**
	 * What the measured cycles gave, in milliseconds.
	 */
	static final class Result {

		final List<Double> freeze = new ArrayList<>();

		final List<Double> freezeParticipants = new ArrayList<>();

		final List<Double> trim = new ArrayList<>();

		final List<Double> thaw = new ArrayList<>();

		final List<Double> thawParticipants = new ArrayList<>();

		final List<Double> firstOrder = new ArrayList<>();

		/** Per participant, its quiesce time in each freeze. */
		final Map<String, List<Double>> quiesce = new LinkedHashMap<>();

		/** Per participant, its resume time in each thaw. */
		final Map<String, List<Double>> resume = new LinkedHashMap<>();

		/** Each measured freeze's start and end on the wall clock, to find its lines in the service's log. */
		final List<Instant[]> freezeWindows = new ArrayList<>();

		/** Per measured freeze, the RabbitMQ listener container's stop, from the service's log. */
		final List<Double> rabbitStop = new ArrayList<>();

		/** Per measured freeze, the Kafka listener container's stop, from the service's log. */
		final List<Double> kafkaStop = new ArrayList<>();

		int orders;

		int payments;

		/**
		 * Time the listener containers' stops from the INFO lines they write (Spring Boot's
		 * default console format: the timestamp first) within each measured freeze.
		 */
		void containerStops(List<String> log) {
			for (Instant[] window : this.freezeWindows) {
				Instant from = window[0].minusMillis(5);
				Instant to = window[1].plusMillis(5);
				Instant rabbitFrom = null;
				Instant kafkaFrom = null;
				for (String line : log) {
					Instant at = timestamp(line);
					if (at == null || at.isBefore(from) || at.isAfter(to)) {
						continue;
					}
					if (line.contains("Waiting for workers to finish")) {
						rabbitFrom = at;
					}
					else if (line.contains("Successfully waited for workers to finish") && rabbitFrom != null) {
						this.rabbitStop.add((double) Duration.between(rabbitFrom, at).toMillis());
						rabbitFrom = null;
					}
					else if (line.contains("partitions revoked")) {
						kafkaFrom = at;
					}
					else if (line.contains("Consumer stopped") && kafkaFrom != null) {
						this.kafkaStop.add((double) Duration.between(kafkaFrom, at).toMillis());
						kafkaFrom = null;
					}
				}
			}
		}

		private static Instant timestamp(String line) {
			int space = line.indexOf(' ');
			if (space < 20) {
				return null;
			}
			try {
				return OffsetDateTime.parse(line.substring(0, space)).toInstant();
			}
			catch (DateTimeParseException ex) {
				return null;
			}
		}

		int pricingCalls;

		/**
		 * Add one report's steps ({@code participant}, {@code phase}, {@code ms}).
		 */
		void addSteps(JsonNode steps) {
			Map<String, Double> quiesceNow = new LinkedHashMap<>();
			Map<String, Double> resumeNow = new LinkedHashMap<>();
			for (JsonNode step : steps) {
				String participant = step.path("participant").asText();
				double ms = step.path("ms").asDouble();
				switch (step.path("phase").asText()) {
					case "quiesce" -> quiesceNow.merge(participant, ms, Double::sum);
					case "resume" -> resumeNow.merge(participant, ms, Double::sum);
					default -> {
						// another phase: not in these tables
					}
				}
			}
			quiesceNow.forEach((name, ms) -> this.quiesce.computeIfAbsent(name, (key) -> new ArrayList<>()).add(ms));
			resumeNow.forEach((name, ms) -> this.resume.computeIfAbsent(name, (key) -> new ArrayList<>()).add(ms));
		}

	}

	/**
	 * The pricing service the order service calls for every order: answers {@code 42}.
	 */
	private static final class PricingServer implements AutoCloseable {

		private final HttpServer server;

		private final ExecutorService executor = Executors.newFixedThreadPool(4);

		private final java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();

		private PricingServer() throws IOException {
			this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
			this.server.createContext("/price", (exchange) -> {
				this.calls.incrementAndGet();
				byte[] price = "42".getBytes(StandardCharsets.UTF_8);
				exchange.getResponseHeaders().add("Content-Type", "application/json");
				exchange.sendResponseHeaders(200, price.length);
				try (OutputStream body = exchange.getResponseBody()) {
					body.write(price);
				}
			});
			this.server.setExecutor(this.executor);
			this.server.start();
		}

		static PricingServer start() throws IOException {
			return new PricingServer();
		}

		int port() {
			return this.server.getAddress().getPort();
		}

		int calls() {
			return this.calls.get();
		}

		@Override
		public void close() {
			this.server.stop(0);
			this.executor.shutdownNow();
		}

	}

}
