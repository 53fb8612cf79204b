package io.cse.samples.secured;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * A web service that already uses Spring Security for its own pages ({@link NoteController}:
 * an open greeting, an administrators' page with a form), and puts the CSE endpoint behind
 * it as well ({@link SecurityConfiguration}): only the platform's account, with its role,
 * may freeze, thaw, dump or clone the instance.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class SecuredWebApplication {

	public static void main(String[] args) {
		SpringApplication.run(SecuredWebApplication.class, args);
	}

}
