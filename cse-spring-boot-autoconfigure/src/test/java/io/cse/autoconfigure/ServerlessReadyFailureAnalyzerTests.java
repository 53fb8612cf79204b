package io.cse.autoconfigure;

import java.util.List;
import java.util.UUID;

import io.cse.ready.BeforeCheckpoint;
import io.cse.ready.ServerlessReady;
import io.cse.ready.ServerlessReadyMisuseException;
import io.cse.ready.ServerlessReadyMisuseException.Misuse;
import io.cse.ready.UniquenessHazard;
import io.cse.ready.UniquenessHazard.Severity;
import io.cse.ready.UniquenessHazardException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Import;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link ServerlessReadyMisuseFailureAnalyzer} and
 * {@link UniquenessHazardFailureAnalyzer}.
 */
@ExtendWith(OutputCaptureExtension.class)
class ServerlessReadyFailureAnalyzerTests {

	@Test
	void misuseAnalysisNamesEveryBeanMethodAndFix() {
		ServerlessReadyMisuseException failure = new ServerlessReadyMisuseException(List.of(
				new Misuse("tickets", "com.example.Tickets", "@BeforeCheckpoint method close()", "the method is static",
						"remove 'static' from close()"),
				new Misuse("cache", "com.example.Cache", "@ServerlessReady", "the bean has scope 'prototype'",
						"make it a singleton")));
		FailureAnalysis analysis = new ServerlessReadyMisuseFailureAnalyzer().analyze(failure);
		assertThat(analysis.getDescription()).contains(
				"bean 'tickets' (com.example.Tickets), @BeforeCheckpoint method close(): the method is static",
				"bean 'cache' (com.example.Cache), @ServerlessReady: the bean has scope 'prototype'");
		assertThat(analysis.getAction()).contains("bean 'tickets', @BeforeCheckpoint method close(): remove 'static'",
				"bean 'cache', @ServerlessReady: make it a singleton");
	}

	@Test
	void hazardAnalysisNamesEveryFieldAndFix() {
		UniquenessHazardException failure = new UniquenessHazardException(Severity.ERROR,
				List.of(new UniquenessHazard(Severity.ERROR, "tickets", "com.example.Tickets", "NODE", true,
						"java.util.UUID", "holds a UUID made at start-up", "derive it from InstanceIdentity")));
		FailureAnalysis analysis = new UniquenessHazardFailureAnalyzer().analyze(failure);
		assertThat(analysis.getDescription()).contains("cse.serverless-ready.hazard-check.fail-on=error",
				"ERROR bean 'tickets', static field com.example.Tickets.NODE (java.util.UUID) holds a UUID made at "
						+ "start-up");
		assertThat(analysis.getAction()).contains("static field com.example.Tickets.NODE: derive it from InstanceIdentity",
				"@ServerlessReady(ignoreHazards = \"fieldName\")", "cse.serverless-ready.hazard-check.fail-on=none");
	}

	@Test
	void misusedApplicationFailsToStartWithTheAnalysis(CapturedOutput output) {
		assertThatExceptionOfType(ServerlessReadyMisuseException.class)
			.isThrownBy(() -> application(MisusedApplication.class).run());
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("@ServerlessReady beans are misused:")
			.contains("remove 'static' from close()");
	}

	@Test
	void hazardousApplicationFailsToStartWithTheAnalysisWhenAskedTo(CapturedOutput output) {
		assertThatExceptionOfType(UniquenessHazardException.class)
			.isThrownBy(() -> application(HazardousApplication.class)
				.run("--cse.serverless-ready.hazard-check.fail-on=error"));
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("cse.serverless-ready.hazard-check.fail-on=error stops the start-up")
			.contains(HazardousApplication.Hazardous.class.getName() + ".NODE: derive it from InstanceIdentity");
	}

	private static SpringApplicationBuilder application(Class<?> type) {
		return new SpringApplicationBuilder(type).web(WebApplicationType.NONE)
			.properties("spring.main.banner-mode=off", "cse.memory.trim-heap=false");
	}

	@SpringBootConfiguration(proxyBeanMethods = false)
	@EnableAutoConfiguration(excludeName = {
			// No database here: Spring Boot 3 and Spring Boot 4 names.
			"org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration",
			"org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration" })
	@Import(MisusedApplication.Misused.class)
	static class MisusedApplication {

		@ServerlessReady
		static class Misused {

			@BeforeCheckpoint
			static void close() {
			}

		}

	}

	@SpringBootConfiguration(proxyBeanMethods = false)
	@EnableAutoConfiguration(excludeName = {
			"org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration",
			"org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration" })
	@Import(HazardousApplication.Hazardous.class)
	static class HazardousApplication {

		@ServerlessReady
		static class Hazardous {

			private static final UUID NODE = UUID.randomUUID();

		}

	}

}
