package io.cse.node.agent;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.cse.node.TestImages;
import io.cse.node.agent.AgentApiFixture.Answer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code GET /metrics} after a few operations: what a Prometheus scrape finds.
 */
class AgentApiMetricsTests {

	private static final Pattern SAMPLE = Pattern
		.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[a-zA-Z_][a-zA-Z0-9_]*=\"[^\"]*\"(,[a-zA-Z_][a-zA-Z0-9_]*=\"[^\"]*\")*\\})? "
				+ "-?[0-9.eE+-]+");

	@TempDir
	Path temp;

	private AgentApiFixture agent;

	@BeforeEach
	void startAgent(TestInfo test) {
		this.agent = new AgentApiFixture(this.temp,
				"AgentApiMetricsTests." + test.getTestMethod().orElseThrow().getName());
	}

	@AfterEach
	void stopAgent() {
		this.agent.close();
	}

	@Test
	void countsOperationsByOutcomeAndShowsWhatTheHostHolds() throws IOException {
		TestImages.template(this.agent.imagesRoot, "tpl-1", 4242, 8080);
		assertThat(this.agent.runApp().status()).isEqualTo(201);
		assertThat(this.agent.post("/instances/app/freeze", "{}").status()).isEqualTo(200);
		assertThat(this.agent.post("/instances/app/thaw", null).status()).isEqualTo(200);
		assertThat(this.agent.post("/instances/app/freeze", "{}").status()).isEqualTo(200);
		assertThat(this.agent.post("/instances/nope/freeze", "{}").status()).isEqualTo(404);
		assertThat(this.agent.post("/clones", "{\"image\": \"tpl-1\", \"count\": 2}").status()).isEqualTo(201);
		assertThat(this.agent.post("/clones", "{\"image\": \"tpl-1\", \"count\": 0}").status()).isEqualTo(400);
		assertThat(this.agent.get("/instances").status()).isEqualTo(200);

		Answer metrics = this.agent.get("/metrics");
		assertThat(metrics.status()).isEqualTo(200);
		assertThat(metrics.contentType()).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
		assertThat(metrics.body().lines()).contains("cse_agent_operations_total{operation=\"run\",outcome=\"ok\"} 1",
				"cse_agent_operations_total{operation=\"freeze\",outcome=\"ok\"} 2",
				"cse_agent_operations_total{operation=\"freeze\",outcome=\"error\"} 1",
				"cse_agent_operations_total{operation=\"thaw\",outcome=\"ok\"} 1",
				"cse_agent_operations_total{operation=\"clone\",outcome=\"ok\"} 1",
				"cse_agent_operations_total{operation=\"clone\",outcome=\"error\"} 1",
				"cse_agent_operation_seconds_count{operation=\"freeze\"} 3",
				"cse_agent_instances{kind=\"clone\",liveness=\"alive\"} 2",
				"cse_agent_instances{kind=\"run\",liveness=\"alive\"} 1", "cse_agent_frozen_instances 1",
				"cse_agent_memory_charged_bytes{instance=\"app\"} 209715200");
		// reads are not operations
		assertThat(metrics.body()).doesNotContain("operation=\"null\"").doesNotContain("outcome=\"ok\"} 0");
		assertThat(metrics.body().lines().filter((line) -> line.startsWith("cse_agent_operations_total")))
			.hasSize(6);
		assertIsPrometheusText(metrics.body());
	}

	@Test
	void beforeAnyOperationOnlyTheGaugesHaveSamples() {
		Answer metrics = this.agent.get("/metrics");
		assertThat(metrics.status()).isEqualTo(200);
		assertThat(metrics.body().lines().filter((line) -> !line.startsWith("#")))
			.containsExactly("cse_agent_frozen_instances 0");
		assertIsPrometheusText(metrics.body());
	}

	/**
	 * Every sample follows the HELP and TYPE of its family, each family is one block, and
	 * every line is a comment or a well-formed sample.
	 */
	private static void assertIsPrometheusText(String text) {
		Map<String, String> types = new HashMap<>();
		List<String> helped = new ArrayList<>();
		List<String> blocks = new ArrayList<>();
		for (String line : text.lines().toList()) {
			if (line.startsWith("# HELP ")) {
				String family = line.split(" ")[2];
				assertThat(helped).as("HELP once per family").doesNotContain(family);
				helped.add(family);
				continue;
			}
			if (line.startsWith("# TYPE ")) {
				String[] parts = line.split(" ");
				assertThat(helped).as("HELP before TYPE").endsWith(parts[2]);
				assertThat(parts[3]).isIn("counter", "gauge", "summary", "histogram", "untyped");
				types.put(parts[2], parts[3]);
				continue;
			}
			Matcher sample = SAMPLE.matcher(line);
			assertThat(sample.matches()).as("a sample line: %s", line).isTrue();
			String family = familyOf(sample.group(1), types);
			assertThat(types).as("TYPE before %s", line).containsKey(family);
			if (blocks.isEmpty() || !blocks.get(blocks.size() - 1).equals(family)) {
				assertThat(blocks).as("samples of %s in one block", family).doesNotContain(family);
				blocks.add(family);
			}
			assertThat(helped).as("samples of %s follow its HELP and TYPE", family).endsWith(family);
		}
		assertThat(text).endsWith("\n");
	}

	private static String familyOf(String name, Map<String, String> types) {
		for (String suffix : List.of("_sum", "_count", "_bucket")) {
			String family = name.substring(0, name.length() - ((name.endsWith(suffix)) ? suffix.length() : 0));
			if (name.endsWith(suffix) && ("summary".equals(types.get(family)) || "histogram".equals(types.get(family)))) {
				return family;
			}
		}
		return name;
	}

}
