package io.cse.node.host;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cse.node.agent.Agent;
import io.cse.node.agent.AgentClient;
import io.cse.node.agent.AgentServer;
import io.cse.node.agent.ApiResponse;
import io.cse.node.instance.NodeContext;
import io.cse.node.instance.Registry;
import io.cse.samples.postgres.PostgresProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A pool of frozen hello-web clones on this machine, through a resident agent's API: the
 * clones are restored in cgroups of their own, frozen and squeezed; a take thaws one that
 * serves with its own identity and database connections, the activator wakes it from a
 * freeze on its next request, and the agent restores a replacement. Needs root, CRIU and cgroup v1 (see {@link RootOnly}).
 */
@Timeout(300)
class HelloWebPoolEndToEndTests {

	private static final String BRIDGE = "csepool";

	private static final String SUBNET = "10.199.249.0/24";

	private static final String GATEWAY = "10.199.249.1";

	private static final ObjectMapper json = new ObjectMapper();

	@TempDir
	Path work;

	private final ServiceProcesses services = new ServiceProcesses();

	private PostgresProcess postgres;

	private Agent agent;

	private AgentServer server;

	private AgentClient client;

	@BeforeEach
	void agentAndDatabase() throws IOException {
		RootOnly.require();
		RootOnly.requireFreezing();
		this.agent = new Agent(NodeContext.local(), new Agent.Settings(this.work.resolve("state"),
				this.work.resolve("images"), RootOnly.CRIU, BRIDGE));
		this.server = this.agent.serve(this.work.resolve("agent.sock"), null);
		this.client = new AgentClient(this.server.socket());
		assertThat(call("PUT", "/bridges/" + BRIDGE, "{\"subnet\": \"" + SUBNET + "\"}").status()).isEqualTo(200);
		this.postgres = PostgresProcess.start(Path.of(System.getProperty("cse.postgres.jar")), "127.0.0.1," + GATEWAY,
				List.of(SUBNET));
	}

	@AfterEach
	void stopEverything() throws Exception {
		for (JsonNode pool : json(call("GET", "/pools", null))) {
			call("DELETE", "/pools/" + pool.path("name").asText(), null);
		}
		for (JsonNode instance : json(call("GET", "/instances", null))) {
			call("DELETE", "/instances/" + instance.path("instance").path("name").asText() + "?grace=5s", null);
		}
		this.services.close();
		if (this.postgres != null) {
			this.postgres.close();
		}
		call("DELETE", "/bridges/" + BRIDGE, null);
		this.server.close();
		this.agent.close();
	}

	@Test
	void aTakenCloneServesAtOnceWithItsOwnIdentityAndThePoolIsRefilled() throws Exception {
		int port = ServiceProcesses.freePort();
		String local = "http://127.0.0.1:" + port;
		Path log = Files.createDirectories(Path.of("target", "e2e-logs")).resolve("pool-" + port + ".log");
		Process original = this.services.start(Path.of(System.getProperty("java.home"), "bin", "java"), log,
				List.of("-XX:-UsePerfData", "-Xmx256m", "-jar", System.getProperty("cse.hello-web.jar"),
						"--server.port=" + port, "--spring.datasource.url=" + this.postgres.getJdbcUrl(GATEWAY),
						"--cse.images.root=" + this.work.resolve("images")));
		this.services.awaitAnswering(original, local + "/actuator/cse", log, Duration.ofSeconds(120));
		String templateId = this.services.status(local).path("instance").path("instanceId").asText();
		HttpResponse<String> clone = this.services.post(local + "/actuator/cse/clone", "{\"image\": \"template\"}");
		assertThat(clone.statusCode()).as(clone.body()).isEqualTo(202);
		Path template = this.work.resolve("images/template");
		await().atMost(Duration.ofSeconds(120)).until(() -> Files.exists(template.resolve("manifest.json")));

		ApiResponse created = call("POST", "/pools",
				"{\"name\": \"hello\", \"template\": \"template\", \"size\": 2, \"squeeze\": true}");
		assertThat(created.status()).as(created.bodyText()).isEqualTo(201);
		assertThat(json(created).path("ready").asInt()).isEqualTo(2);
		List<String> members = new ArrayList<>();
		json(created).path("members").forEach((member) -> members.add(member.asText()));
		for (String member : members) {
			// the kernel's own view: frozen, and squeezed down to a fraction of a running JVM
			Path freezer = Path.of("/sys/fs/cgroup/freezer/cse", member);
			assertThat(Files.readString(freezer.resolve("freezer.state")).strip()).isEqualTo("FROZEN");
			assertThat(Files.readAllLines(freezer.resolve("cgroup.procs"))).hasSizeGreaterThanOrEqualTo(2);
			long charged = Long.parseLong(Files
				.readString(Path.of("/sys/fs/cgroup/memory/cse", member, "memory.usage_in_bytes")).strip());
			assertThat(charged).as("memory charged to frozen, squeezed " + member).isLessThan(64L * 1024 * 1024);
		}

		ApiResponse taken = call("POST", "/pools/hello/take", null);
		assertThat(taken.status()).as(taken.bodyText()).isEqualTo(200);
		JsonNode instance = json(taken).path("instance");
		assertThat(json(taken).path("fromPool").asBoolean()).isTrue();
		assertThat(instance.path("name").asText()).isEqualTo(members.get(0));
		String base = "http://" + instance.path("endpoint").path("address").asText() + ":" + port;
		assertThat(this.services.get(base + "/").body()).isEqualTo("Hello World!");
		assertThat(this.services.post(base + "/visits", null).statusCode()).isEqualTo(200);
		assertThat(this.postgres.countConnectionsFrom(instance.path("endpoint").path("address").asText()))
			.as("the taken clone's own connections, seen by the database").isPositive();
		JsonNode cloneStatus = this.services.status(base);
		assertThat(cloneStatus.path("instance").path("parentId").asText()).isEqualTo(templateId);
		Set<String> ids = new HashSet<>(Set.of(templateId, cloneStatus.path("instance").path("instanceId").asText()));
		assertThat(ids).hasSize(2);

		// the activator: frozen to wake on its next request, the clone is thawed by that
		// request, which waited in its socket's queue and is served
		String woken = instance.path("name").asText();
		ApiResponse sleeping = call("POST", "/instances/" + woken + "/freeze", "{\"wakeOnRequest\": true}");
		assertThat(sleeping.status()).as(sleeping.bodyText()).isEqualTo(200);
		Path takenFreezer = Path.of("/sys/fs/cgroup/freezer/cse", woken, "freezer.state");
		assertThat(Files.readString(takenFreezer).strip()).isEqualTo("FROZEN");
		assertThat(this.services.get(base + "/").body()).isEqualTo("Hello World!");
		assertThat(Files.readString(takenFreezer).strip()).isEqualTo("THAWED");

		// the agent restores a replacement in the background
		await().atMost(Duration.ofSeconds(90)).until(() -> json(call("GET", "/pools/hello", null)).path("ready")
			.asInt() == 2);
		assertThat(new Registry(this.work.resolve("state")).list()).hasSize(3);

		ApiResponse deleted = call("DELETE", "/pools/hello", null);
		assertThat(deleted.status()).as(deleted.bodyText()).isEqualTo(200);
		assertThat(new Registry(this.work.resolve("state")).list()).hasSize(1);
		for (JsonNode stopped : json(deleted).path("stopped")) {
			assertThat(Path.of("/sys/fs/cgroup/freezer/cse", stopped.asText())).doesNotExist();
		}
		// the taken clone keeps serving
		assertThat(this.services.get(base + "/").body()).isEqualTo("Hello World!");
	}

	private ApiResponse call(String method, String target, String body) throws IOException {
		return this.client.call(method, target, body);
	}

	private static JsonNode json(ApiResponse response) throws IOException {
		return json.readTree(response.body());
	}

}
