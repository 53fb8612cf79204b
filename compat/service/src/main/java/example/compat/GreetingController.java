package example.compat;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootVersion;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * What a caller sees: {@code GET /greeting} answers with a row of PostgreSQL, read on the
 * service's executor; {@code GET /runtime} says which Spring Boot and Java serve it.
 */
@RestController
class GreetingController {

	private final JdbcTemplate jdbcTemplate;

	private final ThreadPoolTaskExecutor queryExecutor;

	private final String serviceName;

	GreetingController(JdbcTemplate jdbcTemplate, ThreadPoolTaskExecutor queryExecutor,
			@Value("${compat.name}") String serviceName) {
		this.jdbcTemplate = jdbcTemplate;
		this.queryExecutor = queryExecutor;
		this.serviceName = serviceName;
	}

	@GetMapping("/greeting")
	String greeting() throws InterruptedException, ExecutionException, TimeoutException {
		Future<String> message = this.queryExecutor.submit(() -> this.jdbcTemplate
			.queryForObject("select message from compat_greeting where service = ?", String.class, this.serviceName));
		return message.get(30, TimeUnit.SECONDS);
	}

	@GetMapping("/runtime")
	Map<String, String> runtime() {
		Map<String, String> runtime = new LinkedHashMap<>();
		runtime.put("springBoot", SpringBootVersion.getVersion());
		runtime.put("java", System.getProperty("java.specification.version"));
		runtime.put("service", this.serviceName);
		return runtime;
	}

}
