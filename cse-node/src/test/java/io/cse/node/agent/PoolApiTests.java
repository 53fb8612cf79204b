package io.cse.node.agent;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cse.node.TestImages;
import io.cse.node.agent.AgentApiFixture.Answer;
import io.cse.node.instance.HttpProbe;
import io.cse.node.instance.Instance;
import io.cse.node.instance.NodeContext;
import io.cse.snapshot.ImageManifest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Pools of frozen clones through the agent's API, on a fake host: made, taken from,
 * refilled in the background, found again by the next agent, and deleted.
 */
class PoolApiTests {

	private static final Path FREEZER = Path.of("/sys/fs/cgroup/freezer/cse");

	@TempDir
	Path temp;

	private AgentApiFixture agent;

	@BeforeEach
	void startAgent(TestInfo test) throws IOException {
		this.agent = new AgentApiFixture(this.temp, "PoolApiTests." + test.getTestMethod().orElseThrow().getName());
		TestImages.template(this.agent.imagesRoot, "tpl-1", 4242, 8080);
	}

	@AfterEach
	void stopAgent() {
		this.agent.close();
	}

	private Answer createPool(String name, int size) {
		return this.agent.post("/pools",
				"{\"name\": \"" + name + "\", \"template\": \"tpl-1\", \"size\": " + size + ", \"squeeze\": true}");
	}

	@Test
	void aPoolKeepsItsClonesFrozenAndSqueezedInCgroupsOfTheirOwn() {
		Answer created = createPool("web", 2);
		assertThat(created.status()).as(created.toString()).isEqualTo(201);
		assertThat(created.json().path("ready").asInt()).isEqualTo(2);
		assertThat(created.json().path("members")).extracting(JsonNode::asText).containsExactly("web-1", "web-2");
		for (String clone : List.of("web-1", "web-2")) {
			// the launcher entered the clone's groups before it ran criu, so the whole tree is in them
			assertThat(this.agent.host.file(FREEZER.resolve(clone).resolve("freezer.state"))).hasValue("FROZEN");
			assertThat(this.agent.host.file(FREEZER.resolve(clone).resolve("cgroup.procs")).orElseThrow().lines())
				.hasSize(3);
		}
		assertThat(this.agent.host.namespaces()).containsExactlyInAnyOrder("cse-web-1", "cse-web-2");
		assertThat(this.agent.probe.posted()).containsExactly("/actuator/cse/freeze", "/actuator/cse/freeze");
		assertThat(this.agent.registered()).allSatisfy((instance) -> {
			assertThat(instance.kind()).isEqualTo(Instance.Kind.CLONE);
			assertThat(instance.cgroups().squeezed()).isTrue();
		});
		assertThat(this.agent.get("/metrics").body()).contains("cse_agent_pool_ready{pool=\"web\"} 2")
			.contains("cse_agent_pool_size{pool=\"web\"} 2")
			.contains("cse_agent_frozen_instances 2")
			.contains("cse_agent_operations_total{operation=\"pool-create\",outcome=\"ok\"} 1");
		JsonNode listed = this.agent.get("/pools").json();
		assertThat(listed).hasSize(1);
		assertThat(listed.get(0).path("name").asText()).isEqualTo("web");
	}

	@Test
	void takeThawsTheOldestCloneAndTheAgentRefillsThePool() {
		createPool("web", 2);
		Answer taken = this.agent.post("/pools/web/take", null);
		assertThat(taken.status()).as(taken.toString()).isEqualTo(200);
		assertThat(taken.json().path("fromPool").asBoolean()).isTrue();
		assertThat(taken.json().path("instance").path("name").asText()).isEqualTo("web-1");
		assertThat(taken.json().path("instance").path("endpoint").path("address").asText()).isEqualTo("10.199.0.10");
		assertThat(taken.json().path("instance").path("instanceId").asText()).isEqualTo("id-10.199.0.10");
		assertThat(this.agent.host.file(FREEZER.resolve("web-1").resolve("freezer.state"))).hasValue("THAWED");
		// a resident agent restores a new clone in the background
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(this.agent.get("/pools/web").json().path("members"))
				.extracting(JsonNode::asText)
				.containsExactly("web-2", "web-3"));
		assertThat(this.agent.host.file(FREEZER.resolve("web-3").resolve("freezer.state"))).hasValue("FROZEN");
		// the taken clone is the caller's now: it keeps serving, the pool no longer touches it
		assertThat(this.agent.get("/instances/web-1").json().path("freezerState").asText()).isEqualTo("THAWED");
	}

	@Test
	void takesSentAtOnceEachThawACloneOfTheirOwnAndThePoolsFileRecordsEveryOne() throws Exception {
		createPool("web", 4);
		ExecutorService callers = Executors.newFixedThreadPool(4);
		try {
			List<Future<Answer>> takes = new ArrayList<>();
			for (int i = 0; i < 4; i++) {
				takes.add(callers.submit(() -> this.agent.post("/pools/web/take", null)));
			}
			Set<String> taken = new HashSet<>();
			for (Future<Answer> take : takes) {
				Answer answer = take.get(30, TimeUnit.SECONDS);
				assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
				assertThat(answer.json().path("fromPool").asBoolean()).isTrue();
				taken.add(answer.json().path("instance").path("name").asText());
			}
			assertThat(taken).containsExactlyInAnyOrder("web-1", "web-2", "web-3", "web-4");
			// what the next agent reads: every clone taken is recorded as released, none as ready
			JsonNode file = new ObjectMapper().readTree(this.agent.stateDir.resolve("pools").resolve("web.json").toFile());
			assertThat(file.path("released")).extracting(JsonNode::asText)
				.containsExactlyInAnyOrder("web-1", "web-2", "web-3", "web-4");
			assertThat(file.path("members")).extracting(JsonNode::asText).doesNotContain("web-1", "web-2", "web-3", "web-4");
		}
		finally {
			callers.shutdownNow();
		}
	}

	@Test
	void anEmptyPoolServesATakeWithANewClone() {
		createPool("one", 1);
		assertThat(this.agent.post("/pools/one/take", null).json().path("fromPool").asBoolean()).isTrue();
		// before the refill has made a new one, or after: either way the take is served
		Answer second = this.agent.post("/pools/one/take", null);
		assertThat(second.status()).as(second.toString()).isEqualTo(200);
		assertThat(second.json().path("instance").path("name").asText()).startsWith("one-");
		assertThat(this.agent.get("/instances/" + second.json().path("instance").path("name").asText()).status())
			.isEqualTo(200);
	}

	@Test
	void theNextAgentFindsThePoolAndReplacesAClonesThatDied() throws IOException {
		createPool("web", 2);
		Instance first = this.agent.registered().get(0);
		this.agent.close();
		// web-1 dies while no agent runs
		this.agent.host.killExternally(first.process().pid());
		Agent next = new Agent(new NodeContext(this.agent.host, this.agent.probe),
				new Agent.Settings(this.agent.stateDir, this.agent.imagesRoot, null, "cse0"));
		try (AgentServer server = next.serve(this.temp.resolve("run/next.sock"), null)) {
			AgentClient client = new AgentClient(server.socket());
			await().atMost(Duration.ofSeconds(10))
				.until(() -> json(client.call("GET", "/pools/web", null)).path("ready").asInt() == 2);
			// web-1's leftovers went, and a new clone took its place (and its free name)
			assertThat(json(client.call("GET", "/pools/web", null)).path("members")).extracting(JsonNode::asText)
				.containsExactly("web-2", "web-1");
			Instance replacement = this.agent.registered().get(0);
			assertThat(replacement.name()).isEqualTo("web-1");
			assertThat(replacement.process().pid()).isNotEqualTo(first.process().pid());
			assertThat(this.agent.host.process(replacement.process().pid())).isPresent();
			assertThat(this.agent.host.file(FREEZER.resolve("web-1").resolve("freezer.state"))).hasValue("FROZEN");
			assertThat(this.agent.host.namespaces()).containsExactlyInAnyOrder("cse-web-1", "cse-web-2");
		}
		finally {
			next.close();
		}
	}

	@Test
	void deleteStopsTheFrozenClonesAndLeavesTakenOnesServing() {
		createPool("web", 2);
		this.agent.post("/pools/web/take", null);
		await().atMost(Duration.ofSeconds(10))
			.until(() -> this.agent.get("/pools/web").json().path("ready").asInt() == 2);
		Answer deleted = this.agent.call("DELETE", "/pools/web", null);
		assertThat(deleted.status()).as(deleted.toString()).isEqualTo(200);
		assertThat(deleted.json().path("stopped")).extracting(JsonNode::asText).containsExactly("web-2", "web-3");
		assertThat(this.agent.registered()).extracting(Instance::name).containsExactly("web-1");
		assertThat(this.agent.host.directories()).doesNotContain(FREEZER.resolve("web-2"), FREEZER.resolve("web-3"));
		assertThat(this.agent.host.namespaces()).containsExactly("cse-web-1");
		assertThat(this.agent.get("/pools").json()).isEmpty();
	}

	@Test
	void badPoolRequestsAreRefusedAndChangeNothing() throws IOException {
		TestImages.write(this.agent.imagesRoot, "dump-1", ImageManifest.Kind.DUMP, 4243, 8080, "/");
		var before = this.agent.snapshot();
		assertThat(this.agent.post("/pools", "{\"name\": \"web\", \"template\": \"tpl-1\", \"size\": 0}").error())
			.contains("\"size\" must be between 1 and 50, not 0");
		assertThat(this.agent.post("/pools", "{\"name\": \"web\", \"template\": \"tpl-1\", \"size\": 51}").status())
			.isEqualTo(400);
		assertThat(this.agent.post("/pools", "{\"name\": \"web\", \"size\": 1}").error()).contains("\"template\"");
		assertThat(this.agent.post("/pools", "{\"name\": \"" + "p".repeat(33) + "\", \"template\": \"tpl-1\", "
				+ "\"size\": 1}").error()).contains("at most 32 characters");
		assertThat(this.agent.post("/pools", "{\"name\": \"web\", \"template\": \"nope\", \"size\": 1}").status())
			.isEqualTo(400);
		Answer dump = this.agent.post("/pools", "{\"name\": \"web\", \"template\": \"dump-1\", \"size\": 1}");
		assertThat(dump.status()).as(dump.toString()).isEqualTo(400);
		assertThat(dump.error()).contains("not a template");
		Answer unknown = this.agent.post("/pools/nope/take", null);
		assertThat(unknown.status()).isEqualTo(404);
		assertThat(unknown.error()).isEqualTo("no pool named nope (see 'cse pool ls', or GET /pools)");
		assertThat(this.agent.call("DELETE", "/pools/nope", null).status()).isEqualTo(404);
		assertThat(this.agent.snapshot()).isEqualTo(before);
		assertThat(this.agent.get("/pools").json()).isEmpty();
		createPool("web", 1);
		Answer again = createPool("web", 1);
		assertThat(again.status()).isEqualTo(409);
		assertThat(again.error()).contains("exists already");
	}

	@Test
	void aPoolWhoseCloneCannotBeMadeIsNotCreatedAndItsClonesAreStopped() {
		AtomicInteger freezes = new AtomicInteger();
		this.agent.probe.posts((uri) -> (uri.getPath().endsWith("/freeze") && freezes.incrementAndGet() == 2)
				? Optional.of(new HttpProbe.Answer(500, "{\"outcome\": \"ROLLED_BACK\"}"))
				: Optional.of(new HttpProbe.Answer(200, "{}")));
		Answer created = createPool("web", 3);
		assertThat(created.status()).as(created.toString()).isEqualTo(500);
		assertThat(created.error()).contains("web-2 refused to freeze")
			.contains("; the pool then stopped web-2; so pool web was not created")
			.endsWith("; so pool web was not created, and the clones made for it were stopped (web-1): fix the cause, "
					+ "then create it again");
		// nothing left to take, and nothing the background refill would try again
		assertThat(this.agent.get("/pools").json()).isEmpty();
		assertThat(this.agent.get("/pools/web").status()).isEqualTo(404);
		assertThat(this.agent.registered()).isEmpty();
		assertThat(this.agent.host.namespaces()).isEmpty();
		assertThat(this.agent.get("/metrics").body())
			.contains("cse_agent_operations_total{operation=\"pool-create\",outcome=\"error\"} 1");
		// the same call succeeds once the cause is gone
		this.agent.probe.posts((uri) -> Optional.of(new HttpProbe.Answer(200, "{}")));
		assertThat(createPool("web", 1).status()).isEqualTo(201);
	}

	private static JsonNode json(ApiResponse response) throws IOException {
		return ApiRequest.JSON.readTree(response.body());
	}

}
