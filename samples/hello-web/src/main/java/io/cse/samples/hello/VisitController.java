package io.cse.samples.hello;

import java.util.Map;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Database work through the HikariCP pool: every visit is a row in PostgreSQL.
 */
@RestController
class VisitController {

	private final JdbcTemplate jdbcTemplate;

	VisitController(JdbcTemplate jdbcTemplate) {
		this.jdbcTemplate = jdbcTemplate;
	}

	@PostMapping("/visits")
	Map<String, Object> visit() {
		this.jdbcTemplate.update("insert into visits (visited_at) values (now())");
		return Map.of("visits", count(), "backend", backend());
	}

	@GetMapping("/visits")
	Map<String, Object> visits() {
		return Map.of("visits", count(), "backend", backend());
	}

	/**
	 * Answers after the given time: a request that is still in flight when a freeze starts.
	 * @param millis how long the request takes
	 * @return when it is done
	 * @throws InterruptedException if interrupted
	 */
	@GetMapping("/slow")
	String slow(@RequestParam(defaultValue = "1000") long millis) throws InterruptedException {
		Thread.sleep(millis);
		return "done after " + millis + " ms";
	}

	private long count() {
		return this.jdbcTemplate.queryForObject("select count(*) from visits", Long.class);
	}

	private int backend() {
		// The server process that serves this connection: differs from one connection to
		// the next, so a thaw that reconnected shows a new one.
		return this.jdbcTemplate.queryForObject("select pg_backend_pid()", Integer.class);
	}

}
