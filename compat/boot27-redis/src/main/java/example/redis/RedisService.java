package example.redis;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootVersion;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * A small service on Spring Data Redis, as a Spring Boot 2.7 user builds it with the CSE
 * starter as its one CSE dependency: {@code POST} and {@code GET /orders/{id}} go through
 * a {@link StringRedisTemplate}, and a {@link RedisMessageListenerContainer} keeps what is
 * published on the channel {@code orders.channel} names, which {@code GET /received} lists.
 * {@code GET /runtime} says which Spring Boot, Java and Redis connection factory serve it.
 * <p>
 * In a package of its own, so that nothing named {@code io.cse} is the service's.
 */
@SpringBootApplication
@RestController
public class RedisService {

	private final List<String> received = new ArrayList<>();

	private final StringRedisTemplate template;

	private final RedisConnectionFactory connectionFactory;

	RedisService(StringRedisTemplate template, RedisConnectionFactory connectionFactory) {
		this.template = template;
		this.connectionFactory = connectionFactory;
	}

	@Bean
	RedisMessageListenerContainer ordersListener(RedisConnectionFactory connectionFactory,
			@Value("${orders.channel}") String channel) {
		RedisMessageListenerContainer container = new RedisMessageListenerContainer();
		container.setConnectionFactory(connectionFactory);
		container.addMessageListener((message, pattern) -> {
			synchronized (this.received) {
				this.received.add(new String(message.getBody(), StandardCharsets.UTF_8));
			}
		}, new ChannelTopic(channel));
		return container;
	}

	@PostMapping("/orders/{id}")
	void put(@PathVariable String id, @RequestBody String status) {
		this.template.opsForValue().set("order:" + id, status);
	}

	@GetMapping("/orders/{id}")
	String get(@PathVariable String id) {
		return this.template.opsForValue().get("order:" + id);
	}

	@GetMapping("/received")
	List<String> received() {
		synchronized (this.received) {
			return new ArrayList<>(this.received);
		}
	}

	@GetMapping("/runtime")
	Map<String, String> runtime() {
		Map<String, String> runtime = new LinkedHashMap<>();
		runtime.put("springBoot", SpringBootVersion.getVersion());
		runtime.put("java", System.getProperty("java.specification.version"));
		runtime.put("connectionFactory", this.connectionFactory.getClass().getSimpleName());
		return runtime;
	}

	public static void main(String[] args) {
		SpringApplication.run(RedisService.class, args);
	}

}
