package example.kafka;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.common.utils.AppInfoParser;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootVersion;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The compatibility suite's Kafka service: sends a record on {@code POST /send}, and lists
 * the records its listener has read on {@code GET /received}, in the order it read them
 * (a record read twice is listed twice).
 */
@SpringBootApplication
@RestController
public class KafkaService {

	private final KafkaTemplate<String, String> template;

	private final String topic;

	private final List<String> received = Collections.synchronizedList(new ArrayList<>());

	public KafkaService(KafkaTemplate<String, String> template, @Value("${orders.topic}") String topic) {
		this.template = template;
		this.topic = topic;
	}

	public static void main(String[] args) {
		SpringApplication.run(KafkaService.class, args);
	}

	@KafkaListener(topics = "${orders.topic}")
	void onOrder(String order) {
		this.received.add(order);
	}

	@PostMapping("/send")
	String send(@RequestParam String value) throws Exception {
		this.template.send(this.topic, value).get(30, TimeUnit.SECONDS);
		return value;
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
		runtime.put("springKafka", KafkaTemplate.class.getPackage().getImplementationVersion());
		runtime.put("kafkaClients", AppInfoParser.getVersion());
		return runtime;
	}

}
