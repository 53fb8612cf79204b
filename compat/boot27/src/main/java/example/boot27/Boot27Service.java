package example.boot27;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.web.context.WebServerPortFileWriter;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A plain Spring Boot 2.7 web service with the CSE starter added, as a user on Java 8
 * would have it (in a package of its own, so that nothing named {@code io.cse} is the
 * service's).
 */
@SpringBootApplication
@RestController
public class Boot27Service {

	@GetMapping("/")
	public String hello() {
		return "hello from Spring Boot 2.7";
	}

	public static void main(String[] args) {
		SpringApplication application = new SpringApplication(Boot27Service.class);
		// Tells the tests the random port it serves on (in the file named by PORTFILE)
		application.addListeners(new WebServerPortFileWriter());
		application.run(args);
	}

}
