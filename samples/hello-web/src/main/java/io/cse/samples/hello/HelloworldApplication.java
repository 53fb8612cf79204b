package io.cse.samples.hello;

import java.util.concurrent.atomic.AtomicLong;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The Spring Boot demo of the reference article, unchanged but for the dependency on the
 * CSE starter: {@code /} answers "Hello World!" and {@code /health} "Still surviving.".
 * What makes a freeze real lives beside it: {@link VisitController} (a HikariCP pool on
 * PostgreSQL), {@link Heartbeat} (a {@code @Scheduled} job) and {@link JobController} (an
 * executor).
 */
@SpringBootApplication
@RestController
@EnableScheduling
public class HelloworldApplication {

	private final AtomicLong hits = new AtomicLong();

	@RequestMapping("/")
	public String home() {
		return "Hello World!";
	}

	@RequestMapping("/health")
	public String healthy() {
		// Message body required though ignored
		return "Still surviving.";
	}

	/**
	 * An in-memory counter: it keeps its value across a freeze, and across a snapshot.
	 * @return the number of calls so far, this one included
	 */
	@RequestMapping("/counter")
	public long counter() {
		return this.hits.incrementAndGet();
	}

	public static void main(String[] args) {
		SpringApplication.run(HelloworldApplication.class, args);
	}

}
