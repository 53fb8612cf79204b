package io.cse.node.agent;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;

import com.fasterxml.jackson.databind.JsonNode;
import io.cse.node.FakeHost;
import io.cse.node.TestImages;
import io.cse.node.agent.AgentApiFixture.Answer;
import io.cse.node.instance.Instance;
import io.cse.node.linux.Criu;
import io.cse.snapshot.ImageManifest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

import static io.cse.node.agent.AgentApiFixture.FREEZER;
import static io.cse.node.agent.AgentApiFixture.MEMORY;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every route of the agent's API as a platform calls it, over the Unix socket, on a
 * {@link FakeHost}: what the answer says and what the host saw.
 */
class AgentApiTests {

	private static final long MB = 1024 * 1024;

	@TempDir
	Path temp;

	private AgentApiFixture agent;

	@BeforeEach
	void startAgent(TestInfo test) {
		this.agent = new AgentApiFixture(this.temp, "AgentApiTests." + test.getTestMethod().orElseThrow().getName());
	}

	@AfterEach
	void stopAgent() {
		this.agent.close();
	}

	@Test
	void runStartsTheServiceInItsCgroupsAndAnswers201WithTheInstance() {
		Answer run = this.agent.runApp();
		assertThat(run.status()).as(run.toString()).isEqualTo(201);
		JsonNode instance = run.json().path("instance");
		assertThat(instance.path("name").asText()).isEqualTo("app");
		assertThat(instance.path("kind").asText()).isEqualTo("run");
		assertThat(instance.path("endpoint").path("port").asInt()).isEqualTo(8081);
		assertThat(instance.path("cgroups").path("freezer").asText()).isEqualTo(FREEZER.toString());
		long pid = instance.path("process").path("pid").asLong();
		// the API starts the command as sent: -XX:-UsePerfData is what the cse run command line adds
		assertThat(this.agent.host.commands()).last()
			.asList()
			.endsWith("cse-run", FREEZER.toString(), MEMORY.toString(), "env",
					"CSE_ENDPOINT_TOKENFILE=" + this.agent.stateDir.resolve("tokens/app"), "/usr/bin/java", "-jar",
					"app.jar");
		assertThat(this.agent.host.file(FREEZER.resolve("cgroup.procs"))).hasValue(pid + "\n");
		assertThat(this.agent.registered()).extracting(Instance::name).containsExactly("app");
	}

	@Test
	void instancesShowTheirLivenessAndFreezerState() {
		assertThat(this.agent.runApp().status()).isEqualTo(201);
		Answer list = this.agent.get("/instances");
		assertThat(list.status()).isEqualTo(200);
		assertThat(list.json()).hasSize(1);
		JsonNode first = list.json().get(0);
		assertThat(first.path("instance").path("name").asText()).isEqualTo("app");
		assertThat(first.path("liveness").asText()).isEqualTo("alive");
		assertThat(first.path("freezerState").asText()).isEqualTo("THAWED");
		Answer one = this.agent.get("/instances/app");
		assertThat(one.status()).isEqualTo(200);
		assertThat(one.json()).isEqualTo(first);
	}

	@Test
	void freezeWithSqueezeFreezesTheCgroupAndPushesItsMemoryOut() {
		assertThat(this.agent.runApp().status()).isEqualTo(201);
		Answer freeze = this.agent.post("/instances/app/freeze", "{\"squeeze\": true, \"floorMiB\": 10}");
		assertThat(freeze.status()).as(freeze.toString()).isEqualTo(200);
		assertThat(freeze.json().path("squeezed").asBoolean()).isTrue();
		assertThat(freeze.json().path("swapSetUp").asBoolean()).isTrue();
		String limit = MEMORY.resolve("memory.limit_in_bytes").toString();
		assertThat(this.agent.probe.posted()).containsExactly("/actuator/cse/freeze");
		assertThat(this.agent.host.writes()).containsExactly(FREEZER.resolve("freezer.state") + " <- FROZEN",
				"/sys/block/zram0/comp_algorithm <- lz4", "/sys/block/zram0/disksize <- 2G", limit + " <- " + 100 * MB,
				limit + " <- " + 50 * MB, limit + " <- " + 25 * MB, limit + " <- " + (25 * MB / 2),
				limit + " <- " + 10 * MB);
		JsonNode status = this.agent.get("/instances/app").json();
		assertThat(status.path("freezerState").asText()).isEqualTo("FROZEN");
		assertThat(status.path("liveness").asText()).isEqualTo("alive");
	}

	@Test
	void thawRestoresTheLimitThawsTheCgroupAndWaitsForTheFirst200() {
		assertThat(this.agent.runApp().status()).isEqualTo(201);
		assertThat(this.agent.post("/instances/app/freeze", "{\"squeeze\": true}").status()).isEqualTo(200);
		Answer thaw = this.agent.post("/instances/app/thaw", null);
		assertThat(thaw.status()).as(thaw.toString()).isEqualTo(200);
		assertThat(thaw.json().path("wasFrozen").asBoolean()).isTrue();
		assertThat(thaw.json().path("thawedByRequest").asBoolean()).isFalse();
		assertThat(this.agent.host.writes()).endsWith(
				MEMORY.resolve("memory.limit_in_bytes") + " <- 9223372036854771712",
				FREEZER.resolve("freezer.state") + " <- THAWED");
		assertThat(this.agent.probe.posted()).endsWith("/actuator/cse/thaw");
		assertThat(this.agent.get("/instances/app").json().path("freezerState").asText()).isEqualTo("THAWED");
	}

	@Test
	void deleteStopsTheInstanceAndRemovesItsCgroupsAndEntry() {
		assertThat(this.agent.runApp().status()).isEqualTo(201);
		long pid = this.agent.registered().get(0).process().pid();
		Answer stop = this.agent.call("DELETE", "/instances/app?grace=5s", null);
		assertThat(stop.status()).as(stop.toString()).isEqualTo(200);
		assertThat(stop.json().path("instance").path("name").asText()).isEqualTo("app");
		assertThat(stop.json().path("before").asText()).isEqualTo("alive");
		assertThat(this.agent.host.commandLines()).contains("kill -s TERM " + pid);
		assertThat(this.agent.host.livePids()).isEmpty();
		assertThat(this.agent.host.directories()).doesNotContain(FREEZER, MEMORY);
		assertThat(this.agent.registered()).isEmpty();
		assertThat(this.agent.get("/instances").json()).isEmpty();
	}

	@Test
	void clonesOfATemplateGetNamespacesAndDistinctAddresses() throws IOException {
		TestImages.template(this.agent.imagesRoot, "tpl-1", 4242, 8080);
		Answer clone = this.agent.post("/clones", "{\"image\": \"tpl-1\", \"count\": 2, \"namePrefix\": \"t\"}");
		assertThat(clone.status()).as(clone.toString()).isEqualTo(201);
		assertThat(clone.json()).hasSize(2);
		assertThat(clone.json().findValuesAsText("name")).containsExactly("t-1", "t-2");
		assertThat(clone.json().findValuesAsText("address")).containsExactly("10.199.0.10", "10.199.0.11");
		assertThat(this.agent.host.namespaces()).containsExactlyInAnyOrder("cse-t-1", "cse-t-2");
		assertThat(this.agent.host.commandLines()).contains("ip link add name cse0 type bridge",
				"ip -n cse-t-1 addr add 10.199.0.10/24 dev eth0", "ip -n cse-t-2 addr add 10.199.0.11/24 dev eth0");
		assertThat(this.agent.registered()).extracting(Instance::kind)
			.containsExactly(Instance.Kind.CLONE, Instance.Kind.CLONE);
		JsonNode listed = this.agent.get("/instances").json();
		assertThat(listed.findValuesAsText("liveness")).containsExactly("alive", "alive");
		assertThat(listed.get(0).path("freezerState").isNull()).isTrue();
	}

	@Test
	void criuIsCheckedOnceUntilItsFileChangesOrItsKernelCacheIsGone() throws IOException {
		TestImages.template(this.agent.imagesRoot, "tpl-1", 4242, 8080);
		FakeHost host = this.agent.host.withFile(Path.of("/proc/sys/kernel/random/boot_id"), "7f1c-boot\n")
			.withFile(Criu.KERNEL_CACHE, "kdat");
		assertThat(this.agent.post("/clones", "{\"image\": \"tpl-1\", \"count\": 1, \"namePrefix\": \"a\"}").status())
			.isEqualTo(201);
		assertThat(this.agent.post("/clones", "{\"image\": \"tpl-1\", \"count\": 1, \"namePrefix\": \"b\"}").status())
			.isEqualTo(201);
		assertThat(criuChecks(host)).isEqualTo(1);
		// an upgrade replaces the file: its new version is checked, and its cache made anew
		host.modified(Path.of("/opt/cse/criu/bin/criu"), Instant.parse("2026-12-01T00:00:00Z"));
		assertThat(this.agent.post("/clones", "{\"image\": \"tpl-1\", \"count\": 1, \"namePrefix\": \"c\"}").status())
			.isEqualTo(201);
		assertThat(criuChecks(host)).isEqualTo(2);
		assertThat(host.commandLines()).filteredOn((line) -> line.startsWith("sh -c ")).hasSize(2);
	}

	private static long criuChecks(FakeHost host) {
		return host.commandLines().stream().filter("/opt/cse/criu/bin/criu --version"::equals).count();
	}

	@Test
	void restoreRestoresAnImageInTheHostsNamespaces() throws IOException {
		TestImages.write(this.agent.imagesRoot, "img-1", ImageManifest.Kind.DUMP, 4242, 8080, "/actuator/cse");
		Answer restore = this.agent.post("/restores", "{\"image\": \"img-1\", \"name\": \"web\"}");
		assertThat(restore.status()).as(restore.toString()).isEqualTo(201);
		JsonNode instance = restore.json().path("instance");
		assertThat(instance.path("name").asText()).isEqualTo("web");
		assertThat(instance.path("kind").asText()).isEqualTo("restore");
		assertThat(instance.path("process").path("pid").asLong()).isEqualTo(4242);
		assertThat(this.agent.host.commandLines())
			.anyMatch((line) -> line.startsWith("setsid /opt/cse/criu/bin/criu restore -D ")
					&& line.endsWith("--restore-detached"));
		assertThat(this.agent.host.namespaces()).isEmpty();
		assertThat(this.agent.registered()).extracting(Instance::name).containsExactly("web");
	}

	@Test
	void bridgesAreCreatedWithTheirSubnetAndDeleted() {
		Answer up = this.agent.call("PUT", "/bridges/br1", "{\"subnet\": \"10.50.0.0/24\"}");
		assertThat(up.status()).as(up.toString()).isEqualTo(200);
		assertThat(up.json().path("bridge").asText()).isEqualTo("br1");
		assertThat(up.json().path("subnet").asText()).isEqualTo("10.50.0.1/24");
		assertThat(up.json().path("created").asBoolean()).isTrue();
		assertThat(this.agent.host.commandLines()).containsSubsequence("ip link add name br1 type bridge",
				"ip addr add 10.50.0.1/24 dev br1", "ip link set dev br1 up");
		assertThat(this.agent.host.links()).containsExactly("br1");
		Answer again = this.agent.call("PUT", "/bridges/br1", null);
		assertThat(again.json().path("created").asBoolean()).isFalse();
		Answer down = this.agent.call("DELETE", "/bridges/br1", null);
		assertThat(down.status()).as(down.toString()).isEqualTo(200);
		assertThat(down.json().path("deleted").asBoolean()).isTrue();
		assertThat(this.agent.host.commandLines()).contains("ip link del dev br1");
		assertThat(this.agent.host.links()).isEmpty();
		assertThat(this.agent.call("DELETE", "/bridges/br1", null).json().path("deleted").asBoolean()).isFalse();
	}

	@Test
	void healthzSaysUpWithTheAgentsFolders() {
		assertThat(this.agent.runApp().status()).isEqualTo(201);
		Answer health = this.agent.get("/healthz");
		assertThat(health.status()).isEqualTo(200);
		assertThat(health.json().path("status").asText()).isEqualTo("UP");
		assertThat(health.json().path("pid").asLong()).isEqualTo(ProcessHandle.current().pid());
		assertThat(health.json().path("stateDir").asText()).isEqualTo(this.agent.stateDir.toString());
		assertThat(health.json().path("imagesRoot").asText()).isEqualTo(this.agent.imagesRoot.toString());
		assertThat(health.json().path("instances").asInt()).isOne();
	}

}
