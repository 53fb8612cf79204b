package io.cse.amqp;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.cse.CheckpointContext;
import io.cse.CheckpointParticipant;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.context.Lifecycle;

/**
 * Closes the connections of Spring AMQP's RabbitMQ connection factories, so that a frozen
 * instance holds no connection to the broker and a snapshot carries none; the factories
 * open new ones on their next use after the instance resumes.
 * <p>
 * Since Spring AMQP 3 (Spring Boot 3), the connection factories are {@link Lifecycle}
 * beans of the last phase: the lifecycle participant stops the listener containers, then
 * the factories, which closes their connections. This participant leaves those alone.
 * Spring AMQP 2 (Spring Boot 2.7) stops only the listener containers: their consumers
 * are cancelled, and messages delivered and not yet acknowledged go back to the queue,
 * but the factory's shared connection stays open. This participant closes it, once
 * nothing uses it: it comes after the lifecycle participant (listener containers), the
 * executors and the traffic gate.
 * <p>
 * Nothing needs to be done on resume: a factory connects again when it is next asked for
 * a connection, by a {@code RabbitTemplate} or by a listener container, which the
 * lifecycle participant starts afterwards.
 */
public class RabbitConnectionFactoryParticipant implements CheckpointParticipant {

	private static final Log logger = LogFactory.getLog(RabbitConnectionFactoryParticipant.class);

	private final ListableBeanFactory beanFactory;

	/**
	 * Create a participant for the connection factories that are beans of the given
	 * factory.
	 * @param beanFactory the factory to find connection factories in
	 */
	public RabbitConnectionFactoryParticipant(ListableBeanFactory beanFactory) {
		this.beanFactory = beanFactory;
	}

	@Override
	public String getName() {
		return "rabbitmq";
	}

	@Override
	public int getOrder() {
		return POOL_ORDER;
	}

	@Override
	public void quiesce(CheckpointContext context) {
		Map<String, ConnectionFactory> factories = this.beanFactory.getBeansOfType(ConnectionFactory.class, false, false);
		List<String> reset = new ArrayList<>();
		for (Map.Entry<String, ConnectionFactory> entry : factories.entrySet()) {
			ConnectionFactory factory = entry.getValue();
			if (factory instanceof Lifecycle && !((Lifecycle) factory).isRunning()) {
				// Stopped as a Lifecycle bean (Spring AMQP 3 and later): its connections are closed
				continue;
			}
			// Closes the factory's connections with their cached channels, and those of the
			// separate publisher factory a CachingConnectionFactory may have.
			factory.resetConnection();
			reset.add(entry.getKey());
		}
		if (logger.isDebugEnabled() && !reset.isEmpty()) {
			logger.debug("Closed the connections of RabbitMQ connection factories " + reset);
		}
	}

	@Override
	public void resume(CheckpointContext context) {
		// The factories connect again on demand
	}

}
