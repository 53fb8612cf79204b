package io.cse.samples.orders;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.dao.EmptyResultDataAccessException;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestTemplate;

/**
 * Orders: each one is priced by the pricing service (outbound HTTP), stored in PostgreSQL
 * (the Druid pool), cached in Redis, announced on Kafka and logged.
 */
@RestController
class OrderController {

	private static final Logger logger = LoggerFactory.getLogger(OrderController.class);

	private final JdbcTemplate jdbcTemplate;

	private final OrderCache cache;

	private final KafkaTemplate<String, String> kafkaTemplate;

	private final RestTemplate pricing;

	private final String pricingUrl;

	private final String topic;

	OrderController(JdbcTemplate jdbcTemplate, OrderCache cache, KafkaTemplate<String, String> kafkaTemplate,
			RestTemplate pricingRestTemplate, @Value("${orders.pricing-url}") String pricingUrl,
			@Value("${orders.topic}") String topic) {
		this.jdbcTemplate = jdbcTemplate;
		this.cache = cache;
		this.kafkaTemplate = kafkaTemplate;
		this.pricing = pricingRestTemplate;
		this.pricingUrl = pricingUrl;
		this.topic = topic;
	}

	/**
	 * Take an order. A client that sends the same request again, because it got no answer,
	 * gives the same {@code requestId}: the order is taken once, and answered to both.
	 */
	@PostMapping("/orders")
	Map<String, Object> create(@RequestParam String item, @RequestParam(required = false) String requestId)
			throws InterruptedException, ExecutionException {
		String request = (requestId != null) ? requestId : UUID.randomUUID().toString();
		Integer price = this.pricing.getForObject(this.pricingUrl + "/price?item={item}", Integer.class, item);
		List<Long> taken = this.jdbcTemplate.queryForList(
				"insert into orders (request_id, item, price) values (?, ?, ?) on conflict (request_id) do nothing returning id",
				Long.class, request, item, price);
		if (taken.isEmpty()) {
			logger.info("Order request {} was taken already", request);
			return this.jdbcTemplate.queryForMap("select id, item, price, status from orders where request_id = ?",
					request);
		}
		long id = taken.get(0);
		Map<String, Object> order = Map.of("id", id, "item", item, "price", price, "status", "NEW");
		this.cache.put(order);
		// Waits for the broker's acknowledgement: an order is only answered once announced
		this.kafkaTemplate.send(this.topic, Long.toString(id), "created " + item).get();
		logger.info("Order {} created: {} at {}", id, item, price);
		return order;
	}

	@GetMapping("/orders/{id}")
	ResponseEntity<Map<String, Object>> find(@PathVariable long id) {
		Map<String, Object> cached = this.cache.get(id);
		if (cached != null) {
			return ResponseEntity.ok(cached);
		}
		try {
			Map<String, Object> order = this.jdbcTemplate.queryForMap("select id, item, price, status from orders where id = ?",
					id);
			this.cache.put(order);
			return ResponseEntity.ok(order);
		}
		catch (EmptyResultDataAccessException ex) {
			return ResponseEntity.notFound().build();
		}
	}

}
