package io.cse.node.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cse.node.FakeHost;
import io.cse.node.FakeProbe;
import io.cse.node.instance.Deadline;
import io.cse.node.instance.Node;
import io.cse.node.instance.NodeContext;
import io.cse.node.instance.Registry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The resident agent reconciles before it answers, and {@code GET /healthz} tells what it
 * found; an agent made in a command's process does not reconcile.
 */
class AgentReconcileTests {

	private static final ObjectMapper JSON = new ObjectMapper();

	@TempDir
	Path temp;

	private final FakeHost host = new FakeHost().withCgroupV1AndZram();

	private final FakeProbe probe = new FakeProbe();

	@Test
	void healthTellsWhatTheResidentAgentFoundOnItsStart() throws IOException {
		Path state = this.temp.resolve("state");
		Node before = new Node(new NodeContext(this.host, this.probe), new Registry(state));
		long dead = before.run("gone", 8082, List.of("/usr/bin/java", "-jar", "gone.jar"),
				Deadline.in(Duration.ofSeconds(5))).instance().process().pid();
		before.run("app", 8081, List.of("/usr/bin/java", "-jar", "app.jar"), Deadline.in(Duration.ofSeconds(5)));
		this.host.killExternally(dead);

		Agent agent = new Agent(new NodeContext(this.host, this.probe),
				new Agent.Settings(state, this.temp.resolve("images"), null, "cse0"));
		Agent.Serving serving = agent.serveReconciled(this.temp.resolve("run/agent.sock"), null);
		try (AgentServer server = serving.server()) {
			assertThat(serving.reconciled().findings()).extracting((finding) -> finding.what().toString())
				.containsExactly("running-instance", "dead-instance");
			JsonNode health = JSON.readTree(new AgentClient(server.socket()).call("GET", "/healthz", null).bodyText());
			capture("AgentReconcileTests.healthz", health);
			assertThat(health.path("instances").asInt()).isEqualTo(1);
			JsonNode findings = health.path("reconciled").path("findings");
			assertThat(findings).hasSize(2);
			assertThat(findings.get(0).path("what").asText()).isEqualTo("running-instance");
			assertThat(findings.get(0).path("name").asText()).isEqualTo("app");
			assertThat(findings.get(1).path("what").asText()).isEqualTo("dead-instance");
			assertThat(findings.get(1).path("name").asText()).isEqualTo("gone");
			assertThat(findings.get(1).path("action").asText()).startsWith("its process " + dead + " is gone");
			assertThat(findings.get(1).path("failed").asBoolean()).isFalse();
			assertThat(health.path("reconciled").path("at").asText()).isNotEmpty();
		}
		assertThat(new Registry(state).list()).extracting((instance) -> instance.name()).containsExactly("app");
	}

	/**
	 * With {@code -DagentApiExamples=<folder>}, keep an answer for {@code docs/agent-api.md}.
	 */
	private static void capture(String name, JsonNode answer) throws IOException {
		String folder = System.getProperty("agentApiExamples");
		if (folder != null) {
			Files.createDirectories(Path.of(folder));
			Files.writeString(Path.of(folder).resolve(name + ".txt"),
					JSON.writerWithDefaultPrettyPrinter().writeValueAsString(answer) + "\n");
		}
	}

	@Test
	void anAgentInACommandsProcessDoesNotReconcile() throws IOException {
		Agent agent = new Agent(new NodeContext(this.host, this.probe),
				new Agent.Settings(this.temp.resolve("state"), this.temp.resolve("images"), null, "cse0"));
		try (AgentServer server = agent.serve(this.temp.resolve("run/agent.sock"), null)) {
			JsonNode health = JSON.readTree(new AgentClient(server.socket()).call("GET", "/healthz", null).bodyText());
			assertThat(health.has("reconciled")).isTrue();
			assertThat(health.path("reconciled").isNull()).isTrue();
		}
		assertThat(agent.reconciled()).isNull();
	}

}
