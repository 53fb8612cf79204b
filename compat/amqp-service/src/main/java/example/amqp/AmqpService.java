package example.amqp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.rabbitmq.client.Channel;

import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.amqp.rabbit.connection.ConnectionNameStrategy;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootVersion;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * A small service with a RabbitMQ listener and a {@code RabbitTemplate}, as any Spring Boot
 * line from 2.7 on builds it with the CSE starter as its one CSE dependency.
 * <p>
 * The listener acknowledges every message of its queue ({@code compat.queue}), except the first delivery of one
 * whose text starts with {@code hold}: that one stays in flight (delivered, not
 * acknowledged) until the broker delivers it again. {@code GET /received} lists what it
 * received, {@code POST /send?body=...} sends through the template, and
 * {@code GET /runtime} says which Spring Boot, Java and Spring AMQP serve it. Its
 * connections carry its application name, so that a broker shared by several services
 * tells them apart.
 * <p>
 * The source is shared by every line that builds it: Java 8 syntax, and no servlet type.
 * In a package of its own, so that nothing named {@code io.cse} is the service's.
 */
@SpringBootApplication
@RestController
public class AmqpService {

	private final List<String> bodies = new ArrayList<>();

	private final List<String> redelivered = new ArrayList<>();

	private final RabbitTemplate template;

	private final String queue;

	public AmqpService(RabbitTemplate template, @Value("${compat.queue}") String queue) {
		this.template = template;
		this.queue = queue;
	}

	// Static: the service itself needs the template, which needs the connection factory
	@Bean
	static Queue ordersQueue(@Value("${compat.queue}") String queue) {
		return new Queue(queue);
	}

	@Bean
	static ConnectionNameStrategy connectionNameStrategy(@Value("${spring.application.name}") String name) {
		return (factory) -> name;
	}

	@RabbitListener(queues = "${compat.queue}", ackMode = "MANUAL")
	void receive(Message message, Channel channel) throws IOException {
		String body = new String(message.getBody(), StandardCharsets.UTF_8);
		boolean again = Boolean.TRUE.equals(message.getMessageProperties().getRedelivered());
		synchronized (this.bodies) {
			this.bodies.add(body);
			if (again) {
				this.redelivered.add(body);
			}
		}
		if (!body.startsWith("hold") || again) {
			channel.basicAck(message.getMessageProperties().getDeliveryTag(), false);
		}
	}

	@GetMapping("/received")
	Map<String, List<String>> received() {
		Map<String, List<String>> received = new LinkedHashMap<>();
		synchronized (this.bodies) {
			received.put("bodies", new ArrayList<>(this.bodies));
			received.put("redelivered", new ArrayList<>(this.redelivered));
		}
		return received;
	}

	@PostMapping("/send")
	String send(@RequestParam String body) {
		this.template.convertAndSend(this.queue, body);
		return body;
	}

	@GetMapping("/runtime")
	Map<String, String> runtime() {
		Map<String, String> runtime = new LinkedHashMap<>();
		runtime.put("springBoot", SpringBootVersion.getVersion());
		runtime.put("java", System.getProperty("java.specification.version"));
		runtime.put("springAmqp", RabbitTemplate.class.getPackage().getImplementationVersion());
		return runtime;
	}

	public static void main(String[] args) {
		SpringApplication.run(AmqpService.class, args);
	}

}
