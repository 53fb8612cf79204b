package io.cse.compat;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import io.cse.samples.rabbitmq.RabbitMqBroker;
import io.cse.samples.rabbitmq.RabbitMqBroker.ClientConnection;
import io.cse.samples.rabbitmq.RabbitMqBroker.QueueState;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every RabbitMQ cell, as a user of Spring Boot 2.7 sees it: the RabbitMQ service, started
 * with {@code java -jar} on the cell's JDK, consumes a queue of a real broker and sends
 * to it. Spring AMQP 2.4 stops only its listener container through Spring's lifecycle;
 * the starter closes the connection factory's connection. After
 * {@code POST /actuator/cse/freeze} the broker has no connection of the service and no
 * consumer on its queue, and the message that was in flight (delivered, not acknowledged)
 * is back in the queue with one published while frozen; after
 * {@code POST /actuator/cse/thaw} the consumer is back on a new connection, both messages
 * are delivered (the one in flight again, marked redelivered), the template sends again,
 * and no message is lost. Everything is read from the broker's own view (its management
 * API), with the cells side by side on one broker, each with its own queue and connection
 * name.
 */
@Timeout(240)
class AmqpCompatibilityTests {

	/** What Spring Boot 2.7.18 manages, and the service reports. */
	private static final String SPRING_AMQP = "2.4.17";

	// The broker's view of consumers and connections lags on two busy cores (a CI run once
	// saw a cancelled consumer after more than 5 s)
	private static final Duration WITHIN = Duration.ofSeconds(20);

	private static RabbitMqBroker broker;

	static List<ClientCell> cells() {
		return ClientCell.selected(ClientCell.AMQP);
	}

	@BeforeAll
	static void startBroker() throws Exception {
		if (!cells().isEmpty()) {
			broker = RabbitMqBroker.startForTests();
		}
	}

	@AfterAll
	static void stopBroker() {
		if (broker != null) {
			broker.close();
		}
	}

	@ParameterizedTest(name = "{0}", allowZeroInvocations = true)
	@MethodSource("cells")
	void closesTheConnectionWhileFrozenAndLosesNoMessage(ClientCell cell) throws Exception {
		String name = cell.id();
		String queue = "cse.compat." + name;
		List<String> arguments = new ArrayList<>(List.of("--spring.application.name=" + name,
				"--spring.rabbitmq.host=" + broker.getHost(), "--spring.rabbitmq.port=" + broker.getAmqpPort(),
				"--compat.queue=" + queue));
		arguments.addAll(cell.line().endpointSwitch());
		try (ServiceProcess service = ServiceProcess.launch(cell.jar(), cell.toString(), cell.jdk(),
				SuiteDatabase.logs().resolve(name + ".log"), arguments)) {
			ServiceHttp http = service.http();
			FreezeThawCompatibilityTests.awaitHealthy(service, cell.toString());
			assertRuns(cell, http, service);
			await("the service's consumer and its one connection at the broker").atMost(WITHIN).untilAsserted(() -> {
				assertThat(broker.consumerConnections(queue)).hasSize(1);
				assertThat(connections(name)).hasSize(1);
			});
			String before = connections(name).get(0).name();

			broker.publish(queue, "from-broker-1");
			assertThat(http.post("/send?body=from-service-1").statusCode()).isEqualTo(200);
			// The service leaves this one unacknowledged: in flight when it freezes
			broker.publish(queue, "hold-1");
			await("three deliveries").atMost(WITHIN)
				.untilAsserted(() -> assertThat(received(http, "bodies")).contains("from-broker-1", "from-service-1",
						"hold-1"));
			await("the held message in flight at the broker").atMost(WITHIN)
				.until(() -> broker.queue(queue).unacknowledged() == 1);

			HttpResponse<String> freeze = http.post("/actuator/cse/freeze");
			assertThat(freeze.statusCode()).as("POST /actuator/cse/freeze: %s", freeze.body()).isEqualTo(200);
			JsonNode frozen = ServiceHttp.json(freeze);
			assertThat(frozen.path("state").asText()).as(freeze.body()).isEqualTo("FROZEN");
			assertThat(frozen.path("outcome").asText()).as(freeze.body()).isEqualTo("SUCCESS");
			assertThat(frozen.path("steps").findValuesAsText("participant")).as(freeze.body())
				.contains("lifecycle", "rabbitmq");
			await("no connection of the frozen service at the broker").atMost(WITHIN)
				.untilAsserted(() -> assertThat(connections(name)).isEmpty());
			broker.publish(queue, "while-frozen-1");
			await("the message in flight back in the queue with the one published while frozen, and no consumer")
				.atMost(WITHIN)
				.until(() -> broker.queue(queue).equals(new QueueState(queue, 2, 0, 0)));
			await("nothing connecting again while frozen").during(Duration.ofSeconds(1))
				.atMost(WITHIN)
				.until(() -> connections(name).isEmpty());

			HttpResponse<String> thaw = http.post("/actuator/cse/thaw");
			assertThat(thaw.statusCode()).as("POST /actuator/cse/thaw: %s", thaw.body()).isEqualTo(200);
			assertThat(ServiceHttp.json(thaw).path("outcome").asText()).as(thaw.body()).isEqualTo("SUCCESS");
			await("the consumer back, on a new connection").atMost(WITHIN).untilAsserted(() -> {
				assertThat(connections(name)).singleElement()
					.satisfies((connection) -> assertThat(connection.name()).isNotEqualTo(before));
				assertThat(broker.consumerConnections(queue)).hasSize(1);
			});
			assertThat(http.post("/send?body=from-service-2").statusCode()).isEqualTo(200);
			await("every message delivered and acknowledged").atMost(WITHIN).untilAsserted(() -> {
				assertThat(received(http, "bodies")).containsExactlyInAnyOrder("from-broker-1", "from-service-1",
						"hold-1", "hold-1", "while-frozen-1", "from-service-2");
				assertThat(broker.queue(queue)).isEqualTo(new QueueState(queue, 0, 0, 1));
			});
			assertThat(received(http, "redelivered")).as("redelivered after the thaw").containsExactly("hold-1");
			JsonNode status = ServiceHttp.json(http.get("/actuator/cse"));
			assertThat(status.path("state").asText()).isEqualTo("RUNNING");
			assertThat(status.path("participants").findValuesAsText("name")).as("participants in the status")
				.contains("rabbitmq");
		}
	}

	private static void assertRuns(ClientCell cell, ServiceHttp http, ServiceProcess service) {
		JsonNode runtime = ServiceHttp.json(http.get("/runtime"));
		assertThat(runtime.path("springBoot").asText()).as("the service's Spring Boot")
			.isEqualTo(cell.line().version());
		assertThat(runtime.path("java").asText()).as("the service's Java").isEqualTo(cell.jdk().specificationVersion());
		assertThat(runtime.path("springAmqp").asText()).as("the service's Spring AMQP").isEqualTo(SPRING_AMQP);
		FreezeThawCompatibilityTests.assertActive(cell.toString(), cell.line(), http, service);
	}

	/** The connections the broker holds for the named service (its connections carry its name). */
	private static List<ClientConnection> connections(String service) {
		return broker.connections().stream().filter((connection) -> service.equals(connection.clientName())).toList();
	}

	private static List<String> received(ServiceHttp http, String field) {
		List<String> values = new ArrayList<>();
		ServiceHttp.json(http.get("/received")).path(field).forEach((value) -> values.add(value.asText()));
		return values;
	}

}
