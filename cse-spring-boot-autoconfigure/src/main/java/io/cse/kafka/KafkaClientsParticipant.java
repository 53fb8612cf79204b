package io.cse.kafka;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

import io.cse.CheckpointContext;
import io.cse.CheckpointParticipant;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.kafka.clients.consumer.ConsumerConfig;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.context.Lifecycle;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;

/**
 * Closes the producers of Spring Kafka's producer factories, so that a frozen instance holds
 * no connection to a Kafka broker and a snapshot carries none; the factories create new
 * producers on the next send. Gives a clone a static group membership of its own.
 * <p>
 * Listener containers need nothing here: they are {@code SmartLifecycle} beans on every
 * Spring Kafka line, which the lifecycle participant stops (their consumers commit and
 * leave the group) and starts again. Producer factories are lifecycle beans only from
 * Spring Kafka 3.0 on (Spring Boot 3); before (Spring Boot 2.7's Spring Kafka 2.8 and
 * 2.9), a factory keeps its shared producer, and the producer its connections, until the
 * context closes. This participant resets every factory that the lifecycle did not stop.
 * <p>
 * A consumer with a static membership ({@code group.instance.id}) is the one member of its
 * group under that id: a clone that joined with its template's id would fence the
 * original out of the group. On a clone's first resume, before the listener containers
 * start again, each consumer factory's {@code group.instance.id} gets the clone's instance
 * id appended. Dynamic members (the default) need nothing: the broker gives every consumer
 * that joins a member id of its own.
 */
public class KafkaClientsParticipant implements CheckpointParticipant {

	private static final Log logger = LogFactory.getLog(KafkaClientsParticipant.class);

	private final ListableBeanFactory beanFactory;

	/** The static ids the consumer factories were configured with, by bean name. */
	private final Map<String, String> configuredInstanceIds = new HashMap<>();

	/**
	 * Create a participant for the Kafka factories that are beans of the given factory.
	 * @param beanFactory the factory to find producer and consumer factories in
	 */
	public KafkaClientsParticipant(ListableBeanFactory beanFactory) {
		this.beanFactory = beanFactory;
	}

	@Override
	public String getName() {
		return "kafka";
	}

	@Override
	public int getOrder() {
		return POOL_ORDER;
	}

	@Override
	public void quiesce(CheckpointContext context) {
		this.beanFactory.getBeansOfType(DefaultKafkaProducerFactory.class, false, false).forEach((name, factory) -> {
			if (factory instanceof Lifecycle && !((Lifecycle) factory).isRunning()) {
				return; // stopped by the lifecycle participant: its producers are closed
			}
			logger.debug("Closing the producers of Kafka producer factory '" + name + "'");
			factory.reset();
		});
		this.beanFactory.getBeansOfType(DefaultKafkaConsumerFactory.class, false, false).forEach((name, factory) -> {
			Object instanceId = factory.getConfigurationProperties().get(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
			if (instanceId != null) {
				this.configuredInstanceIds.putIfAbsent(name, instanceId.toString());
			}
		});
	}

	@Override
	public void resume(CheckpointContext context) {
		if (!context.isClone() || this.configuredInstanceIds.isEmpty()) {
			return;
		}
		String suffix = "-" + context.identity().getInstanceId();
		Map<String, DefaultKafkaConsumerFactory> factories = this.beanFactory
			.getBeansOfType(DefaultKafkaConsumerFactory.class, false, false);
		this.configuredInstanceIds.forEach((name, configured) -> {
			DefaultKafkaConsumerFactory<?, ?> factory = factories.get(name);
			if (factory != null) {
				String own = configured + suffix;
				logger.info("Kafka consumer factory '" + name + "': a clone's static group membership is '" + own
						+ "' (configured: '" + configured + "'), not to fence the instance it was cloned from");
				factory.updateConfigs(Collections.singletonMap(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, own));
			}
		});
	}

}
