package example.compat;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * A scheduled job that leaves a trace the database can count: one row in
 * {@code compat_tick} per run. It must not run while the instance is frozen.
 */
@Component
class Ticker {

	private final JdbcTemplate jdbcTemplate;

	private final String serviceName;

	Ticker(JdbcTemplate jdbcTemplate, @Value("${compat.name}") String serviceName) {
		this.jdbcTemplate = jdbcTemplate;
		this.serviceName = serviceName;
	}

	@Scheduled(fixedDelayString = "${compat.tick-millis:200}")
	void tick() {
		this.jdbcTemplate.update("insert into compat_tick (service) values (?)", this.serviceName);
	}

}
