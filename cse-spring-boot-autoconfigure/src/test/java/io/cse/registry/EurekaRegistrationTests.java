package io.cse.registry;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.cse.CheckpointContext.Operation;
import io.cse.CheckpointCoordinator;
import io.cse.OperationReport;
import io.cse.OperationReport.Outcome;
import io.cse.ParticipantStatus;
import io.cse.ScriptedSnapshotPlan;
import io.cse.SnapshotOutcome;
import io.cse.samples.eureka.EurekaProcess;
import io.cse.samples.eureka.EurekaProcess.Instance;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.cloud.client.serviceregistry.Registration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A Spring Cloud Netflix Eureka client against a real Eureka server in a process of its
 * own ({@code samples/embedded-eureka}): what the server's registry holds for the service
 * across freezes, thaws and snapshots, read from the server's REST API (one instance:
 * {@code GET /eureka/apps/GREETER/{id}}, from the registry itself; every instance:
 * {@code GET /eureka/apps/GREETER}, with the server's 30-second read-only cache off).
 * <p>
 * Eureka's client alone sends a status change when its rate-limited replicator lets it
 * (1 to 25 s were seen for a freeze): the server must show each change within a second
 * of the operation's end, every time, also in quick succession.
 */
class EurekaRegistrationTests {

	private static final String SERVICE = "greeter";

	private static final String CLONE_ADDRESS = "10.199.0.7";

	private static final Duration WITHIN = Duration.ofSeconds(1);

	private static EurekaProcess eureka;

	private ConfigurableApplicationContext application;

	private CheckpointCoordinator coordinator;

	@BeforeAll
	static void startEureka() throws Exception {
		eureka = EurekaProcess.start();
	}

	@AfterAll
	static void stopEureka() {
		if (eureka != null) {
			eureka.close();
		}
	}

	private final String instanceId = SERVICE + "-" + UUID.randomUUID();

	@BeforeEach
	void startService() {
		this.application = new SpringApplicationBuilder(GreeterApplication.class).web(WebApplicationType.SERVLET)
			// Arguments, as they win over the test application.properties that switches Eureka off
			.run("--server.port=0", "--spring.application.name=" + SERVICE, "--eureka.client.enabled=true",
					"--eureka.client.service-url.defaultZone=" + eureka.getServiceUrl(),
					"--eureka.client.fetch-registry=false", "--eureka.instance.instance-id=" + this.instanceId,
					"--eureka.instance.prefer-ip-address=true",
					"--eureka.instance.ip-address=127.0.0.1", "--cse.memory.trim-heap=false");
		this.coordinator = this.application.getBean(CheckpointCoordinator.class);
	}

	@AfterEach
	void stopService() {
		this.application.close();
	}

	@Test
	void instanceGoesDownOnEveryFreezeAndUpOnEveryThawWithinASecond() throws Exception {
		String id = awaitRegistered();
		// Six status changes within seconds: the client's replicator alone lets two through
		for (int cycle = 0; cycle < 3; cycle++) {
			OperationReport freeze = this.coordinator.freeze();
			assertThat(freeze.outcome()).isEqualTo(Outcome.SUCCESS);
			await().atMost(WITHIN).untilAsserted(() -> assertThat(status(id)).isEqualTo("DOWN"));
			OperationReport thaw = this.coordinator.thaw(Map.of());
			assertThat(thaw.outcome()).isEqualTo(Outcome.SUCCESS);
			await().atMost(WITHIN).untilAsserted(() -> assertThat(status(id)).isEqualTo("UP"));
		}
		assertThat(eureka.instances(SERVICE)).extracting(Instance::id).containsExactly(id);
		// The report and the status list it, and so the metrics time it
		assertThat(participantSteps(this.coordinator.getLastReport())).contains("eureka");
		assertThat(this.coordinator.getParticipants()).extracting(ParticipantStatus::name).contains("eureka");
	}

	@Test
	void cloneRegistersUnderItsOwnIdAndAddress() throws Exception {
		String templateId = awaitRegistered();
		OperationReport restore = snapshot(Operation.CLONE, SnapshotOutcome.RESTORED);
		assertThat(restore.operation()).isEqualTo(OperationReport.Type.CLONE_RESTORE);
		assertThat(restore.outcome()).isEqualTo(Outcome.SUCCESS);
		String cloneId = this.coordinator.getIdentity().getInstanceId();
		assertThat(cloneId).isNotEqualTo(templateId);
		await().atMost(WITHIN)
			.untilAsserted(() -> assertThat(eureka.instance(SERVICE, cloneId)).contains(new Instance(cloneId,
					CLONE_ADDRESS, "UP")));
		// The template's entry is the template's: still out, as the template left it
		assertThat(status(templateId)).isEqualTo("DOWN");
		assertThat(this.application.getBean("eurekaRegistration", Registration.class).getInstanceId())
			.isEqualTo(cloneId);
		// A later freeze and thaw of the clone move the clone's entry, and no other
		assertThat(this.coordinator.freeze().outcome()).isEqualTo(Outcome.SUCCESS);
		await().atMost(WITHIN).untilAsserted(() -> assertThat(status(cloneId)).isEqualTo("DOWN"));
		assertThat(this.coordinator.thaw(Map.of()).outcome()).isEqualTo(Outcome.SUCCESS);
		await().atMost(WITHIN).untilAsserted(() -> assertThat(status(cloneId)).isEqualTo("UP"));
		// The renewed registration is the one the client cancels when the application stops
		this.application.close();
		await().atMost(WITHIN).untilAsserted(() -> assertThat(eureka.instance(SERVICE, cloneId)).isEmpty());
		assertThat(status(templateId)).isEqualTo("DOWN");
		// What the template does when it stops: the next test starts with no entry
		assertThat(eureka.cancel(SERVICE, templateId)).isTrue();
	}

	@Test
	void failedSnapshotAndRestoreOfADumpComeBackUpUnderTheSameId() throws Exception {
		String id = awaitRegistered();
		OperationReport failed = snapshot(Operation.CLONE, null);
		assertThat(failed.outcome()).isEqualTo(Outcome.ROLLED_BACK);
		await().atMost(WITHIN).untilAsserted(() -> assertThat(status(id)).isEqualTo("UP"));
		OperationReport restore = snapshot(Operation.DUMP, SnapshotOutcome.RESTORED);
		assertThat(restore.operation()).isEqualTo(OperationReport.Type.RESTORE);
		await().atMost(WITHIN).untilAsserted(() -> assertThat(status(id)).isEqualTo("UP"));
		assertThat(eureka.instances(SERVICE)).extracting(Instance::id).containsExactly(id);
	}

	private OperationReport snapshot(Operation operation, SnapshotOutcome outcome) throws Exception {
		String before = awaitRegistered();
		// What Eureka holds while the snapshot is taken: the instance is out
		ScriptedSnapshotPlan plan = ScriptedSnapshotPlan.of("greeter-image", outcome).whileTaking(() -> {
			try {
				assertThat(status(before)).isEqualTo("DOWN");
			}
			catch (Exception ex) {
				throw new IllegalStateException(ex);
			}
		});
		if (outcome == null) {
			plan.failingWith("disk full");
		}
		if (operation == Operation.CLONE) {
			plan.asCloneOf(this.coordinator.getIdentity());
		}
		return this.coordinator.snapshot(this.coordinator.reserve(operation), plan);
	}

	/**
	 * Wait for the client's first registration, which it sends on its own, and return the
	 * instance's id.
	 */
	private String awaitRegistered() {
		String id = this.application.getBean("eurekaRegistration", Registration.class).getInstanceId();
		assertThat(id).isEqualTo(this.instanceId);
		await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(status(id)).isEqualTo("UP"));
		return id;
	}

	private static String status(String id) throws Exception {
		return eureka.instance(SERVICE, id).map(Instance::status).orElse("absent");
	}

	private static List<String> participantSteps(OperationReport report) {
		return report.steps().stream().map(OperationReport.Step::participant).toList();
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration(excludeName = {
			// No database here: Spring Boot 3 and Spring Boot 4 names.
			"org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration",
			"org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration" })
	static class GreeterApplication {

		// A clone's address is found after its restore; in this one JVM, a fixed stand-in
		@Bean
		CloneAddressResolver cloneAddressResolver() {
			return () -> CLONE_ADDRESS;
		}

	}

}
