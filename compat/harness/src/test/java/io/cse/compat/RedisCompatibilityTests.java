package io.cse.compat;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import io.cse.samples.redis.RedisProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every Redis cell with each of Spring Data Redis 2.7's clients, as a user of Spring Boot
 * 2.7 sees it: the Redis service, started with {@code java -jar} on the cell's JDK, writes
 * through a template and listens to a channel. Its connection factory is not a lifecycle
 * bean on this line, so the starter's Redis participant is what lets go of it. After
 * {@code POST /actuator/cse/freeze} the server's own client list has no connection of the
 * service and a message published on the channel reaches nobody; after
 * {@code POST /actuator/cse/thaw} the template answers, the service's connections are back
 * in the list, and a published message reaches the listener again.
 */
@Timeout(180)
class RedisCompatibilityTests {

	private static RedisProcess redis;

	static Stream<Arguments> cells() {
		List<Arguments> cells = new ArrayList<>();
		for (ClientCell cell : ClientCell.selected(ClientCell.REDIS)) {
			// Lettuce's pool on Java 8 only, where most Spring Boot 2.7 services run: CI's time
			List<String> clients = (cell.jdk() == Jdk.JDK_8) ? List.of("lettuce", "lettuce-pooled", "jedis")
					: List.of("lettuce", "jedis");
			for (String client : clients) {
				cells.add(Arguments.of(cell, client));
			}
		}
		return cells.stream();
	}

	@BeforeAll
	static void startRedis() throws IOException {
		if (ClientCell.selected(ClientCell.REDIS).isEmpty()) {
			return;
		}
		String reason = RedisProcess.unavailableReason();
		if (reason != null && "1".equals(System.getenv("CSE_REQUIRE_ROOT_TESTS"))) {
			fail(reason + "; CSE_REQUIRE_ROOT_TESTS=1 makes this a failure, not a skip");
		}
		assumeTrue(reason == null, () -> reason + " (set CSE_REQUIRE_ROOT_TESTS=1 to fail instead of skipping)");
		redis = RedisProcess.start();
	}

	@AfterAll
	static void stopRedis() {
		if (redis != null) {
			redis.close();
		}
	}

	@ParameterizedTest(name = "{0}, {1}", allowZeroInvocations = true)
	@MethodSource("cells")
	void closesEveryRedisConnectionWhileFrozenAndComesBack(ClientCell cell, String client) throws Exception {
		// Each run its own client name, which the server lists its connections under
		String name = cell.id() + "-" + client;
		List<String> arguments = new ArrayList<>(List.of("--spring.redis.port=" + redis.getPort(),
				"--spring.redis.client-name=" + name,
				"--spring.redis.client-type=" + (client.equals("jedis") ? "jedis" : "lettuce"),
				"--spring.redis.lettuce.pool.enabled=" + client.equals("lettuce-pooled"),
				// A channel of its own too: a service of an earlier run may still be going away
				"--orders.channel=" + name));
		arguments.addAll(cell.line().endpointSwitch());
		try (ServiceProcess service = ServiceProcess.launch(cell.jar(), cell.toString(), cell.jdk(),
				SuiteDatabase.logs().resolve(name + ".log"), arguments)) {
			ServiceHttp http = service.http();
			FreezeThawCompatibilityTests.awaitHealthy(service, cell.toString());
			assertRuns(cell, client, http, service);
			assertThat(http.postJson("/orders/1", "placed").statusCode()).isEqualTo(200);
			assertDelivered(http, name, "before the freeze");
			assertThat(redis.clients(name)).as("connections of the running service").isNotEmpty();

			HttpResponse<String> freeze = http.post("/actuator/cse/freeze");
			assertThat(freeze.statusCode()).as("POST /actuator/cse/freeze: %s", freeze.body()).isEqualTo(200);
			JsonNode frozen = ServiceHttp.json(freeze);
			assertThat(frozen.path("outcome").asText()).as(freeze.body()).isEqualTo("SUCCESS");
			assertThat(frozen.path("steps").findValuesAsText("participant")).as(freeze.body())
				.contains("lifecycle", "redis");
			// The server sees a close a moment after the client makes it; one left open stays.
			await("no connection of the frozen service in the server's client list").atMost(Duration.ofSeconds(10))
				.untilAsserted(() -> assertThat(redis.clients(name)).as(() -> "the server's clients: " + clients())
					.isEmpty());
			assertThat(redis.publish(name, "while frozen")).as("subscribers of the frozen service").isZero();

			HttpResponse<String> thaw = http.post("/actuator/cse/thaw");
			assertThat(thaw.statusCode()).as("POST /actuator/cse/thaw: %s", thaw.body()).isEqualTo(200);
			assertThat(ServiceHttp.json(thaw).path("outcome").asText()).as(thaw.body()).isEqualTo("SUCCESS");
			HttpResponse<String> order = http.get("/orders/1");
			assertThat(order.statusCode()).as("GET /orders/1 after the thaw: %s", order.body()).isEqualTo(200);
			assertThat(order.body()).isEqualTo("placed");
			assertDelivered(http, name, "after the thaw");
			assertThat(redis.clients(name)).as("connections of the thawed service").isNotEmpty();
		}
	}

	/**
	 * The same service with the Redis participant switched off: the lifecycle participant
	 * stops the listener container, and the factory's own connection stays open, which is
	 * why Spring Data Redis 2.7 needs the participant. One client, on the newest JDK.
	 */
	@ParameterizedTest(name = "{0}", allowZeroInvocations = true)
	@MethodSource("newestJdkCell")
	void keepsTheFactorysConnectionWithoutTheRedisParticipant(ClientCell cell) throws Exception {
		String name = cell.id() + "-without-participant";
		List<String> arguments = new ArrayList<>(List.of("--spring.redis.port=" + redis.getPort(),
				"--spring.redis.client-name=" + name, "--spring.redis.lettuce.pool.enabled=false",
				"--orders.channel=" + name, "--cse.redis.enabled=false"));
		arguments.addAll(cell.line().endpointSwitch());
		try (ServiceProcess service = ServiceProcess.launch(cell.jar(), cell.toString(), cell.jdk(),
				SuiteDatabase.logs().resolve(name + ".log"), arguments)) {
			ServiceHttp http = service.http();
			FreezeThawCompatibilityTests.awaitHealthy(service, cell.toString());
			assertThat(http.postJson("/orders/1", "placed").statusCode()).isEqualTo(200);
			assertDelivered(http, name, "before the freeze");

			HttpResponse<String> freeze = http.post("/actuator/cse/freeze");
			assertThat(ServiceHttp.json(freeze).path("outcome").asText()).as(freeze.body()).isEqualTo("SUCCESS");
			// The server sees the subscription's connection close a moment after the client closes it
			await("no subscriber while frozen").atMost(Duration.ofSeconds(10))
				.until(() -> redis.publish(name, "while frozen") == 0);
			// A connection the starter closes is gone at once (above); this one stays
			await("the factory's connection staying open while frozen").during(Duration.ofSeconds(2))
				.atMost(Duration.ofSeconds(5))
				.until(() -> !redis.clients(name).isEmpty());
			HttpResponse<String> thaw = http.post("/actuator/cse/thaw");
			assertThat(ServiceHttp.json(thaw).path("outcome").asText()).as(thaw.body()).isEqualTo("SUCCESS");
		}
	}

	static Stream<ClientCell> newestJdkCell() {
		return ClientCell.selected(ClientCell.REDIS).stream().filter((cell) -> cell.jdk() == Jdk.JDK_17);
	}

	/** The server's client list, to tell a failure apart. */
	private static String clients() {
		try {
			return String.valueOf(redis.clients());
		}
		catch (IOException ex) {
			return "unknown (" + ex.getMessage() + ")";
		}
	}

	/**
	 * Checks that the cell runs what it claims (Spring Boot, Java, the client's factory)
	 * and that the starter is active.
	 */
	private static void assertRuns(ClientCell cell, String client, ServiceHttp http, ServiceProcess service) {
		JsonNode runtime = ServiceHttp.json(http.get("/runtime"));
		assertThat(runtime.path("springBoot").asText()).as("the service's Spring Boot").isEqualTo(cell.line().version());
		assertThat(runtime.path("java").asText()).as("the service's Java").isEqualTo(cell.jdk().specificationVersion());
		assertThat(runtime.path("connectionFactory").asText()).as("the service's connection factory")
			.isEqualTo(client.equals("jedis") ? "JedisConnectionFactory" : "LettuceConnectionFactory");
		FreezeThawCompatibilityTests.assertActive(cell.toString(), cell.line(), http, service);
	}

	/**
	 * Publishes from the server's side once the listener's subscription is there (the
	 * container subscribes in the background), and sees the service receive it.
	 */
	private static void assertDelivered(ServiceHttp http, String channel, String message) {
		await("the service's subscription to '" + channel + "'").atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(redis.publish(channel, message))
				.as(() -> "subscribers; the server's clients: " + clients())
				.isEqualTo(1));
		await("'" + message + "' received by the service's listener").atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(http.get("/received").body()).contains(message));
	}

}
