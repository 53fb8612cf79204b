package io.cse.kafka;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.cse.CheckpointContext;
import io.cse.CheckpointContext.Operation;
import io.cse.CheckpointContext.Resumption;
import io.cse.CheckpointCoordinator;
import io.cse.InstanceIdentity;
import io.cse.OperationReport;
import io.cse.OperationReport.Outcome;
import io.cse.samples.kafka.KafkaProcess;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link KafkaClientsParticipant} against a real Kafka broker, which says itself
 * which connections and group members it has.
 */
class KafkaClientsParticipantTests {

	private static final CheckpointContext FREEZE = new CheckpointContext(Operation.FREEZE, null,
			new InstanceIdentity(Clock.systemUTC()));

	private static final CheckpointContext THAW = new CheckpointContext(Operation.FREEZE, Resumption.THAW,
			new InstanceIdentity(Clock.systemUTC()));

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

	/**
	 * What Spring Kafka 2.x (Spring Boot 2.7) does, and any line where the lifecycle
	 * participant is switched off: the factory is still running when the pools quiesce.
	 */
	@Test
	void producerFactoryThatTheLifecycleDidNotStopClosesItsProducerAndSendsAgainAfter() throws Exception {
		Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBootstrapServers());
		DefaultKafkaProducerFactory<String, String> producers = new DefaultKafkaProducerFactory<>(config,
				new StringSerializer(), new StringSerializer());
		try (GenericApplicationContext context = new GenericApplicationContext()) {
			context.registerBean("kafkaProducerFactory", DefaultKafkaProducerFactory.class, () -> producers);
			context.refresh();
			KafkaTemplate<String, String> template = new KafkaTemplate<>(producers);
			template.send("participant-tests", "before").get();
			assertThat(broker.countServiceConnections()).isPositive();

			KafkaClientsParticipant participant = new KafkaClientsParticipant(context);
			participant.quiesce(FREEZE);
			await().atMost(Duration.ofSeconds(10))
				.untilAsserted(() -> assertThat(broker.countServiceConnections())
					.as("connections of the producer to the broker after the quiesce")
					.isZero());

			participant.resume(THAW);
			template.send("participant-tests", "after").get();
			assertThat(broker.countServiceConnections()).isPositive();
		}
	}

	/**
	 * A template frozen for a clone while the instance it was made from (the same static
	 * membership configured) keeps running: the clone joins as a member of its own, and
	 * the original stays in the group.
	 */
	@Test
	void cloneJoinsTheGroupWithAStaticMembershipOfItsOwnAndTheOriginalStays() throws Exception {
		String[] arguments = { "--spring.kafka.bootstrap-servers=" + broker.getBootstrapServers(),
				"--spring.kafka.consumer.group-id=billing", "--spring.kafka.consumer.auto-offset-reset=earliest",
				"--spring.kafka.consumer.properties.group.instance.id=billing-1",
				// A consumer closed while its group rebalances waits for its join this long (30 s by default)
				"--spring.kafka.consumer.properties.request.timeout.ms=5000", "--cse.memory.trim-heap=false" };
		try (ConfigurableApplicationContext template = new SpringApplicationBuilder(Billing.class)
			.web(WebApplicationType.NONE)
			.run(arguments)) {
			await().atMost(Duration.ofSeconds(60))
				.untilAsserted(() -> assertThat(staticMembers("billing")).containsExactly("billing-1-0"));
			CheckpointCoordinator templateCoordinator = template.getBean(CheckpointCoordinator.class);
			OperationReport quiesce = templateCoordinator.quiesce(Operation.CLONE);
			assertThat(quiesce.outcome()).as(String.valueOf(quiesce.error())).isEqualTo(Outcome.SUCCESS);
			// A static member does not leave its group when its consumer closes: the broker
			// keeps it (and its partitions) until its session times out or the id joins again

			try (ConfigurableApplicationContext original = new SpringApplicationBuilder(Billing.class)
				.web(WebApplicationType.NONE)
				.run(arguments)) {
				// The original takes its static id over from the quiesced template
				await().atMost(Duration.ofSeconds(60))
					.untilAsserted(() -> assertThat(staticMembers("billing")).containsExactly("billing-1-0"));

				// What a restore of a clone image does: a new identity, then a clone's resume
				templateCoordinator.getIdentity().regenerate("kafka-clone-image");
				String cloneId = templateCoordinator.getIdentity().getInstanceId();
				OperationReport clone = templateCoordinator.resume(Resumption.CLONE, Map.of());
				assertThat(clone.outcome()).as(String.valueOf(clone.error())).isEqualTo(Outcome.SUCCESS);
				await().atMost(Duration.ofSeconds(60))
					.untilAsserted(() -> assertThat(staticMembers("billing"))
						.as("the original and the clone, each under its own static id")
						.containsExactlyInAnyOrder("billing-1-0", "billing-1-" + cloneId + "-0"));
			}
		}
	}

	/**
	 * Return the static ids of a group's members: Spring Kafka appends each consumer's
	 * index in its container ({@code -0}) to the configured one.
	 */
	private static List<String> staticMembers(String groupId) {
		return broker.groupMembers(groupId).stream().map((member) -> member.substring(member.indexOf('/') + 1)).toList();
	}

	@SpringBootConfiguration
	// No database here: JDBC's auto-configuration, where Spring Boot 3 and 4 keep it
	@EnableAutoConfiguration(excludeName = { "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration",
			"org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration" })
	static class Billing {

		@KafkaListener(topics = "invoices")
		void onInvoice(String invoice) {
			// joining the group is all this test needs
		}

	}

}
