package io.cse.samples.hello;

import java.util.Map;

import org.springframework.core.task.TaskExecutor;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Background jobs on Spring Boot's application task executor: a job submitted while the
 * instance is frozen runs after the thaw.
 */
@RestController
class JobController {

	private final TaskExecutor applicationTaskExecutor;

	private final JdbcTemplate jdbcTemplate;

	JobController(TaskExecutor applicationTaskExecutor, JdbcTemplate jdbcTemplate) {
		this.applicationTaskExecutor = applicationTaskExecutor;
		this.jdbcTemplate = jdbcTemplate;
	}

	@PostMapping("/jobs")
	Map<String, String> submit() {
		this.applicationTaskExecutor
			.execute(() -> this.jdbcTemplate.update("insert into jobs (done_at) values (now())"));
		return Map.of("job", "submitted");
	}

	@GetMapping("/jobs")
	Map<String, Long> done() {
		return Map.of("done", this.jdbcTemplate.queryForObject("select count(*) from jobs", Long.class));
	}

}
