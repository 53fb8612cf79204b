package io.cse.registry;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.cse.CheckpointContext.Operation;
import io.cse.CheckpointCoordinator;
import io.cse.InstanceState;
import io.cse.OperationReport;
import io.cse.OperationReport.Outcome;
import io.cse.ScriptedSnapshotPlan;
import io.cse.SnapshotOutcome;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A Spring Cloud Zookeeper discovery service against a real ZooKeeper server (Curator's
 * in-JVM test server): what ZooKeeper itself holds under {@code /services/<name>} across a
 * freeze, a thaw and snapshots.
 */
class ZookeeperRegistrationTests {

	private static final String SERVICE = "greeter";

	private static final String SERVICE_PATH = "/services/" + SERVICE;

	private static final String CLONE_ADDRESS = "10.199.0.7";

	private static final Duration WITHIN = Duration.ofSeconds(1);

	private static TestingServer zookeeper;

	private static CuratorFramework reader;

	private ConfigurableApplicationContext application;

	private CheckpointCoordinator coordinator;

	@BeforeAll
	static void startZookeeper() throws Exception {
		zookeeper = new TestingServer(true);
		reader = CuratorFrameworkFactory.newClient(zookeeper.getConnectString(), new RetryOneTime(100));
		reader.start();
		reader.blockUntilConnected();
	}

	@AfterAll
	static void stopZookeeper() throws Exception {
		reader.close();
		zookeeper.close();
	}

	@BeforeEach
	void startService() {
		startService("--spring.cloud.zookeeper.discovery.register=true");
	}

	private void startService(String extraArgument) {
		this.application = new SpringApplicationBuilder(GreeterApplication.class).web(WebApplicationType.SERVLET)
			// Arguments, as they win over the test application.properties that switches ZooKeeper off
			.run("--server.port=0", "--spring.application.name=" + SERVICE, "--spring.cloud.zookeeper.enabled=true",
					"--spring.cloud.zookeeper.connect-string=" + zookeeper.getConnectString(),
					"--cse.freeze.trim-heap=false", extraArgument);
		this.coordinator = this.application.getBean(CheckpointCoordinator.class);
	}

	@AfterEach
	void stopService() {
		this.application.close();
	}

	@Test
	void nodeLeavesOnFreezeAndComesBackOnThaw() throws Exception {
		String id = awaitSingleInstance();
		String before = data(id);
		OperationReport freeze = this.coordinator.freeze();
		assertThat(freeze.outcome()).isEqualTo(Outcome.SUCCESS);
		await().atMost(WITHIN).untilAsserted(() -> assertThat(instances()).isEmpty());
		assertThat(participantSteps(freeze)).contains("registry");
		OperationReport thaw = this.coordinator.thaw(Map.of());
		assertThat(thaw.outcome()).isEqualTo(Outcome.SUCCESS);
		await().atMost(WITHIN).untilAsserted(() -> assertThat(instances()).containsExactly(id));
		assertThat(data(id)).isEqualTo(before);
	}

	@Test
	void cloneComesBackUnderItsOwnIdAndAddress() throws Exception {
		String templateId = awaitSingleInstance();
		String templateData = data(templateId);
		long templateSession = owner(templateId);
		OperationReport restore = snapshot(Operation.CLONE, SnapshotOutcome.RESTORED);
		assertThat(restore.operation()).isEqualTo(OperationReport.Type.CLONE_RESTORE);
		assertThat(restore.outcome()).isEqualTo(Outcome.SUCCESS);
		String cloneId = this.coordinator.getIdentity().getInstanceId();
		assertThat(cloneId).isNotEqualTo(templateId);
		await().atMost(WITHIN).untilAsserted(() -> assertThat(instances()).containsExactly(cloneId));
		String cloneData = data(cloneId);
		assertThat(cloneData).contains("\"id\":\"" + cloneId + "\"")
			.contains("\"address\":\"" + CLONE_ADDRESS + "\"")
			.doesNotContain(templateId);
		assertThat(port(cloneData)).isEqualTo(port(templateData)).isPositive();
		// ZooKeeper's own view: the clone's node belongs to a session of the clone's own
		assertThat(owner(cloneId)).isNotZero().isNotEqualTo(templateSession);
		assertThat(this.application.getBean(CuratorFramework.class).getZookeeperClient().getZooKeeper().getSessionId())
			.isEqualTo(owner(cloneId));
		// The renewed registration is the one the application deregisters when it stops
		this.application.close();
		await().atMost(WITHIN).untilAsserted(() -> assertThat(instances()).isEmpty());
	}

	@Test
	void templateThatKeepsRunningComesBackUnderItsOwnId() throws Exception {
		String templateId = awaitSingleInstance();
		OperationReport snapshot = snapshot(Operation.CLONE, SnapshotOutcome.CONTINUED);
		assertThat(snapshot.outcome()).isEqualTo(Outcome.SUCCESS);
		await().atMost(WITHIN).untilAsserted(() -> assertThat(instances()).containsExactly(templateId));
	}

	@Test
	void restoreOfADumpComesBackUnderTheSameId() throws Exception {
		String id = awaitSingleInstance();
		OperationReport restore = snapshot(Operation.DUMP, SnapshotOutcome.RESTORED);
		assertThat(restore.operation()).isEqualTo(OperationReport.Type.RESTORE);
		await().atMost(WITHIN).untilAsserted(() -> assertThat(instances()).containsExactly(id));
	}

	@Test
	void failedSnapshotRegistersAgain() throws Exception {
		String id = awaitSingleInstance();
		OperationReport snapshot = snapshot(Operation.CLONE, null);
		assertThat(snapshot.outcome()).isEqualTo(Outcome.ROLLED_BACK);
		assertThat(this.coordinator.getState()).isEqualTo(InstanceState.RUNNING);
		await().atMost(WITHIN).untilAsserted(() -> assertThat(instances()).containsExactly(id));
	}

	@Test
	void serviceThatDoesNotRegisterIsNotRegisteredByAThaw() throws Exception {
		this.application.close();
		await().atMost(WITHIN).untilAsserted(() -> assertThat(instances()).isEmpty());
		startService("--spring.cloud.zookeeper.discovery.register=false");
		assertThat(this.coordinator.freeze().outcome()).isEqualTo(Outcome.SUCCESS);
		assertThat(this.coordinator.thaw(Map.of()).outcome()).isEqualTo(Outcome.SUCCESS);
		assertThat(this.application.getBean(ServiceRegistryParticipant.class).getDeregistered()).isEmpty();
		assertThat(instances()).isEmpty();
	}

	private OperationReport snapshot(Operation operation, SnapshotOutcome outcome) throws Exception {
		String before = awaitSingleInstance();
		// What ZooKeeper sees while the snapshot is taken: the instance is gone
		ScriptedSnapshotPlan plan = ScriptedSnapshotPlan.of("greeter-image", outcome)
			.whileTaking(() -> {
				try {
					assertThat(instances()).doesNotContain(before).isEmpty();
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
		OperationReport report = this.coordinator.snapshot(this.coordinator.reserve(operation), plan);
		return report;
	}

	private String awaitSingleInstance() {
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(instances()).hasSize(1));
		try {
			return instances().get(0);
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static List<String> instances() throws Exception {
		if (reader.checkExists().forPath(SERVICE_PATH) == null) {
			return List.of();
		}
		return reader.getChildren().forPath(SERVICE_PATH);
	}

	private static String data(String id) throws Exception {
		return new String(reader.getData().forPath(SERVICE_PATH + "/" + id), StandardCharsets.UTF_8);
	}

	private static long owner(String id) throws Exception {
		return reader.checkExists().forPath(SERVICE_PATH + "/" + id).getEphemeralOwner();
	}

	private static int port(String data) {
		java.util.regex.Matcher matcher = java.util.regex.Pattern.compile("\"port\":(\\d+)").matcher(data);
		assertThat(matcher.find()).as("port in %s", data).isTrue();
		return Integer.parseInt(matcher.group(1));
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
