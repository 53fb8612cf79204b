package io.cse.amqp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import com.rabbitmq.client.Channel;
import io.cse.CheckpointCoordinator;
import io.cse.OperationReport;
import io.cse.OperationReport.Outcome;
import io.cse.ParticipantStatus;
import io.cse.samples.rabbitmq.RabbitMqBroker;
import io.cse.samples.rabbitmq.RabbitMqBroker.QueueState;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A Spring Boot service with a RabbitMQ listener and a {@code RabbitTemplate} against a
 * real RabbitMQ broker, which says itself which connections and consumers the service
 * holds and which messages wait or are in flight.
 * <p>
 * Spring AMQP 3 and 4 (Spring Boot 3.5 and 4.0) close their connections through Spring's
 * lifecycle: the freeze stops the listener container, then the connection factory, and
 * the participant has nothing left to do. Spring AMQP 2 (Spring Boot 2.7) stops only the
 * container; its case is reproduced here by leaving the factory out of the lifecycle
 * participant ({@code cse.lifecycle.excluded-beans}), and is run on Spring Boot 2.7
 * itself by the compatibility suite.
 */
class RabbitConnectionFactoryParticipantTests {

	static final String QUEUE = "cse.orders";

	// The broker's statistics (consumers, connections) are refreshed every 500 ms, but an
	// Erlang broker on two busy cores once took longer than 5 s to show a cancelled consumer
	private static final Duration WITHIN = Duration.ofSeconds(20);

	private static RabbitMqBroker broker;

	private ConfigurableApplicationContext application;

	@BeforeAll
	static void startBroker() throws IOException {
		broker = RabbitMqBroker.startForTests();
	}

	@AfterAll
	static void stopBroker() {
		if (broker != null) {
			broker.close();
		}
	}

	@AfterEach
	void stopService() {
		if (this.application != null) {
			this.application.close();
		}
	}

	@Test
	void lifecycleClosesTheConnectionAndTheConsumerComesBackWithNoMessageLost() throws Exception {
		start();
		freezeAndThaw(false);
	}

	@Test
	void participantClosesAConnectionFactoryThatTheLifecycleLeavesOpen() throws Exception {
		// What Spring AMQP 2 does: its connection factory is no Lifecycle bean
		start("--cse.lifecycle.excluded-beans=rabbitConnectionFactory");
		freezeAndThaw(true);
	}

	@Test
	void withoutTheParticipantSuchAConnectionStaysOpen() throws Exception {
		start("--cse.lifecycle.excluded-beans=rabbitConnectionFactory", "--cse.rabbitmq.enabled=false");
		String connection = awaitServing();
		OperationReport freeze = coordinator().freeze();
		assertThat(freeze.outcome()).as("%s", freeze).isEqualTo(Outcome.SUCCESS);
		// The listener container stopped; the connection it shared with the template did not
		await("the consumer cancelled").atMost(WITHIN).until(() -> broker.queue(QUEUE).consumers() == 0);
		await("the connection staying open").during(Duration.ofSeconds(1))
			.atMost(WITHIN)
			.untilAsserted(() -> assertThat(connectionNames()).containsExactly(connection));
		assertThat(coordinator().thaw(Map.of()).outcome()).isEqualTo(Outcome.SUCCESS);
	}

	private void freezeAndThaw(boolean participantCloses) throws Exception {
		String before = awaitServing();
		Received received = this.application.getBean(Received.class);
		RabbitTemplate template = this.application.getBean(RabbitTemplate.class);

		broker.publish(QUEUE, "from-broker-1");
		template.convertAndSend(QUEUE, "from-service-1");
		// The listener leaves this one unacknowledged: in flight when the service freezes
		broker.publish(QUEUE, "hold-1");
		await("three deliveries").atMost(WITHIN)
			.untilAsserted(() -> assertThat(received.bodies()).contains("from-broker-1", "from-service-1", "hold-1"));
		await("the held message in flight at the broker").atMost(WITHIN)
			.until(() -> broker.queue(QUEUE).unacknowledged() == 1);

		OperationReport freeze = coordinator().freeze();
		assertThat(freeze.outcome()).as("%s", freeze).isEqualTo(Outcome.SUCCESS);
		assertThat(steps(freeze)).contains("lifecycle", "rabbitmq");
		await("no connection of the frozen service at the broker").atMost(WITHIN)
			.untilAsserted(() -> assertThat(broker.connections()).isEmpty());
		// The message in flight went back to the queue; one more arrives while frozen
		broker.publish(QUEUE, "while-frozen-1");
		await("both messages waiting in the queue, with no consumer").atMost(WITHIN)
			.until(() -> broker.queue(QUEUE).equals(new QueueState(QUEUE, 2, 0, 0)));
		await("nothing connecting again while frozen").during(Duration.ofSeconds(1))
			.atMost(WITHIN)
			.until(() -> broker.connections().isEmpty() && !received.bodies().contains("while-frozen-1"));
		assertThat(this.application.getBean(CachingConnectionFactory.class).isRunning())
			.as("the connection factory stopped by the lifecycle")
			.isEqualTo(participantCloses);

		OperationReport thaw = coordinator().thaw(Map.of());
		assertThat(thaw.outcome()).as("%s", thaw).isEqualTo(Outcome.SUCCESS);
		await("the consumer back, on a new connection").atMost(WITHIN).untilAsserted(() -> {
			assertThat(broker.consumerConnections(QUEUE)).singleElement().isNotEqualTo(before);
			assertThat(connectionNames()).hasSize(1);
		});
		template.convertAndSend(QUEUE, "from-service-2");
		await("every message delivered and acknowledged").atMost(WITHIN).untilAsserted(() -> {
			assertThat(received.bodies()).containsExactlyInAnyOrder("from-broker-1", "from-service-1", "hold-1",
					"hold-1", "while-frozen-1", "from-service-2");
			assertThat(broker.queue(QUEUE)).isEqualTo(new QueueState(QUEUE, 0, 0, 1));
		});
		assertThat(received.redelivered()).as("redelivered after the thaw").containsExactly("hold-1");

		List<String> participants = coordinator().getParticipants().stream().map(ParticipantStatus::name).toList();
		assertThat(participants).contains("rabbitmq");
		assertThat(this.application.getBean(MeterRegistry.class)
			.find("cse.participants")
			.tags("participant", "rabbitmq", "phase", "quiesce")
			.timer()).as("the participant's quiesce timer").isNotNull();
	}

	private void start(String... arguments) {
		String[] all = new String[arguments.length + 3];
		all[0] = "--spring.rabbitmq.host=" + broker.getHost();
		all[1] = "--spring.rabbitmq.port=" + broker.getAmqpPort();
		all[2] = "--cse.memory.trim-heap=false";
		System.arraycopy(arguments, 0, all, 3, arguments.length);
		this.application = new SpringApplicationBuilder(OrdersApplication.class).web(WebApplicationType.NONE).run(all);
	}

	/** Waits until the service consumes the queue, and returns its one connection's name. */
	private String awaitServing() {
		await("the service's consumer at the broker").atMost(WITHIN)
			.untilAsserted(() -> assertThat(broker.consumerConnections(QUEUE)).hasSize(1));
		assertThat(connectionNames()).as("the service's connections").hasSize(1);
		return connectionNames().get(0);
	}

	private static List<String> connectionNames() {
		return broker.connections().stream().map(RabbitMqBroker.ClientConnection::name).toList();
	}

	private CheckpointCoordinator coordinator() {
		return this.application.getBean(CheckpointCoordinator.class);
	}

	private static List<String> steps(OperationReport report) {
		return report.steps().stream().map(OperationReport.Step::participant).toList();
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration(excludeName = {
			// No database here: Spring Boot 3 and Spring Boot 4 names.
			"org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration",
			"org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration" })
	static class OrdersApplication {

		@Bean
		org.springframework.amqp.core.Queue ordersQueue() {
			return new org.springframework.amqp.core.Queue(QUEUE);
		}

		@Bean
		Received received() {
			return new Received();
		}

		@Bean
		OrdersListener ordersListener(Received received) {
			return new OrdersListener(received);
		}

	}

	/**
	 * Acknowledges every message it receives, except the first delivery of one whose text
	 * starts with {@code hold}: that one stays in flight until the broker delivers it again.
	 */
	static class OrdersListener {

		private final Received received;

		OrdersListener(Received received) {
			this.received = received;
		}

		@RabbitListener(queues = QUEUE, ackMode = "MANUAL")
		void receive(Message message, Channel channel) throws IOException {
			String body = new String(message.getBody(), StandardCharsets.UTF_8);
			boolean redelivered = Boolean.TRUE.equals(message.getMessageProperties().getRedelivered());
			this.received.add(body, redelivered);
			if (!body.startsWith("hold") || redelivered) {
				channel.basicAck(message.getMessageProperties().getDeliveryTag(), false);
			}
		}

	}

	/** What the listener received, in order. */
	static class Received {

		private final Queue<String> bodies = new ConcurrentLinkedQueue<>();

		private final Queue<String> redelivered = new ConcurrentLinkedQueue<>();

		void add(String body, boolean redelivered) {
			this.bodies.add(body);
			if (redelivered) {
				this.redelivered.add(body);
			}
		}

		List<String> bodies() {
			return List.copyOf(this.bodies);
		}

		List<String> redelivered() {
			return List.copyOf(this.redelivered);
		}

	}

}
