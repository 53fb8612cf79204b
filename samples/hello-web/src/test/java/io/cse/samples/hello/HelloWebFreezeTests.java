package io.cse.samples.hello;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import com.jayway.jsonpath.JsonPath;
import io.cse.CheckpointContext;
import io.cse.CheckpointCoordinator;
import io.cse.CheckpointParticipant;
import io.cse.InstanceState;
import io.cse.samples.postgres.PostgresProcess;
import io.cse.web.TrafficGate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.core.task.TaskExecutor;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Freezes and thaws the hello-web sample, running against a real PostgreSQL server, and
 * checks what users and the database see.
 */
@ExtendWith(OutputCaptureExtension.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "hello.heartbeat-interval=50ms", "cse.participant-timeout=5s",
				"cse.clone.overridable-properties=hello.greeting,hello.region" })
class HelloWebFreezeTests {

	private static final String APPLICATION = "hello-web";

	@Autowired
	private Environment environment;

	@Autowired
	private CheckpointCoordinator coordinator;

	@Autowired
	private TrafficGate trafficGate;

	@Autowired
	private TaskExecutor applicationTaskExecutor;

	@Autowired
	private Heartbeat heartbeat;

	@Autowired
	private ControllableParticipant controllable;

	private Http http;

	private final PostgresProcess postgres = SharedPostgres.get();

	@DynamicPropertySource
	static void database(DynamicPropertyRegistry registry) {
		registry.add("spring.datasource.url", () -> SharedPostgres.get().getJdbcUrl());
	}

	@BeforeEach
	void client() {
		this.http = new Http(this.environment.getProperty("local.server.port", Integer.class));
	}

	@AfterEach
	void backToRunning() {
		this.controllable.reset();
		if (this.coordinator.getState() == InstanceState.FROZEN) {
			this.coordinator.thaw(java.util.Map.of());
		}
	}

	@Test
	void freezeClosesEveryDatabaseConnectionAndThawReconnects() throws Exception {
		assertThat(this.http.post("/visits").statusCode()).isEqualTo(200);
		assertThat(this.postgres.countConnections(APPLICATION)).isPositive();
		HttpResponse<String> freeze = this.http.post("/actuator/cse/freeze");
		assertThat(freeze.statusCode()).isEqualTo(200);
		assertThat(JsonPath.<String>read(freeze.body(), "$.state")).isEqualTo("FROZEN");
		// The server's own view: not one backend left for the application. A backend ends
		// shortly after its client closed the connection, so the view may lag a moment.
		await().atMost(Duration.ofSeconds(2))
			.untilAsserted(() -> assertThat(this.postgres.countConnections(APPLICATION)).isZero());
		assertThat(this.http.post("/actuator/cse/thaw").statusCode()).isEqualTo(200);
		HttpResponse<String> visits = this.http.post("/visits");
		assertThat(visits.statusCode()).isEqualTo(200);
		assertThat(JsonPath.<Integer>read(visits.body(), "$.visits")).isPositive();
		assertThat(this.postgres.countConnections(APPLICATION)).isPositive();
	}

	@Test
	void applicationParticipantUsesThePoolBeforeItIsReleasedAndAfterItIsBack() throws Exception {
		try (var connection = this.postgres.connect(); var statement = connection.createStatement()) {
			statement.execute("delete from freeze_journal");
		}
		assertThat(this.http.post("/actuator/cse/freeze").statusCode()).isEqualTo(200);
		assertThat(this.http.post("/actuator/cse/thaw").statusCode()).isEqualTo(200);
		String instanceId = this.coordinator.getIdentity().getInstanceId();
		// The resume's row is written by the executor, once it runs again.
		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(journal()).containsExactly("quiesce FREEZE " + instanceId,
					"resume THAW " + instanceId));
	}

	private List<String> journal() throws Exception {
		List<String> recorded = new java.util.ArrayList<>();
		try (var connection = this.postgres.connect();
				var statement = connection.createStatement();
				var events = statement.executeQuery("select event, instance_id from freeze_journal order by id")) {
			while (events.next()) {
				recorded.add(events.getString(1) + " " + events.getString(2));
			}
		}
		return recorded;
	}

	@Test
	void freezeReportsEveryParticipantAndTheHeapTrim() {
		HttpResponse<String> freeze = this.http.post("/actuator/cse/freeze");
		assertThat(freeze.statusCode()).isEqualTo(200);
		List<String> participants = JsonPath.read(freeze.body(), "$.steps[*].participant");
		// serverless-ready runs the hooks of @ServerlessReady beans; the sample has none. reseed
		// and log-files only prepare for snapshots (a freeze keeps the log files open);
		// http-clients looks for outbound HTTP client pools; the sample has none.
		assertThat(participants).containsExactly("traffic", "executors", "lifecycle", "freeze-journal", "jdbc",
				"http-clients", "controllable", "serverless-ready", "reseed", "log-files");
		assertThat(JsonPath.<Number>read(freeze.body(), "$.memory.heapUsedBefore").longValue()).isPositive();
		assertThat(JsonPath.<Number>read(freeze.body(), "$.memory.residentAfter").longValue()).isPositive();
		HttpResponse<String> status = this.http.get("/actuator/cse");
		assertThat(JsonPath.<String>read(status.body(), "$.state")).isEqualTo("FROZEN");
		assertThat(JsonPath.<List<String>>read(status.body(), "$.participants[*].lastQuiescedAt")).doesNotContainNull();
		assertThat(JsonPath.<String>read(status.body(), "$.engine.capabilities.freeze")).isEqualTo("available");
		// On a JDK without CRaC the engine is CRIU, available or not depending on the host.
		assertThat(JsonPath.<String>read(status.body(), "$.engine.name")).isEqualTo("criu");
		assertThat(JsonPath.<String>read(status.body(), "$.engine.capabilities.dump")).isNotBlank();
	}

	@Test
	void taskSubmittedDuringFreezeRunsOnlyAfterThaw() {
		assertThat(this.http.post("/actuator/cse/freeze").statusCode()).isEqualTo(200);
		AtomicBoolean ran = new AtomicBoolean();
		this.applicationTaskExecutor.execute(() -> ran.set(true));
		await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(3)).untilFalse(ran);
		assertThat(this.http.post("/actuator/cse/thaw").statusCode()).isEqualTo(200);
		await().atMost(Duration.ofSeconds(5)).untilTrue(ran);
	}

	@Test
	void scheduledJobDoesNotRunWhileFrozen() {
		await().atMost(Duration.ofSeconds(5)).until(() -> this.heartbeat.getBeats() > 0);
		assertThat(this.http.post("/actuator/cse/freeze").statusCode()).isEqualTo(200);
		long beats = this.heartbeat.getBeats();
		await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(3))
			.until(() -> this.heartbeat.getBeats() == beats);
		assertThat(this.http.post("/actuator/cse/thaw").statusCode()).isEqualTo(200);
		await().atMost(Duration.ofSeconds(5)).until(() -> this.heartbeat.getBeats() > beats);
	}

	@Test
	void requestInFlightWhenTheFreezeStartsCompletesWith200() {
		CompletableFuture<HttpResponse<String>> slow = CompletableFuture
			.supplyAsync(() -> this.http.get("/slow?millis=1500"));
		await().atMost(Duration.ofSeconds(5)).until(() -> this.trafficGate.getInFlight() == 1);
		HttpResponse<String> freeze = this.http.post("/actuator/cse/freeze");
		// The server answered before the freeze completed; the client may still be reading.
		assertThat(slow).succeedsWithin(Duration.ofSeconds(5));
		assertThat(slow.join().statusCode()).isEqualTo(200);
		assertThat(slow.join().body()).isEqualTo("done after 1500 ms");
		assertThat(freeze.statusCode()).isEqualTo(200);
		assertThat(JsonPath.<String>read(freeze.body(), "$.outcome")).isEqualTo("SUCCESS");
	}

	@Test
	void requestToAFrozenInstanceThawsItAndIsServed() {
		assertThat(this.http.post("/actuator/cse/freeze").statusCode()).isEqualTo(200);
		HttpResponse<String> home = this.http.get("/");
		assertThat(home.statusCode()).isEqualTo(200);
		assertThat(home.body()).isEqualTo("Hello World!");
		assertThat(this.coordinator.getState()).isEqualTo(InstanceState.RUNNING);
		HttpResponse<String> status = this.http.get("/actuator/cse");
		assertThat(JsonPath.<String>read(status.body(), "$.lastOperation.operation")).isEqualTo("thaw");
		assertThat(this.http.post("/visits").statusCode()).isEqualTo(200);
	}

	@Test
	void participantThatRefusesRollsEverythingBackToRunning() throws Exception {
		this.controllable.refuse.set(true);
		HttpResponse<String> freeze = this.http.post("/actuator/cse/freeze");
		assertThat(freeze.statusCode()).isEqualTo(500);
		assertThat(JsonPath.<String>read(freeze.body(), "$.outcome")).isEqualTo("ROLLED_BACK");
		assertThat(JsonPath.<String>read(freeze.body(), "$.state")).isEqualTo("RUNNING");
		assertThat(JsonPath.<String>read(freeze.body(), "$.error")).contains("'controllable'")
			.contains("not now");
		assertThat(this.coordinator.getState()).isEqualTo(InstanceState.RUNNING);
		assertThat(this.http.get("/").body()).isEqualTo("Hello World!");
		assertThat(this.http.post("/visits").statusCode()).isEqualTo(200);
		assertThat(this.postgres.countConnections(APPLICATION)).isPositive();
		assertThat(JsonPath.<String>read(this.http.get("/actuator/cse").body(), "$.lastOperation.error"))
			.contains("'controllable'");
	}

	@Test
	void badRequestsGetClearErrorsAndChangeNothing() {
		HttpResponse<String> thaw = this.http.post("/actuator/cse/thaw");
		assertThat(thaw.statusCode()).isEqualTo(409);
		assertThat(JsonPath.<String>read(thaw.body(), "$.state")).isEqualTo("RUNNING");
		HttpResponse<String> unknown = this.http.post("/actuator/cse/explode");
		assertThat(unknown.statusCode()).isEqualTo(400);
		assertThat(JsonPath.<String>read(unknown.body(), "$.error")).contains("freeze").contains("thaw");
		assertThat(this.http.postJson("/actuator/cse/freeze", "{not json").statusCode()).isEqualTo(400);
		assertThat(this.coordinator.getState()).isEqualTo(InstanceState.RUNNING);
		assertThat(this.http.post("/actuator/cse/freeze").statusCode()).isEqualTo(200);
		HttpResponse<String> again = this.http.post("/actuator/cse/freeze");
		assertThat(again.statusCode()).isEqualTo(409);
		assertThat(JsonPath.<String>read(again.body(), "$.state")).isEqualTo("FROZEN");
		assertThat(this.http.postJson("/actuator/cse/thaw", "{not json").statusCode()).isEqualTo(400);
		assertThat(this.coordinator.getState()).isEqualTo(InstanceState.FROZEN);
	}

	@Test
	void secondOperationWhileOneRunsIsRejected() throws Exception {
		this.controllable.block();
		CompletableFuture<HttpResponse<String>> freeze = CompletableFuture
			.supplyAsync(() -> this.http.post("/actuator/cse/freeze"));
		// Wait until the freeze reaches the user hooks: by then the traffic gate has closed the
		// idle keep-alive connections, which would otherwise race with the requests below.
		assertThat(this.controllable.entered.await(5, TimeUnit.SECONDS)).isTrue();
		assertThat(this.coordinator.getState()).isEqualTo(InstanceState.QUIESCING);
		HttpResponse<String> second = this.http.post("/actuator/cse/freeze");
		assertThat(second.statusCode()).isEqualTo(409);
		assertThat(JsonPath.<String>read(second.body(), "$.error")).contains("another operation is under way");
		assertThat(this.http.post("/actuator/cse/thaw").statusCode()).isEqualTo(409);
		this.controllable.unblock();
		assertThat(freeze.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
	}

	@Test
	void thawSetsPropertiesForThisInstance() {
		assertThat(this.http.post("/actuator/cse/freeze").statusCode()).isEqualTo(200);
		HttpResponse<String> thaw = this.http.postJson("/actuator/cse/thaw",
				"{\"properties\": \"hello.greeting=Hello from a clone\\nhello.region=north\"}");
		assertThat(thaw.statusCode()).isEqualTo(200);
		assertThat(this.environment.getProperty("hello.greeting")).isEqualTo("Hello from a clone");
		assertThat(this.environment.getProperty("hello.region")).isEqualTo("north");
	}

	@Test
	void applicationStillLogsAfterAFreeze(CapturedOutput output) {
		assertThat(this.http.post("/actuator/cse/freeze").statusCode()).isEqualTo(200);
		assertThat(this.http.get("/").statusCode()).isEqualTo(200);
		// Logged by the thaw on request, after the freeze: the logging system survived it.
		assertThat(output).contains("A request reached the frozen instance: thawing it");
	}

	@Test
	void operationsAreMeasured() {
		this.http.post("/actuator/cse/freeze");
		this.http.post("/actuator/cse/thaw");
		HttpResponse<String> operations = this.http.get("/actuator/metrics/cse.operations?tag=operation:freeze");
		assertThat(operations.statusCode()).isEqualTo(200);
		assertThat(JsonPath.<Number>read(operations.body(), "$.measurements[0].value").intValue()).isPositive();
		HttpResponse<String> participant = this.http
			.get("/actuator/metrics/cse.participants?tag=participant:jdbc&tag=phase:quiesce");
		assertThat(participant.statusCode()).isEqualTo(200);
		HttpResponse<String> state = this.http.get("/actuator/metrics/cse.state?tag=state:running");
		assertThat(JsonPath.<Number>read(state.body(), "$.measurements[0].value").intValue()).isEqualTo(1);
	}

	@TestConfiguration(proxyBeanMethods = false)
	static class Participants {

		@Bean
		ControllableParticipant controllableParticipant() {
			return new ControllableParticipant();
		}

	}

	/**
	 * A user participant that can be told to refuse, or to take its time.
	 */
	static class ControllableParticipant implements CheckpointParticipant {

		final AtomicBoolean refuse = new AtomicBoolean();

		private volatile CountDownLatch blocker = new CountDownLatch(0);

		private volatile CountDownLatch entered = new CountDownLatch(1);

		@Override
		public String getName() {
			return "controllable";
		}

		@Override
		public void quiesce(CheckpointContext context) throws Exception {
			if (this.refuse.get()) {
				throw new IllegalStateException("not now");
			}
			this.entered.countDown();
			this.blocker.await(30, TimeUnit.SECONDS);
		}

		@Override
		public void resume(CheckpointContext context) {
		}

		void block() {
			this.entered = new CountDownLatch(1);
			this.blocker = new CountDownLatch(1);
		}

		void unblock() {
			this.blocker.countDown();
		}

		void reset() {
			this.refuse.set(false);
			unblock();
		}

	}

}
