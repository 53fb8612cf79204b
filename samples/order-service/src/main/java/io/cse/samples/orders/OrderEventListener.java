package io.cse.samples.orders;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Order events from Kafka: every record read is a row, so that one read twice would show.
 */
@Component
class OrderEventListener {

	private final JdbcTemplate jdbcTemplate;

	OrderEventListener(JdbcTemplate jdbcTemplate) {
		this.jdbcTemplate = jdbcTemplate;
	}

	@KafkaListener(topics = "${orders.topic}")
	void read(ConsumerRecord<String, String> event) {
		this.jdbcTemplate.update("insert into order_events (event_key, payload) values (?, ?)", event.key(),
				event.value());
	}

}
