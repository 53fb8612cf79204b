package io.cse.compat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

/**
 * Every cell of the matrix, as a user of that Spring Boot line sees it: the service,
 * started with {@code java -jar} on the cell's JDK with the endpoint opened the way that
 * line names the switch, freezes through {@code POST /actuator/cse/freeze}: its pool's
 * connections leave PostgreSQL, its scheduled job stops writing, a request waits; after
 * {@code POST /actuator/cse/thaw} the request is answered from the database, the pool
 * connects again and the job writes again. Everything is checked from the other side:
 * PostgreSQL's {@code pg_stat_activity} and the rows the job writes.
 */
@Timeout(240)
class FreezeThawCompatibilityTests {

	private static final Duration START_TIMEOUT = Duration.ofSeconds(150);

	static List<Cell> cells() {
		return Cell.selected();
	}

	@ParameterizedTest(name = "{0}", allowZeroInvocations = true)
	@MethodSource("cells")
	void freezesAndThaws(Cell cell) throws Exception {
		CompatDatabase database = SuiteDatabase.get();
		String name = cell.id();
		String greeting = "hello from " + cell;
		database.putGreeting(name, greeting);
		List<String> arguments = new java.util.ArrayList<>(List.of("--spring.datasource.url=" + database.jdbcUrl("127.0.0.1"),
				"--compat.name=" + name));
		arguments.addAll(cell.line().endpointSwitch());
		// The endpoint wants a token, as under 'cse run': every line reads the header the same way
		String token = "compat-endpoint-token-" + name;
		Path tokenFile = Files.createTempFile("cse-compat-token-", "",
				PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
		Files.writeString(tokenFile, token);
		arguments.add("--cse.endpoint.token-file=" + tokenFile);
		try (ServiceProcess service = ServiceProcess.launch(cell, SuiteDatabase.logs().resolve(name + ".log"), arguments)) {
			ServiceHttp anyone = service.http();
			ServiceHttp http = anyone.withToken(token);
			awaitHealthy(service, cell.toString());
			assertRuns(cell, http, service);
			HttpResponse<String> refused = anyone.post("/actuator/cse/freeze");
			assertThat(refused.statusCode()).as("POST /actuator/cse/freeze without the token: %s", refused.body())
				.isEqualTo(401);
			assertThat(anyone.get("/actuator/cse").statusCode()).isEqualTo(401);
			assertThat(http.get("/greeting").body()).isEqualTo(greeting);
			await("the pool's connections in pg_stat_activity").atMost(Duration.ofSeconds(10))
				.until(() -> database.connections(name) > 0);
			long ticksBefore = database.ticks(name);
			await("the scheduled job's rows").atMost(Duration.ofSeconds(10)).until(() -> database.ticks(name) > ticksBefore);

			HttpResponse<String> freeze = http.post("/actuator/cse/freeze");
			assertThat(freeze.statusCode()).as("POST /actuator/cse/freeze: %s", freeze.body()).isEqualTo(200);
			assertThat(ServiceHttp.json(freeze).path("state").asText()).isEqualTo("FROZEN");
			// A backend ends shortly after its client closed the connection: the view may lag.
			await("no connection of the frozen service left in pg_stat_activity").atMost(Duration.ofSeconds(5))
				.until(() -> database.connections(name) == 0);
			long frozenTicks = database.ticks(name);
			CompletableFuture<HttpResponse<String>> held = http.getAsync("/greeting");
			await("a request to the frozen service waiting, and no row from its job").during(Duration.ofSeconds(1))
				.atMost(Duration.ofSeconds(5))
				.until(() -> !held.isDone() && database.ticks(name) == frozenTicks && database.connections(name) == 0);

			HttpResponse<String> thaw = http.post("/actuator/cse/thaw");
			assertThat(thaw.statusCode()).as("POST /actuator/cse/thaw: %s", thaw.body()).isEqualTo(200);
			assertThat(held).as("the request held during the freeze").succeedsWithin(Duration.ofSeconds(10));
			assertThat(held.join().statusCode()).isEqualTo(200);
			assertThat(held.join().body()).isEqualTo(greeting);
			await("the pool's connections back in pg_stat_activity").atMost(Duration.ofSeconds(10))
				.until(() -> database.connections(name) > 0);
			await("the scheduled job writing again").atMost(Duration.ofSeconds(10))
				.until(() -> database.ticks(name) > frozenTicks);
			assertThat(ServiceHttp.json(http.get("/actuator/cse")).path("state").asText()).isEqualTo("RUNNING");
		}
		finally {
			Files.deleteIfExists(tokenFile);
		}
	}

	/**
	 * Waits until the service's health answers 200; fails at once, with its log, if it exits.
	 * @param service the service's process
	 * @param cell what it is, for messages
	 */
	static void awaitHealthy(ServiceProcess service, String cell) {
		ServiceHttp http = service.http();
		await(cell + " answering GET /actuator/health").atMost(START_TIMEOUT)
			.pollInterval(Duration.ofMillis(200))
			.ignoreExceptionsMatching(java.io.UncheckedIOException.class::isInstance)
			.until(() -> {
				if (!service.isAlive()) {
					fail("The " + cell + " service exited before it served; its log (" + service.logFile() + "):\n"
							+ service.log());
				}
				return http.get("/actuator/health").statusCode() == 200;
			});
	}

	/**
	 * Checks that the cell runs what it claims, and that the starter is active: where it
	 * steps aside, the failure quotes its own line and says what has to change.
	 */
	static void assertRuns(Cell cell, ServiceHttp http, ServiceProcess service) {
		JsonNode runtime = ServiceHttp.json(http.get("/runtime"));
		assertThat(runtime.path("springBoot").asText()).as("the service's Spring Boot").isEqualTo(cell.line().version());
		assertThat(runtime.path("java").asText()).as("the service's Java").isEqualTo(cell.jdk().specificationVersion());
		assertActive(cell.toString(), cell.line(), http, service);
	}

	/**
	 * Checks that the starter is active in a running service: where it steps aside, the
	 * failure quotes its own line and says what has to change.
	 * @param cell what runs, for messages
	 * @param line its Spring Boot line
	 * @param http a client of the service
	 * @param service the service's process
	 * @return the status that {@code GET /actuator/cse} answered
	 */
	static JsonNode assertActive(String cell, BootLine line, ServiceHttp http, ServiceProcess service) {
		HttpResponse<String> status = http.get("/actuator/cse");
		if (status.statusCode() == 404) {
			String inactive = ServiceProcess.inactiveLine(service.log());
			fail("The starter is not active in " + cell + ": GET /actuator/cse answered 404 with " + line
					+ "'s switch " + line.endpointSwitch() + ". "
					+ ((inactive != null) ? "It stepped aside: " + inactive
							: "Its log (" + service.logFile() + ") does not say why")
					+ ". This cell passes once the starter supports " + cell
					+ " (see SupportedPlatformCondition and docs/guide.md#supported-versions).");
		}
		assertThat(status.statusCode()).as("GET /actuator/cse: %s", status.body()).isEqualTo(200);
		JsonNode json = ServiceHttp.json(status);
		assertThat(json.path("state").asText()).isEqualTo("RUNNING");
		return json;
	}

}
