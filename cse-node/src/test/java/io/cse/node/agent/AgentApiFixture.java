package io.cse.node.agent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cse.node.FakeHost;
import io.cse.node.FakeProbe;
import io.cse.node.instance.Instance;
import io.cse.node.instance.NodeContext;
import io.cse.node.instance.Registry;

/**
 * A resident agent on a {@link FakeHost} with cgroup v1 and a zram device, served on a real
 * Unix socket and called through {@link AgentClient}, as a platform calls it.
 * <p>
 * With {@code -DagentApiExamples=<folder>} every exchange is appended to a file of that
 * folder named after the test, so that {@code docs/agent-api.md} quotes real answers.
 */
final class AgentApiFixture implements AutoCloseable {

	static final Path FREEZER = Path.of("/sys/fs/cgroup/freezer/cse/app");

	static final Path MEMORY = Path.of("/sys/fs/cgroup/memory/cse/app");

	private static final ObjectMapper JSON = new ObjectMapper();

	final FakeHost host = new FakeHost();

	final FakeProbe probe = new FakeProbe();

	final Path stateDir;

	final Path imagesRoot;

	private final Agent agent;

	private final AgentServer server;

	private final AgentClient client;

	private final Path examples;

	AgentApiFixture(Path temp, String testName) {
		this.host.withCgroupV1AndZram();
		this.stateDir = temp.resolve("state");
		this.imagesRoot = temp.resolve("images");
		this.agent = new Agent(new NodeContext(this.host, this.probe),
				new Agent.Settings(this.stateDir, this.imagesRoot, null, "cse0"));
		this.server = this.agent.serve(temp.resolve("run/agent.sock"), null);
		this.client = new AgentClient(this.server.socket());
		String folder = System.getProperty("agentApiExamples");
		this.examples = (folder != null) ? Path.of(folder).resolve(testName + ".txt") : null;
	}

	/**
	 * Call the agent.
	 * @param method the HTTP method
	 * @param target the path and query
	 * @param body a JSON text, or {@code null}
	 * @return the answer
	 */
	Answer call(String method, String target, String body) {
		try {
			ApiResponse response = this.client.call(method, target, body);
			Answer answer = new Answer(response.status(), response.contentType(), response.bodyText());
			record(method, target, body, answer);
			return answer;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	Answer get(String target) {
		return call("GET", target, null);
	}

	Answer post(String target, String body) {
		return call("POST", target, body);
	}

	/**
	 * Start a service named {@code app} on port 8081, as {@code cse run} does.
	 * @return the answer
	 */
	Answer runApp() {
		return post("/instances", "{\"name\": \"app\", \"port\": 8081, \"command\": [\"/usr/bin/java\", \"-jar\", "
				+ "\"app.jar\"]}");
	}

	List<Instance> registered() {
		return new Registry(this.stateDir).list();
	}

	/**
	 * What the host and the registry hold now, to show that a refused request changed
	 * nothing.
	 * @return the host's commands and writes so far, and the registry's entries
	 */
	Snapshot snapshot() {
		return new Snapshot(this.host.commands(), this.host.writes(), registered());
	}

	private void record(String method, String target, String body, Answer answer) {
		if (this.examples == null) {
			return;
		}
		StringBuilder text = new StringBuilder("> ").append(method).append(' ').append(target).append('\n');
		if (body != null) {
			text.append("> ").append(body).append('\n');
		}
		text.append("< ").append(answer.status()).append(' ').append(answer.contentType()).append('\n');
		text.append(answer.contentType().startsWith("application/json") ? answer.pretty() : answer.body());
		text.append("\n\n");
		try {
			Files.createDirectories(this.examples.getParent());
			Files.writeString(this.examples, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
					StandardOpenOption.APPEND);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	@Override
	public void close() {
		this.server.close();
		this.agent.close();
	}

	/**
	 * The agent's answer.
	 *
	 * @param status the HTTP status
	 * @param contentType its media type
	 * @param body its body
	 */
	record Answer(int status, String contentType, String body) {

		JsonNode json() {
			try {
				return JSON.readTree(this.body);
			}
			catch (IOException ex) {
				throw new IllegalStateException("Not JSON: " + this.body, ex);
			}
		}

		String error() {
			return json().path("error").asText();
		}

		String pretty() {
			try {
				return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json());
			}
			catch (IOException ex) {
				throw new IllegalStateException(ex);
			}
		}

		@Override
		public String toString() {
			return this.status + " " + this.body;
		}

	}

	/**
	 * What the host was told and what the registry held at one moment.
	 *
	 * @param commands the commands run on the host
	 * @param writes the files written on the host
	 * @param registry the registry's entries
	 */
	record Snapshot(List<List<String>> commands, List<String> writes, List<Instance> registry) {

	}

}
