package io.cse.node.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cse.node.CseRun;
import io.cse.node.FakeHost;
import io.cse.node.FakeProbe;
import io.cse.node.TestImages;
import io.cse.node.instance.NodeContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a script reads from {@code cse}: with {@code --json}, the agent's answer, parsed
 * here as a script would; and an exit code per class of failure, the same in every
 * command.
 */
class JsonAndExitCodesTests {

	private static final ObjectMapper JSON = new ObjectMapper();

	@TempDir
	Path temp;

	private final FakeHost host = new FakeHost();

	private final FakeProbe probe = new FakeProbe();

	private Path template;

	@BeforeEach
	void template() throws IOException {
		this.host.withCgroupV1AndZram();
		this.template = TestImages.template(this.temp, "tpl-1", 4242, 8080);
	}

	private CseRun cse(String... args) {
		List<String> all = new ArrayList<>(List.of(args));
		int separator = all.indexOf("--");
		all.addAll((separator >= 0) ? separator : all.size(),
				List.of("--state-dir", this.temp.resolve("state").toString()));
		return CseRun.of(new NodeContext(this.host, this.probe), all.toArray(String[]::new));
	}

	private JsonNode json(CseRun run) throws IOException {
		assertThat(run.exitCode()).as(run.toString()).isZero();
		assertThat(run.out().strip().lines()).as("one JSON document on one line").hasSize(1);
		return JSON.readTree(run.out());
	}

	@Test
	void everyCommandThatReportsPrintsTheAgentsAnswerWithJson() throws IOException {
		JsonNode started = json(cse("run", "--json", "--name", "app", "--", "/usr/bin/java", "-jar", "app.jar",
				"--server.port=8081"));
		assertThat(started.path("instance").path("name").asText()).isEqualTo("app");
		assertThat(started.path("instance").path("endpoint").path("port").asInt()).isEqualTo(8081);
		assertThat(started.path("first200Millis").isNumber()).isTrue();

		JsonNode frozen = json(cse("freeze", "app", "--json"));
		assertThat(frozen.path("quiescedMillis").isNumber()).isTrue();
		assertThat(frozen.path("before").path("residentBytes").isNumber()).isTrue();
		JsonNode thawed = json(cse("thaw", "app", "--json"));
		assertThat(thawed.path("wasFrozen").asBoolean()).isTrue();

		JsonNode restored = json(cse("restore", this.template.toString(), "--name", "web", "--json"));
		assertThat(restored.path("instance").path("source").path("imageId").asText()).isEqualTo("tpl-1");
		JsonNode clones = json(cse("clone", this.template.toString(), "--count", "2", "--name-prefix", "c", "--json"));
		assertThat(clones.isArray()).isTrue();
		assertThat(clones.findValuesAsText("name")).contains("c-1", "c-2");

		JsonNode instances = json(cse("ps", "--json"));
		assertThat(instances.isArray()).isTrue();
		assertThat(instances.findValuesAsText("name")).containsExactlyInAnyOrder("app", "web", "c-1", "c-2");
		assertThat(json(cse("pool", "ls", "--json")).isArray()).isTrue();
	}

	@Test
	void everyCommandThatChangesSomethingPrintsWhatItDidWithJson() throws IOException {
		JsonNode bridge = json(cse("net", "up", "--json"));
		assertThat(bridge.path("subnet").asText()).as("the host's address on it").isEqualTo("10.199.0.1/24");
		assertThat(bridge.path("created").asBoolean()).isTrue();
		assertThat(json(cse("pool", "create", this.template.toString(), "--name", "web", "--size", "1", "--json"))
			.path("name")
			.asText()).isEqualTo("web");
		JsonNode pool = json(cse("pool", "rm", "web", "--json"));
		assertThat(pool.path("stopped").size()).as(pool.toString()).isEqualTo(1);

		assertThat(cse("run", "--name", "app", "--", "/usr/bin/java", "-jar", "app.jar").exitCode()).isZero();
		assertThat(cse("restore", this.template.toString(), "--name", "web").exitCode()).isZero();
		JsonNode stopped = json(cse("stop", "app", "web", "--json"));
		assertThat(stopped.isArray()).isTrue();
		assertThat(stopped.findValuesAsText("name")).containsExactly("app", "web");
		assertThat(json(cse("stop", "--all", "--json"))).as("nothing left to stop").isEmpty();
		CseRun unknown = cse("stop", "nothing", "--json");
		assertThat(unknown.exitCode()).as("not found").isEqualTo(3);
		assertThat(JSON.readTree(unknown.out())).isEmpty();

		assertThat(json(cse("net", "down", "--json")).path("deleted").asBoolean()).isTrue();
	}

	@Test
	void aFailureSaysWhyInItsExitCode() {
		assertThat(cse("freeze", "--floor").exitCode()).as("usage").isEqualTo(2);
		assertThat(cse("freeze", "nothing").exitCode()).as("not found").isEqualTo(3);
		assertThat(cse("pool", "take", "nothing").exitCode()).as("not found").isEqualTo(3);
		assertThat(cse("clone", this.template.toString(), "--count", "0").exitCode()).as("invalid value")
			.isEqualTo(2);
		assertThat(cse("run", "--name", "app", "--", "/usr/bin/java", "-jar", "app.jar").exitCode()).isZero();
		assertThat(cse("run", "--name", "app", "--", "/usr/bin/java", "-jar", "app.jar").exitCode())
			.as("a name in use").isEqualTo(6);
		this.host.root(false);
		assertThat(cse("freeze", "app").exitCode()).as("root missing").isEqualTo(5);
	}

	@Test
	void aWaitOfMoreThanASecondSaysOnStandardErrorWhatItWaitsFor() {
		this.probe.silent("127.0.0.1");
		CseRun run = cse("run", "--name", "app", "--timeout", "2500ms", "--json", "--", "/usr/bin/java", "-jar",
				"app.jar");
		assertThat(run.exitCode()).as("timed out").isEqualTo(4);
		assertThat(run.err()).contains("cse: starting app, waiting for its endpoint to answer (1 s)");
		assertThat(run.out()).as("standard output keeps the answer alone").isEmpty();
		CseRun quiet = cse("run", "--name", "app", "--timeout", "1500ms", "--quiet", "--", "/usr/bin/java", "-jar",
				"app.jar");
		assertThat(quiet.exitCode()).isEqualTo(4);
		assertThat(quiet.err()).doesNotContain("waiting for its endpoint").contains("did not answer 200");
	}

}
