package io.cse.endpoint;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import com.jayway.jsonpath.JsonPath;
import io.cse.ready.example.LegacyTicketService;
import io.cse.ready.example.TicketJournal;
import io.cse.ready.example.TicketService;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.core.env.Environment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@code GET /actuator/cse/hazardCheck} in a running web application with
 * {@code @ServerlessReady} beans, over HTTP.
 */
class HazardCheckEndpointWebTests {

	private static final String ACCESS = "management.endpoint.cse.access=unrestricted";

	private static final String EXPOSURE = "management.endpoints.web.exposure.include=cse";

	@Nested
	@SpringBootTest(classes = TicketApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
			properties = { ACCESS, EXPOSURE, "cse.memory.trim-heap=false" })
	class OptedIn extends RunningApplication {

		@Autowired
		TicketJournal journal;

		@Test
		void hazardCheckListsTheBeansTheirHooksAndTheirHazards() {
			HttpResponse<String> hazardCheck = this.http.get("/actuator/cse/hazardCheck");
			assertThat(hazardCheck.statusCode()).isEqualTo(200);
			String body = hazardCheck.body();
			assertThat(JsonPath.<String>read(body, "$.status")).isEqualTo("ERROR");
			assertThat(JsonPath.<List<String>>read(body, "$.beans[*].name")).containsExactlyInAnyOrder("ticketService",
					"legacyTicketService");
			assertThat(JsonPath.<List<String>>read(body, "$.beans[?(@.name == 'ticketService')].beforeCheckpoint[*].method"))
				.containsExactly("flushJournal(CheckpointContext)");
			assertThat(JsonPath.<List<String>>read(body, "$.beans[?(@.name == 'ticketService')].afterRestore[*].method"))
				.containsExactly("renewAfterClone(CheckpointContext)");
			assertThat(JsonPath.<List<String>>read(body, "$.beans[?(@.name == 'ticketService')].ignoredHazards[*]"))
				.containsExactly("random");
			List<Map<String, Object>> hazards = JsonPath.read(body, "$.hazards");
			assertThat(hazards).extracting((hazard) -> hazard.get("field")).containsExactly("NODE", "random", "startedAt");
			assertThat(hazards.get(0)).containsEntry("severity", "ERROR")
				.containsEntry("bean", "legacyTicketService")
				.containsEntry("type", LegacyTicketService.class.getName())
				.containsEntry("staticField", true)
				.containsEntry("fieldType", "java.util.UUID");
			assertThat((String) hazards.get(0).get("fix")).contains("InstanceIdentity");
			assertThat(hazards.get(2)).containsEntry("severity", "WARN");
		}

		@Test
		void unknownSectionIsNotFoundWithWhatToAskFor() {
			// The section's name before it was called a hazard check: Spring Boot's readiness
			// is the readiness state, which this is not.
			HttpResponse<String> unknown = this.http.get("/actuator/cse/readiness");
			assertThat(unknown.statusCode()).isEqualTo(404);
			assertThat(JsonPath.<String>read(unknown.body(), "$.error"))
				.isEqualTo("Unknown section 'readiness': use GET /actuator/cse/hazardCheck");
		}

		@Test
		void freezeAndThawOverHttpRunTheHooks() {
			HttpResponse<String> freeze = this.http.post("/actuator/cse/freeze");
			assertThat(freeze.statusCode()).isEqualTo(200);
			assertThat(JsonPath.<List<String>>read(freeze.body(), "$.steps[*].participant")).contains("serverless-ready");
			assertThat(this.http.post("/actuator/cse/thaw").statusCode()).isEqualTo(200);
			assertThat(this.journal.getEntries()).containsSubsequence("before FREEZE", "after THAW");
		}

	}

	@Nested
	@SpringBootTest(classes = TicketApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
			properties = { ACCESS, EXPOSURE, "cse.serverless-ready.enabled=false" })
	class SwitchedOff extends RunningApplication {

		@Test
		void hazardCheckIsNotFoundWithThePropertyToSet() {
			HttpResponse<String> hazardCheck = this.http.get("/actuator/cse/hazardCheck");
			assertThat(hazardCheck.statusCode()).isEqualTo(404);
			assertThat(JsonPath.<String>read(hazardCheck.body(), "$.error"))
				.contains("cse.serverless-ready.enabled=true");
		}

	}

	abstract static class RunningApplication {

		@Autowired
		Environment environment;

		Http http;

		@BeforeEach
		void client() {
			this.http = new Http(this.environment.getRequiredProperty("local.server.port", Integer.class));
		}

	}

	@SpringBootConfiguration(proxyBeanMethods = false)
	@EnableAutoConfiguration(excludeName = {
			// No database here: Spring Boot 3 and Spring Boot 4 names.
			"org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration",
			"org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration" })
	// Finds the example services the way an application finds its own.
	@ComponentScan(basePackageClasses = TicketService.class)
	static class TicketApplication {

	}

}
