package io.cse.samples.orders;

import java.util.HashMap;
import java.util.Map;

import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * Orders cached in Redis as hashes, {@code order:<id>}, with a field telling that they came
 * from the cache.
 */
@Component
class OrderCache {

	private final StringRedisTemplate redis;

	OrderCache(StringRedisTemplate redis) {
		this.redis = redis;
	}

	void put(Map<String, Object> order) {
		Map<String, String> fields = new HashMap<>();
		order.forEach((name, value) -> fields.put(name, String.valueOf(value)));
		this.redis.opsForHash().putAll(key(order.get("id")), fields);
	}

	Map<String, Object> get(long id) {
		Map<Object, Object> fields = this.redis.opsForHash().entries(key(id));
		if (fields.isEmpty()) {
			return null;
		}
		Map<String, Object> order = new HashMap<>();
		fields.forEach((name, value) -> order.put((String) name, value));
		order.put("cached", true);
		return order;
	}

	void evict(long id) {
		this.redis.delete(key(id));
	}

	private static String key(Object id) {
		return "order:" + id;
	}

}
