package io.cse.node.host;

import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cse.node.CseRun;
import io.cse.node.instance.Instance;
import io.cse.node.instance.NodeContext;
import io.cse.node.instance.Registry;
import io.cse.samples.zookeeper.ZookeeperProcess;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

/**
 * The whole way for an RPC provider, on this machine: {@code samples/hsf-provider} runs
 * as a process of its own, publishing {@code HelloWorldService} through Dubbo to a real
 * ZooKeeper server (in a process of its own too); it is snapshotted as a clone template
 * through {@code /actuator/cse/clone} and cloned three times with {@code cse clone}, each
 * clone in a network namespace of its own. What ZooKeeper holds afterwards, read from
 * ZooKeeper itself: four providers (the template and three clones), each with its own
 * instance id, its own address and its own session; and a consumer's calls reach all
 * four. Needs root and CRIU (see {@link RootOnly}).
 * <p>
 * ZooKeeper listens on the test bridge's address, which the host and every clone's
 * namespace reach alike.
 */
@Timeout(300)
class HsfProviderCloneEndToEndTests {

	private static final String BRIDGE = "cse4z";

	private static final String SUBNET = "10.199.252.0/24";

	private static final String GATEWAY = "10.199.252.1";

	private static final String PROVIDERS = "/dubbo/io.cse.samples.hsf.HelloWorldService/providers";

	private static final Duration STARTUP = Duration.ofSeconds(120);

	private static final ObjectMapper json = new ObjectMapper();

	@TempDir
	Path work;

	private final ServiceProcesses services = new ServiceProcesses();

	private ZookeeperProcess zookeeper;

	private CuratorFramework reader;

	@BeforeEach
	void bridgeAndRegistry() throws Exception {
		RootOnly.require();
		CseRun up = cse("net", "up", "--bridge", BRIDGE, "--subnet", SUBNET);
		assertThat(up.exitCode()).as(up.toString()).isZero();
		this.zookeeper = ZookeeperProcess.start(Path.of(System.getProperty("cse.zookeeper.jar")), "0.0.0.0");
		this.reader = CuratorFrameworkFactory.newClient(this.zookeeper.getConnectString(GATEWAY),
				new RetryOneTime(100));
		this.reader.start();
		this.reader.blockUntilConnected();
	}

	@AfterEach
	void stopEverything() throws InterruptedException {
		cse("stop", "--all", "--timeout", "5s");
		this.services.close();
		if (this.reader != null) {
			this.reader.close();
		}
		if (this.zookeeper != null) {
			this.zookeeper.close();
		}
		cse("net", "down", "--bridge", BRIDGE);
	}

	@Test
	void clonesOfAProviderAreDistinctProvidersInZookeeperAndAllAnswer() throws Exception {
		int port = ServiceProcesses.freePort();
		int dubboPort = ServiceProcesses.freePort();
		String local = "http://127.0.0.1:" + port;
		Path images = this.work.resolve("images");
		Path logs = Files.createDirectories(Path.of("target", "e2e-logs"));
		Path log = logs.resolve("hsf-provider-" + port + ".log");
		String registry = "zookeeper://" + this.zookeeper.getConnectString(GATEWAY);

		// No SASL with ZooKeeper: else each clone's client looks the registry up in DNS first,
		// which the clones' namespaces cannot reach (20 s of resolver timeouts)
		Process template = this.services.startJava(log, List.of("-XX:-UsePerfData", "-Xmx256m", "-Dzookeeper.sasl.client=false", "-jar",
				providerJar(),
				"--server.port=" + port, "--dubbo.protocol.port=" + dubboPort, "--dubbo.registry.address=" + registry,
				"--cse.images.root=" + images));
		awaitStarted(template, local + "/actuator/cse", log);
		String templateId = status(local).path("instance").path("instanceId").asText();
		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(providers()).hasSize(1));
		assertThat(providers().get(0).instanceId()).isEqualTo(templateId);

		// The template: its provider leaves ZooKeeper while the image is written, and comes back
		HttpResponse<String> clone = post(local + "/actuator/cse/clone", "{\"image\": \"template\"}");
		assertThat(clone.statusCode()).as(clone.body()).isEqualTo(202);
		Path image = images.resolve("template");
		await().atMost(Duration.ofSeconds(120)).until(() -> Files.exists(image.resolve("manifest.json")));
		await().atMost(Duration.ofSeconds(30))
			.until(() -> "clone".equals(status(local).path("lastOperation").path("operation").asText()));
		assertThat(status(local).path("lastOperation").path("outcome").asText()).as(Files.readString(log))
			.isEqualTo("SUCCESS");
		await().atMost(Duration.ofSeconds(1)).untilAsserted(() -> assertThat(providers()).singleElement()
			.satisfies((provider) -> assertThat(provider.instanceId()).isEqualTo(templateId)));

		CseRun clones = cse("clone", image.toString(), "--count", "3", "--name-prefix", "hsf-c", "--bridge", BRIDGE,
				"--timeout", "120s");
		assertThat(clones.exitCode()).as(clones.toString()).isZero();
		long clonesAnswered = System.nanoTime();
		List<Instance> cloned = new Registry(this.work.resolve("state")).list()
			.stream()
			.filter((instance) -> instance.name().startsWith("hsf-c"))
			.toList();
		assertThat(cloned).hasSize(3);

		// Each clone knows itself as a new instance, and ZooKeeper has it under that id, at its address
		Map<String, String> expected = new HashMap<>();
		for (Instance instance : cloned) {
			JsonNode cloneStatus = status("http://" + instance.endpoint().address() + ":" + port);
			assertThat(cloneStatus.path("instance").path("parentId").asText()).isEqualTo(templateId);
			expected.put(cloneStatus.path("instance").path("instanceId").asText(),
					instance.endpoint().address() + ":" + dubboPort);
		}
		// Within a few seconds: a clone that cannot renew its session in time would take 20 s here
		// (3 s was too short for a machine whose two cores build something else at the same time)
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(providers()).hasSize(4));
		System.out.println("The clones' providers were all in ZooKeeper "
				+ TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - clonesAnswered) + " ms after cse clone returned");
		List<Provider> providers = providers();
		Map<String, String> registered = providers.stream()
			.collect(Collectors.toMap(Provider::instanceId, Provider::address));
		assertThat(registered).hasSize(4).containsAllEntriesOf(expected).containsKey(templateId);
		assertThat(Set.copyOf(registered.values())).as("four distinct addresses").hasSize(4);
		assertThat(providers.stream().map(Provider::session).distinct()).as("four distinct ZooKeeper sessions")
			.hasSize(4);

		// A consumer, on the host, finds all four through ZooKeeper and calls every one of them
		Path consumerLog = logs.resolve("hsf-consumer-" + port + ".log");
		this.services.startJava(consumerLog, List.of("-Xmx128m", "-cp", providerJar(),
				"-Dloader.main=io.cse.samples.hsf.consumer.HelloWorldConsumer",
				"org.springframework.boot.loader.launch.PropertiesLauncher", "--registry=" + registry, "--calls=0",
				"--interval=10"));
		await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
			Set<String> answered = Files.readAllLines(consumerLog)
				.stream()
				.filter((line) -> line.startsWith("hello : cse <- "))
				.map((line) -> line.substring("hello : cse <- ".length()))
				.collect(Collectors.toSet());
			assertThat(answered).containsAll(registered.entrySet()
				.stream()
				.map((entry) -> entry.getValue() + " instance=" + entry.getKey())
				.toList());
		});

		CseRun stop = cse("stop", "--all");
		assertThat(stop.exitCode()).as(stop.toString()).isZero();
		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(providers()).extracting(Provider::instanceId).containsExactly(templateId));
	}

	private List<Provider> providers() throws Exception {
		if (this.reader.checkExists().forPath(PROVIDERS) == null) {
			return List.of();
		}
		List<Provider> providers = new ArrayList<>();
		for (String child : this.reader.getChildren().forPath(PROVIDERS)) {
			Stat stat = this.reader.checkExists().forPath(PROVIDERS + "/" + child);
			if (stat != null) {
				URI url = URI.create(URLDecoder.decode(child, StandardCharsets.UTF_8));
				providers.add(new Provider(url.getHost() + ":" + url.getPort(), parameter(url, "cse-instance"),
						stat.getEphemeralOwner()));
			}
		}
		return providers;
	}

	private static String parameter(URI url, String name) {
		for (String pair : url.getRawQuery().split("&")) {
			int equals = pair.indexOf('=');
			if (equals > 0 && pair.substring(0, equals).equals(name)) {
				return URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
			}
		}
		return null;
	}

	private static String providerJar() {
		String jar = System.getProperty("cse.hsf-provider.jar");
		if (jar == null || !Files.isRegularFile(Path.of(jar))) {
			fail("No hsf-provider jar at '" + jar + "': build it first with 'mvn -pl samples/hsf-provider -am package'");
		}
		return jar;
	}

	private void awaitStarted(Process process, String url, Path log) {
		this.services.awaitAnswering(process, url, log, STARTUP);
	}

	private JsonNode status(String base) throws IOException {
		return this.services.status(base);
	}

	private HttpResponse<String> post(String url, String body) throws IOException {
		return this.services.post(url, body);
	}

	private CseRun cse(String... args) {
		List<String> all = new ArrayList<>(List.of(args));
		all.addAll(List.of("--state-dir", this.work.resolve("state").toString()));
		return CseRun.of(NodeContext.local(), all.toArray(String[]::new));
	}

	/**
	 * A provider node in ZooKeeper.
	 *
	 * @param address the address in its URL
	 * @param instanceId its {@code cse-instance} parameter
	 * @param session the session that owns the node
	 */
	record Provider(String address, String instanceId, long session) {

	}

}
