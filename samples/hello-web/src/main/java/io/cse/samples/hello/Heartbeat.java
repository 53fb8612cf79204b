package io.cse.samples.hello;

import java.util.concurrent.atomic.AtomicLong;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * A scheduled job that uses the database: it must not run while the instance is frozen.
 */
@Component
public class Heartbeat {

	private final JdbcTemplate jdbcTemplate;

	private final AtomicLong beats = new AtomicLong();

	Heartbeat(JdbcTemplate jdbcTemplate) {
		this.jdbcTemplate = jdbcTemplate;
	}

	@Scheduled(fixedDelayString = "${hello.heartbeat-interval:1s}")
	void beat() {
		this.jdbcTemplate.update("update heartbeat set beats = beats + 1, last_beat = now() where id = 1");
		this.beats.incrementAndGet();
	}

	/**
	 * Return how many times the job ran.
	 * @return the number of beats
	 */
	public long getBeats() {
		return this.beats.get();
	}

}
