package io.cse.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import io.cse.CheckpointCoordinator;
import io.cse.InstanceState;
import io.cse.OperationReport;
import io.cse.OperationReport.Outcome;
import io.cse.samples.kafka.KafkaProcess;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.core.KafkaTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A Spring Kafka service (a {@code @KafkaListener} and a {@code KafkaTemplate}, as Spring
 * Boot configures them) on a real Kafka broker: a freeze takes its consumer out of the
 * group and closes every connection it holds to the broker; after the thaw the consumer is
 * back in the group, reads every record sent while it was frozen, once, and the template
 * sends again. What the broker sees is read from the broker itself.
 */
class KafkaFreezeTests {

	private static final String TOPIC = "orders";

	private static final String GROUP = "order-service";

	private static KafkaProcess broker;

	@BeforeAll
	static void startBroker() throws Exception {
		broker = KafkaProcess.start();
	}

	@AfterAll
	static void stopBroker() {
		if (broker != null) {
			broker.close();
		}
	}

	@Test
	void freezeLeavesTheGroupAndClosesEveryConnectionThenThawComesBackWithNothingLost() throws Exception {
		try (ConfigurableApplicationContext application = new SpringApplicationBuilder(OrderService.class)
			.web(WebApplicationType.NONE)
			.run("--spring.kafka.bootstrap-servers=" + broker.getBootstrapServers(),
					"--spring.kafka.consumer.group-id=" + GROUP, "--spring.kafka.consumer.auto-offset-reset=earliest",
					"--cse.memory.trim-heap=false")) {
			Received received = application.getBean(Received.class);
			@SuppressWarnings("unchecked")
			KafkaTemplate<String, String> template = application.getBean(KafkaTemplate.class);
			template.send(TOPIC, "before").get();
			await().atMost(Duration.ofSeconds(60)).until(() -> received.values().contains("before"));
			assertThat(broker.groupMembers(GROUP)).hasSize(1);
			assertThat(broker.countServiceConnections()).isPositive();

			CheckpointCoordinator coordinator = application.getBean(CheckpointCoordinator.class);
			OperationReport freeze = coordinator.freeze();
			assertThat(freeze.outcome()).as(String.valueOf(freeze.error())).isEqualTo(Outcome.SUCCESS);
			assertThat(broker.groupMembers(GROUP)).as("members of the group while frozen").isEmpty();
			// The broker closes its side of a socket as soon as it reads the client's close
			await().atMost(Duration.ofSeconds(10))
				.untilAsserted(() -> assertThat(broker.countServiceConnections())
					.as("connections of the service to the broker while frozen")
					.isZero());
			List<String> sentWhileFrozen = sendFromOutside("frozen-1", "frozen-2", "frozen-3");

			OperationReport thaw = coordinator.thaw(Map.of());
			assertThat(thaw.outcome()).as(String.valueOf(thaw.error())).isEqualTo(Outcome.SUCCESS);
			assertThat(coordinator.getState()).isEqualTo(InstanceState.RUNNING);
			template.send(TOPIC, "after").get();
			await().atMost(Duration.ofSeconds(60)).until(() -> received.values().contains("after"));
			assertThat(broker.groupMembers(GROUP)).hasSize(1);
			List<String> expected = new ArrayList<>(List.of("before", "after"));
			expected.addAll(sentWhileFrozen);
			assertThat(received.values()).as("each record read once").containsExactlyInAnyOrderElementsOf(expected);
		}
	}

	private static List<String> sendFromOutside(String... values) throws Exception {
		Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getAdminBootstrapServers());
		try (KafkaProducer<String, String> producer = new KafkaProducer<>(config, new StringSerializer(),
				new StringSerializer())) {
			for (String value : values) {
				producer.send(new ProducerRecord<>(TOPIC, value)).get();
			}
		}
		return List.of(values);
	}

	@SpringBootConfiguration
	// No database here: JDBC's auto-configuration, where Spring Boot 3 and 4 keep it
	@EnableAutoConfiguration(excludeName = { "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration",
			"org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration" })
	static class OrderService {

		@Bean
		Received received() {
			return new Received();
		}

	}

	static class Received {

		private final List<String> values = Collections.synchronizedList(new ArrayList<>());

		@KafkaListener(topics = TOPIC)
		void onOrder(String value) {
			this.values.add(value);
		}

		List<String> values() {
			synchronized (this.values) {
				return new ArrayList<>(this.values);
			}
		}

	}

}
