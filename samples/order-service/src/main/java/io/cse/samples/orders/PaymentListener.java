package io.cse.samples.orders;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.amqp.rabbit.annotation.Queue;
import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Payments from RabbitMQ, {@code <payment id>:<order id>}: the order is paid, and every
 * payment read is a row, so that one read twice would show.
 */
@Component
class PaymentListener {

	private static final Logger logger = LoggerFactory.getLogger(PaymentListener.class);

	private final JdbcTemplate jdbcTemplate;

	private final OrderCache cache;

	PaymentListener(JdbcTemplate jdbcTemplate, OrderCache cache) {
		this.jdbcTemplate = jdbcTemplate;
		this.cache = cache;
	}

	@RabbitListener(queuesToDeclare = @Queue("${orders.payments-queue}"))
	void paid(String payment) {
		String[] parts = payment.split(":");
		long orderId = Long.parseLong(parts[1]);
		this.jdbcTemplate.update("insert into payments (payment_id, order_id) values (?, ?)", parts[0], orderId);
		this.jdbcTemplate.update("update orders set status = 'PAID' where id = ?", orderId);
		this.cache.evict(orderId);
		logger.info("Payment {} of order {} read", parts[0], orderId);
	}

}
