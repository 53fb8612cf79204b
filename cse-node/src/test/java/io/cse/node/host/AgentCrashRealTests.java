package io.cse.node.host;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cse.node.agent.AgentClient;
import io.cse.node.agent.ApiResponse;
import io.cse.node.host.PythonService.Template;
import io.cse.node.instance.Instance;
import io.cse.node.instance.Instance.Freeze;
import io.cse.node.instance.Registry;
import io.cse.node.linux.Cgroup;
import io.cse.node.linux.LocalHost;
import io.cse.snapshot.ImageManifest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code kill -9} of a resident agent ({@code cse agent}, a process of its own) in the
 * middle of a clone and of a freeze, then a new agent on the same state folder: it finds
 * what the killed one left and leaves nothing behind. Needs root, CRIU and cgroup v1 (see
 * {@link RootOnly}).
 * <p>
 * Both kills are made deterministic: the clones restore a template whose health path never
 * answers 200, so they stay starting until the kill; the service's
 * {@code POST /actuator/cse/freeze} does not answer until it is thawed, so the agent is
 * killed while it waits for it, with the freeze recorded as begun. The test then freezes
 * the service's cgroup itself, as the agent leaves it when killed right after its cgroup
 * write, a moment no test can hit on purpose.
 */
@Timeout(90)
class AgentCrashRealTests {

	private static final String BRIDGE = "csecrash";

	private static final String SUBNET = "10.199.249.0/24";

	private static final ObjectMapper JSON = new ObjectMapper();

	// A service as 'cse run' starts it: /actuator/cse answers, a freeze waits for the thaw.
	private static final String SERVICE = """
			import http.server, json, socketserver, sys, threading
			port = int(sys.argv[1])
			resumed = threading.Event()
			state = {"value": "RUNNING"}
			class Handler(http.server.BaseHTTPRequestHandler):
			    def answer(self, status, body):
			        data = json.dumps(body).encode()
			        self.send_response(status)
			        self.send_header("Content-Type", "application/json")
			        self.send_header("Content-Length", str(len(data)))
			        self.end_headers()
			        self.wfile.write(data)
			    def do_GET(self):
			        if self.path in ("/", "/actuator/cse"):
			            self.answer(200, {"state": state["value"], "instance": {"instanceId": "py-run"}})
			        else:
			            self.send_error(404)
			    def do_POST(self):
			        # the agent freezes with ?thawOnRequest=false
			        path = self.path.split("?")[0]
			        if path == "/actuator/cse/freeze":
			            state["value"] = "FROZEN"
			            resumed.clear()
			            resumed.wait(120)
			            self.answer(200, {"state": state["value"]})
			        elif path == "/actuator/cse/thaw":
			            if state["value"] != "FROZEN":
			                self.answer(409, {"state": state["value"]})
			                return
			            state["value"] = "RUNNING"
			            resumed.set()
			            self.answer(200, {"state": state["value"]})
			        else:
			            self.send_error(404)
			    def log_message(self, *args):
			        pass
			class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
			    allow_reuse_address = True
			    daemon_threads = True
			Server(("127.0.0.1", port), Handler).serve_forever()
			""";

	@TempDir
	static Path images;

	static Path neverServing;

	@TempDir
	Path work;

	private final String prefix = "kc" + Integer.toHexString(new Random().nextInt(0x1000, 0x10000));

	private final List<Process> agents = new ArrayList<>();

	@BeforeAll
	static void template() throws Exception {
		RootOnly.require();
		RootOnly.requireFreezing();
		Template template = PythonService.dumpTemplate(images, "crash-template");
		// Its clones answer 404 on this path: they stay starting until the agent is killed.
		ObjectNode manifest = (ObjectNode) JSON.readTree(template.dir().resolve(ImageManifest.FILE_NAME).toFile());
		manifest.put("healthPath", "/never");
		JSON.writeValue(template.dir().resolve(ImageManifest.FILE_NAME).toFile(), manifest);
		neverServing = template.dir();
	}

	@AfterEach
	void stopEverything() throws Exception {
		if (this.agents.isEmpty()) {
			return;
		}
		if (this.agents.stream().noneMatch(Process::isAlive)) {
			startAgent();
		}
		// whatever a failed test left: stopped through the agent, then the agent and the bridge
		AgentClient client = client();
		for (Instance instance : new Registry(state()).list()) {
			client.call("DELETE", "/instances/" + instance.name() + "?grace=1s", null);
		}
		client.call("DELETE", "/bridges/" + BRIDGE, null);
		for (Process process : this.agents) {
			process.destroy();
			process.waitFor(10, TimeUnit.SECONDS);
		}
	}

	@Test
	void anAgentKilledDuringACloneLeavesNothingTheNextOneDoesNotRemove() throws Exception {
		Process killed = startAgent();
		AgentClient client = client();
		assertThat(client.call("PUT", "/bridges/" + BRIDGE, "{\"subnet\": \"" + SUBNET + "\"}").status())
			.isEqualTo(200);
		CompletableFuture.runAsync(() -> callQuietly(client, "POST", "/clones", "{\"image\": \"" + neverServing
				+ "\", \"count\": 2, \"namePrefix\": \"" + this.prefix + "\", \"bridge\": \"" + BRIDGE
				+ "\", \"timeout\": \"60s\"}"));
		// both restored, each in namespaces of its own, neither answering yet
		await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() -> {
			List<Instance> entries = new Registry(state()).list();
			return entries.size() == 2 && entries.stream()
				.allMatch((entry) -> entry.state() == Instance.State.STARTING && entry.process().pid() > 0);
		});
		List<Instance> halfDone = new Registry(state()).list();
		List<Long> pids = new ArrayList<>();
		for (Instance entry : halfDone) {
			pids.add(entry.launcher().pid());
			pids.add(entry.process().pid());
			pids.addAll(new LocalHost().children(entry.process().pid()));
		}
		assertThat(namespaces()).contains("cse-" + this.prefix + "-1", "cse-" + this.prefix + "-2");

		killed.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
		startAgent();

		JsonNode findings = health().path("reconciled").path("findings");
		assertThat(findings).as(findings.toString()).hasSize(2);
		for (JsonNode finding : findings) {
			assertThat(finding.path("what").asText()).isEqualTo("half-done-start");
			assertThat(finding.path("failed").asBoolean()).as(finding.toString()).isFalse();
		}
		for (long pid : pids) {
			assertThat(new LocalHost().process(pid).filter((process) -> !process.isZombie())).as("process " + pid)
				.isEmpty();
		}
		assertThat(namespaces()).doesNotContain("cse-" + this.prefix);
		assertThat(PythonService.run("ip", "-o", "link", "show").output()).doesNotContain(BRIDGE + "v");
		assertThat(new Registry(state()).list()).isEmpty();
		assertThat(state().resolve("claims")).isEmptyDirectory();
	}

	@Test
	void anAgentKilledDuringAFreezeLeavesAServiceTheNextOneThaws() throws Exception {
		Process killed = startAgent();
		AgentClient client = client();
		Path script = Files.writeString(this.work.resolve("service.py"), SERVICE);
		int port = ServiceProcesses.freePort();
		String name = this.prefix + "-run";
		ApiResponse run = client.call("POST", "/instances", "{\"name\": \"" + name + "\", \"port\": " + port
				+ ", \"command\": [\"" + RootOnly.python() + "\", \"" + script + "\", \"" + port
				+ "\"], \"timeout\": \"30s\"}");
		assertThat(run.status()).as(run.bodyText()).isEqualTo(201);
		URI root = URI.create("http://127.0.0.1:" + port + "/");
		CompletableFuture.runAsync(() -> callQuietly(client, "POST", "/instances/" + name + "/freeze", "{}"));
		// the service was asked to freeze (and quiesced), the agent recorded it as begun
		await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20)).until(() -> PythonService
			.body(root).contains("FROZEN")
				&& new Registry(state()).find(name).orElseThrow().cgroups().freeze() == Freeze.FREEZING);

		killed.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
		Instance instance = new Registry(state()).find(name).orElseThrow();
		Cgroup cgroup = new Cgroup(new LocalHost(), Path.of(instance.cgroups().freezer()),
				Path.of(instance.cgroups().memory()));
		// as an agent killed right after its cgroup write leaves it
		cgroup.freeze(Duration.ofSeconds(10));
		assertThat(cgroup.state()).isEqualTo(Cgroup.FROZEN);
		startAgent();

		JsonNode findings = health().path("reconciled").path("findings");
		assertThat(findings).as(findings.toString()).hasSize(2);
		assertThat(findings.get(0).path("what").asText()).isEqualTo("running-instance");
		assertThat(findings.get(1).path("what").asText()).isEqualTo("unconfirmed-freeze");
		assertThat(findings.get(1).path("action").asText()).contains("it was FROZEN", "answered 200");
		assertThat(cgroup.state()).isEqualTo(Cgroup.THAWED);
		assertThat(PythonService.body(root)).contains("\"state\": \"RUNNING\"");
		assertThat(new Registry(state()).find(name).orElseThrow().cgroups().freeze()).isEqualTo(Freeze.THAWED);

		ApiResponse stop = client().call("DELETE", "/instances/" + name, null);
		assertThat(stop.status()).as(stop.bodyText()).isEqualTo(200);
		assertThat(cgroup.exists()).isFalse();
		assertThat(new LocalHost().process(instance.process().pid()).filter((process) -> !process.isZombie()))
			.isEmpty();
	}

	private Process startAgent() throws IOException {
		List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				"-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
				"io.cse.node.Cse", "agent", "--socket", socket().toString(), "--state-dir", state().toString(),
				"--images-root", images.toString(), "--criu", RootOnly.CRIU.toString(), "--bridge", BRIDGE));
		// under target/, where it outlives the test for whoever reads a failure
		Path log = Files.createDirectories(Path.of("target", "e2e-logs"))
			.resolve("agent-" + this.prefix + "-" + this.agents.size() + ".log");
		Process agent = new ProcessBuilder(command).redirectInput(new File("/dev/null"))
			.redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
			.start();
		this.agents.add(agent);
		await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> {
			assertThat(agent.isAlive()).as("the agent runs; its log:\n%s", Files.readString(log)).isTrue();
			return Files.readString(log).contains("Reconciled:") && AgentClient.answers(socket());
		});
		return agent;
	}

	private JsonNode health() throws IOException {
		return JSON.readTree(client().call("GET", "/healthz", null).bodyText());
	}

	private AgentClient client() {
		return new AgentClient(socket());
	}

	private Path socket() {
		return this.work.resolve("run/agent.sock");
	}

	private Path state() {
		return this.work.resolve("state");
	}

	private static String namespaces() throws Exception {
		return PythonService.run("ip", "netns", "list").output();
	}

	private static void callQuietly(AgentClient client, String method, String target, String body) {
		try {
			client.call(method, target, body);
		}
		catch (IOException ex) {
			// the agent was killed while it answered: what this test does
		}
	}

}
