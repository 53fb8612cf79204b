package io.cse.redis;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.cse.CheckpointCoordinator;
import io.cse.InstanceState;
import io.cse.OperationReport;
import io.cse.OperationReport.Outcome;
import io.cse.ParticipantStatus;
import io.cse.samples.redis.RedisProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.Lifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A service on Spring Data Redis, with a {@link StringRedisTemplate} and a pub/sub
 * listener container, on a real Redis server, frozen and thawed with each of Spring
 * Boot's Redis clients: Lettuce (sharing its native connection, and pooled) and Jedis.
 * The server's own client list shows that the frozen service holds no connection, and
 * after the thaw the template works and a message published by the server reaches the
 * listener.
 * <p>
 * From Spring Data Redis 3.2 on the connection factories are lifecycle beans: here the
 * lifecycle participant is what closes their connections, and the Redis participant,
 * there as on every line, leaves them alone.
 */
class RedisFreezeThawTests {

	private static final String CHANNEL = "orders";

	private static RedisProcess redis;

	@BeforeAll
	static void startRedis() throws IOException {
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

	@ParameterizedTest(name = "{0}")
	@ValueSource(strings = { "lettuce", "lettuce-pooled", "jedis" })
	void freezeClosesEveryConnectionAndThawBringsTemplateAndListenerBack(String client) throws Exception {
		try (ConfigurableApplicationContext application = new SpringApplicationBuilder(OrdersApplication.class)
			.web(WebApplicationType.NONE)
			.run("--spring.data.redis.port=" + redis.getPort(), "--spring.data.redis.client-name=" + client,
					"--spring.data.redis.client-type=" + (client.startsWith("jedis") ? "jedis" : "lettuce"),
					"--spring.data.redis.lettuce.pool.enabled=" + client.equals("lettuce-pooled"),
					"--cse.memory.trim-heap=false")) {
			StringRedisTemplate template = application.getBean(StringRedisTemplate.class);
			@SuppressWarnings("unchecked")
			BlockingQueue<String> received = application.getBean("received", BlockingQueue.class);
			template.opsForValue().set("order:1", "placed");
			assertDelivered(received, "before");
			assertThat(redis.clients(client)).as("connections of the running service").isNotEmpty();

			CheckpointCoordinator coordinator = application.getBean(CheckpointCoordinator.class);
			assertThat(coordinator.getParticipants()).extracting(ParticipantStatus::name).contains("redis");
			OperationReport freeze = coordinator.freeze();
			assertThat(freeze.outcome()).as(String.valueOf(freeze.error())).isEqualTo(Outcome.SUCCESS);
			// The server sees a close a moment after the client makes it; one left open stays.
			await().atMost(Duration.ofSeconds(10))
				.untilAsserted(() -> assertThat(redis.clients(client)).as("connections of the frozen service")
					.isEmpty());
			assertThat(redis.publish(CHANNEL, "while frozen")).as("subscribers of the frozen service").isZero();
			// What closed them: the factory's own life cycle, stopped by the lifecycle participant
			assertThat(application.getBean(RedisConnectionFactory.class)).isInstanceOfSatisfying(Lifecycle.class,
					(factory) -> assertThat(factory.isRunning()).as("factory running while frozen").isFalse());

			OperationReport thaw = coordinator.thaw(Map.of());
			assertThat(thaw.outcome()).as(String.valueOf(thaw.error())).isEqualTo(Outcome.SUCCESS);
			assertThat(coordinator.getState()).isEqualTo(InstanceState.RUNNING);
			assertThat(template.opsForValue().get("order:1")).isEqualTo("placed");
			assertDelivered(received, "after");
			assertThat(redis.clients(client)).as("connections of the thawed service").isNotEmpty();
		}
	}

	/**
	 * Publish from the server's side once the listener's subscription is there (the
	 * container subscribes in the background), and see the message arrive.
	 */
	private static void assertDelivered(BlockingQueue<String> received, String message) throws Exception {
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(redis.publish(CHANNEL, message)).as("subscribers").isEqualTo(1));
		assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo(message);
	}

	@SpringBootConfiguration(proxyBeanMethods = false)
	// No database here, though the test class path has JDBC (Spring Boot 3 and 4 name it apart)
	@EnableAutoConfiguration(excludeName = { "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration",
			"org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration" })
	static class OrdersApplication {

		@Bean
		BlockingQueue<String> received() {
			return new LinkedBlockingQueue<>();
		}

		@Bean
		RedisMessageListenerContainer ordersListener(RedisConnectionFactory connectionFactory,
				BlockingQueue<String> received) {
			RedisMessageListenerContainer container = new RedisMessageListenerContainer();
			container.setConnectionFactory(connectionFactory);
			container.addMessageListener(
					(message, pattern) -> received.add(new String(message.getBody(), StandardCharsets.UTF_8)),
					new ChannelTopic(CHANNEL));
			return container;
		}

	}

}
