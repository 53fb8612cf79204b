package example.compat;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;

/**
 * A small web service as any Spring Boot line from 2.7 to 4.0 builds it, with the CSE
 * starter as its one CSE dependency: a HikariCP pool on PostgreSQL, a {@code @Scheduled}
 * job ({@link Ticker}), an executor a request uses ({@link GreetingController}) and the
 * actuator. The source is shared by every line of {@code compat/}: Java 8 syntax, and no
 * servlet type (javax on 2.7, jakarta on 3.0 and later).
 * <p>
 * In a package of its own, so that nothing named {@code io.cse} is the service's.
 */
@SpringBootApplication
@EnableScheduling
public class CompatService {

	/**
	 * The executor that a request hands its database query to. A bean of the service's
	 * own, the same on every line (Spring Boot's own {@code applicationTaskExecutor} is
	 * made under conditions that changed between lines).
	 * @return the executor
	 */
	@Bean
	ThreadPoolTaskExecutor queryExecutor() {
		ThreadPoolTaskExecutor executor = new ThreadPoolTaskExecutor();
		executor.setThreadNamePrefix("query-");
		executor.setCorePoolSize(2);
		executor.setMaxPoolSize(2);
		return executor;
	}

	public static void main(String[] args) {
		SpringApplication.run(CompatService.class, args);
	}

}
