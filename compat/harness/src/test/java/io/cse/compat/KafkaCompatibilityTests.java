package io.cse.compat;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.cse.samples.kafka.KafkaProcess;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every Kafka cell, as a user of Spring Boot 2.7 sees it: the Kafka service (a
 * {@code @KafkaListener} and a {@code KafkaTemplate}, Spring Kafka 2.8 on kafka-clients
 * 3.1), started with {@code java -jar} on the cell's JDK, on one real broker. After
 * {@code POST /actuator/cse/freeze} its consumer is no member of its group and the broker
 * holds no connection of it (Spring Kafka 2.8's producer factory is no lifecycle bean: the
 * starter's Kafka participant closes its producer); after {@code POST /actuator/cse/thaw}
 * the consumer is back and reads every record sent while it was frozen, each once, and the
 * service sends again. Everything is read from the broker.
 */
@Timeout(240)
class KafkaCompatibilityTests {

	private static KafkaProcess broker;

	static List<ClientCell> cells() {
		return ClientCell.selected(ClientCell.KAFKA);
	}

	@BeforeAll
	static void startBroker() throws Exception {
		if (!cells().isEmpty()) {
			broker = KafkaProcess.start();
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
	void leavesTheGroupAndTheBrokerWhileFrozenAndLosesNoRecord(ClientCell cell) throws Exception {
		// Each cell its own topic and group, on the one broker
		String name = cell.id();
		List<String> arguments = new ArrayList<>(List.of("--spring.kafka.bootstrap-servers=" + broker.getBootstrapServers(),
				"--spring.kafka.consumer.group-id=" + name, "--orders.topic=" + name));
		arguments.addAll(cell.line().endpointSwitch());
		try (ServiceProcess service = ServiceProcess.launch(cell.jar(), cell.toString(), cell.jdk(),
				SuiteDatabase.logs().resolve(name + ".log"), arguments)) {
			ServiceHttp http = service.http();
			FreezeThawCompatibilityTests.awaitHealthy(service, cell.toString());
			JsonNode runtime = ServiceHttp.json(http.get("/runtime"));
			assertThat(runtime.path("springBoot").asText()).as("the service's Spring Boot")
				.isEqualTo(cell.line().version());
			assertThat(runtime.path("java").asText()).as("the service's Java").isEqualTo(cell.jdk().specificationVersion());
			FreezeThawCompatibilityTests.assertActive(cell.toString(), cell.line(), http, service);

			send(http, "before");
			awaitReceived(http, "before");
			assertThat(broker.groupMembers(name)).as("members of group %s", name).hasSize(1);
			assertThat(broker.countServiceConnections(service.pid())).as("the service's connections to the broker").isPositive();

			HttpResponse<String> freeze = http.post("/actuator/cse/freeze");
			assertThat(freeze.statusCode()).as("POST /actuator/cse/freeze: %s", freeze.body()).isEqualTo(200);
			JsonNode frozen = ServiceHttp.json(freeze);
			assertThat(frozen.path("outcome").asText()).as(freeze.body()).isEqualTo("SUCCESS");
			assertThat(frozen.path("steps").findValuesAsText("participant")).as(freeze.body())
				.contains("lifecycle", "kafka");
			assertThat(broker.groupMembers(name)).as("members of group %s while frozen", name).isEmpty();
			await("no connection of the frozen service to the broker").atMost(Duration.ofSeconds(10))
				.untilAsserted(() -> assertThat(broker.countServiceConnections(service.pid())).isZero());
			List<String> sentWhileFrozen = List.of("frozen-1", "frozen-2", "frozen-3");
			sendFromOutside(name, sentWhileFrozen);

			HttpResponse<String> thaw = http.post("/actuator/cse/thaw");
			assertThat(thaw.statusCode()).as("POST /actuator/cse/thaw: %s", thaw.body()).isEqualTo(200);
			assertThat(ServiceHttp.json(thaw).path("outcome").asText()).as(thaw.body()).isEqualTo("SUCCESS");
			send(http, "after");
			awaitReceived(http, "after");
			assertThat(broker.groupMembers(name)).as("members of group %s after the thaw", name).hasSize(1);
			List<String> expected = new ArrayList<>(List.of("before", "after"));
			expected.addAll(sentWhileFrozen);
			assertThat(received(http)).as("each record read once").containsExactlyInAnyOrderElementsOf(expected);
		}
	}

	private static void send(ServiceHttp http, String value) {
		HttpResponse<String> sent = http.post("/send?value=" + value);
		assertThat(sent.statusCode()).as("POST /send: %s", sent.body()).isEqualTo(200);
	}

	private static void awaitReceived(ServiceHttp http, String value) {
		await("the service's listener reading '" + value + "'").atMost(Duration.ofSeconds(60))
			.until(() -> received(http).contains(value));
	}

	private static List<String> received(ServiceHttp http) {
		List<String> values = new ArrayList<>();
		ServiceHttp.json(http.get("/received")).forEach((value) -> values.add(value.asText()));
		return values;
	}

	private static void sendFromOutside(String topic, List<String> values) throws Exception {
		Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getAdminBootstrapServers());
		try (KafkaProducer<String, String> producer = new KafkaProducer<>(config, new StringSerializer(),
				new StringSerializer())) {
			for (String value : values) {
				producer.send(new ProducerRecord<>(topic, value)).get();
			}
		}
	}

}
