package io.cse.samples.hsf;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import io.cse.CheckpointContext.Operation;
import io.cse.CheckpointCoordinator;
import io.cse.OperationReport;
import io.cse.OperationReport.Outcome;
import io.cse.ScriptedSnapshotPlan;
import io.cse.registry.CloneAddressResolver;
import io.cse.samples.hsf.ProviderNodes.Node;
import io.cse.samples.zookeeper.ZookeeperProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The provider against a real ZooKeeper server, run in a process of its own as the quick
 * start runs it, with a real Dubbo consumer: what ZooKeeper itself holds under
 * {@code /dubbo/io.cse.samples.hsf.HelloWorldService/providers} across a freeze, a thaw
 * and a clone, driven through {@code /actuator/cse} as a platform drives it.
 */
class HsfProviderRegistryTests {

	private static final Duration WITHIN = Duration.ofSeconds(1);

	private static final String CLONE_ADDRESS = "127.0.0.1";

	private static ZookeeperProcess zookeeper;

	private static ProviderNodes nodes;

	private static ConsumerProcess consumer;

	private final HttpClient http = HttpClient.newHttpClient();

	private ConfigurableApplicationContext provider;

	private String base;

	@BeforeAll
	static void startZookeeperAndConsumer() throws Exception {
		zookeeper = ZookeeperProcess.start();
		nodes = new ProviderNodes(zookeeper.getConnectString("127.0.0.1"));
		consumer = new ConsumerProcess(registryAddress());
	}

	@AfterAll
	static void stopZookeeper() throws InterruptedException {
		if (consumer != null) {
			consumer.close();
		}
		if (nodes != null) {
			nodes.close();
		}
		if (zookeeper != null) {
			zookeeper.close();
		}
	}

	@AfterEach
	void stopProvider() {
		if (this.provider != null) {
			this.provider.close();
		}
	}

	@Test
	void providerLeavesZookeeperOnFreezeAndComesBackOnThaw() throws Exception {
		startProvider();
		Node registered = awaitSingleNode();
		String instanceId = this.provider.getBean(CheckpointCoordinator.class).getIdentity().getInstanceId();
		assertThat(registered.instanceId()).isEqualTo(instanceId);
		awaitAnswersFrom(registered.address(), instanceId);

		HttpResponse<String> freeze = post("/actuator/cse/freeze");
		assertThat(freeze.statusCode()).isEqualTo(200);
		assertThat(freeze.body()).contains("\"outcome\":\"SUCCESS\"").contains("\"participant\":\"providers\"");
		await().atMost(WITHIN).untilAsserted(() -> assertThat(nodes.list()).isEmpty());
		// ZooKeeper tells the consumer, which stops calling the frozen provider
		int frozen = consumer.mark();
		await().atMost(Duration.ofSeconds(5))
			.until(() -> consumer.since(frozen).stream().anyMatch((line) -> line.startsWith("FAILED No provider")));

		HttpResponse<String> thaw = post("/actuator/cse/thaw");
		assertThat(thaw.statusCode()).isEqualTo(200);
		assertThat(thaw.body()).contains("\"outcome\":\"SUCCESS\"");
		await().atMost(WITHIN).untilAsserted(() -> assertThat(nodes.list()).singleElement()
			.satisfies((node) -> assertThat(node.url()).isEqualTo(registered.url())));
		awaitAnswersFrom(registered.address(), instanceId);
	}

	@Test
	void hazardCheckSaysDubboPublishesTheService() throws Exception {
		startProvider();
		HttpResponse<String> hazardCheck = get("/actuator/cse/hazardCheck");
		assertThat(hazardCheck.body()).contains("\"name\":\"helloWorldServiceImpl\"")
			.contains("\"publishedBy\":[\"dubbo\"]")
			.contains("\"hazards\":[]");
	}

	@Test
	void cloneComesBackAtItsOwnAddressUnderItsOwnIdWithASessionOfItsOwn() throws Exception {
		startProvider(CloneAddress.class);
		Node template = awaitSingleNode();
		awaitAnswersFrom(template.address(), template.instanceId());
		CheckpointCoordinator coordinator = this.provider.getBean(CheckpointCoordinator.class);

		// A clone restore, in this process: what a clone finds after a real one
		OperationReport restore = coordinator.snapshot(coordinator.reserve(Operation.CLONE),
				ScriptedSnapshotPlan.restored("hsf-template").asCloneOf(coordinator.getIdentity())
					// While the image is written, no consumer can find the provider
					.whileTaking(() -> {
						try {
							assertThat(nodes.list()).isEmpty();
						}
						catch (Exception ex) {
							throw new IllegalStateException(ex);
						}
					}));
		assertThat(restore.outcome()).as(restore.error()).isEqualTo(Outcome.SUCCESS);
		String cloneId = coordinator.getIdentity().getInstanceId();
		assertThat(cloneId).isNotEqualTo(template.instanceId());

		await().atMost(WITHIN).untilAsserted(() -> assertThat(nodes.list()).singleElement().satisfies((node) -> {
			assertThat(node.instanceId()).isEqualTo(cloneId);
			assertThat(node.url().getHost()).isEqualTo(CLONE_ADDRESS);
			assertThat(node.url().getPort()).isEqualTo(template.url().getPort());
			assertThat(node.session()).as("the clone's node is owned by a session of its own")
				.isNotEqualTo(template.session());
		}));
		awaitAnswersFrom(CLONE_ADDRESS + ":" + template.url().getPort(), cloneId);
	}

	@Test
	void applicationLevelRegistrationIsRefusedWithTheSettingToChange() throws Exception {
		startProvider(null, "--dubbo.application.register-mode=all");
		Node registered = awaitSingleNode();
		HttpResponse<String> freeze = post("/actuator/cse/freeze");
		assertThat(freeze.body()).contains("\"outcome\":\"ROLLED_BACK\"")
			.contains("application-level service discovery")
			.contains("dubbo.application.register-mode=interface");
		assertThat(nodes.list()).hasSize(1);
		// Found through application-level discovery too, whose URLs carry no instance id
		awaitAnswersFrom(registered.address(), "?");
	}

	private void startProvider() throws IOException {
		startProvider(null);
	}

	private void startProvider(Class<?> extra, String... more) throws IOException {
		SpringApplicationBuilder builder = new SpringApplicationBuilder(HsfProviderApplication.class);
		if (extra != null) {
			builder.sources(extra);
		}
		List<String> args = new java.util.ArrayList<>(List.of("--server.port=0",
				"--dubbo.protocol.port=" + freePort(), "--dubbo.registry.address=" + registryAddress(),
				"--cse.memory.trim-heap=false"));
		args.addAll(List.of(more));
		this.provider = builder.run(args.toArray(String[]::new));
		int port = ((WebServerApplicationContext) this.provider).getWebServer().getPort();
		this.base = "http://127.0.0.1:" + port;
	}

	private static Node awaitSingleNode() {
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(nodes.list()).hasSize(1));
		try {
			return nodes.list().get(0);
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static void awaitAnswersFrom(String address, String instanceId) {
		// The consumer learns of a provider from ZooKeeper's notification, then calls it
		String answer = "hello : cse <- " + address + " instance=" + instanceId;
		int mark = consumer.mark();
		await().atMost(Duration.ofSeconds(5)).until(() -> consumer.since(mark).contains(answer));
		int answering = consumer.mark();
		await().atMost(WITHIN).until(() -> consumer.since(answering).size() >= 5);
		assertThat(consumer.since(answering)).as("every call succeeds").allMatch(answer::equals);
	}

	private static String registryAddress() {
		return "zookeeper://" + zookeeper.getConnectString("127.0.0.1");
	}

	private HttpResponse<String> get(String path) throws Exception {
		return this.http.send(HttpRequest.newBuilder(URI.create(this.base + path)).GET().build(),
				HttpResponse.BodyHandlers.ofString());
	}

	private HttpResponse<String> post(String path) throws Exception {
		return this.http.send(
				HttpRequest.newBuilder(URI.create(this.base + path)).POST(HttpRequest.BodyPublishers.noBody()).build(),
				HttpResponse.BodyHandlers.ofString());
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

	@Configuration(proxyBeanMethods = false)
	static class CloneAddress {

		@Bean
		CloneAddressResolver cloneAddressResolver() {
			return () -> CLONE_ADDRESS;
		}

	}

}
