package io.cse.samples.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A broker started by {@link KafkaProcess} serves clients, and its view of them (group
 * members, connections on the service's listener) follows what they do.
 */
class KafkaProcessTests {

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
	void brokerSeesTheClientsOfTheServiceListenerComeAndGo() {
		assertThat(broker.countServiceConnections()).isZero();
		Map<String, Object> producerConfig = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
				broker.getBootstrapServers());
		try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig, new StringSerializer(),
				new StringSerializer())) {
			producer.send(new ProducerRecord<>("process-tests", "hello")).get();
			assertThat(broker.countServiceConnections()).isPositive();
			assertThat(broker.countServiceConnections(ProcessHandle.current().pid()))
				.isEqualTo(broker.countServiceConnections());
			assertThat(broker.countServiceConnections(ProcessHandle.current().parent().orElseThrow().pid())).isZero();
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
		await().atMost(Duration.ofSeconds(10)).until(() -> broker.countServiceConnections() == 0);
		Properties consumerConfig = new Properties();
		consumerConfig.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBootstrapServers());
		consumerConfig.put(ConsumerConfig.GROUP_ID_CONFIG, "process-tests");
		consumerConfig.put(ConsumerConfig.CLIENT_ID_CONFIG, "reader");
		consumerConfig.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
		try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig, new StringDeserializer(),
				new StringDeserializer())) {
			consumer.subscribe(List.of("process-tests"));
			await().atMost(Duration.ofSeconds(30)).until(() -> !consumer.poll(Duration.ofMillis(200)).isEmpty());
			assertThat(broker.groupMembers("process-tests")).containsExactly("reader");
		}
		await().atMost(Duration.ofSeconds(10)).until(() -> broker.groupMembers("process-tests").isEmpty());
		await().atMost(Duration.ofSeconds(10)).until(() -> broker.countServiceConnections() == 0);
	}

}
