package io.cse.node.agent;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import io.cse.node.agent.AgentApiFixture.Answer;
import io.cse.node.instance.NodeContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

import static io.cse.node.agent.AgentApiFixture.FREEZER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The activator through the agent's API, on a fake host: a frozen instance that should wake
 * on a request is thawed once a connection waits in its listening socket's queue, and the
 * next agent goes on watching it.
 */
class ActivatorApiTests {

	private static final String HEADER = "  sl  local_address                         remote_address                        "
			+ "st tx_queue rx_queue\n";

	private static final String LISTENER = "   1: 00000000000000000000000000000000:1F91 "
			+ "00000000000000000000000000000000:0000 0A %s 00:00000000 00000000     0        0 4242 1 "
			+ "0000000000000000 100 0 0 10 0\n";

	@TempDir
	Path temp;

	private AgentApiFixture agent;

	@BeforeEach
	void startAgent(TestInfo test) {
		this.agent = new AgentApiFixture(this.temp, "ActivatorApiTests." + test.getTestMethod().orElseThrow().getName());
		this.agent.host.withFile(Path.of("/proc/net/tcp6"), HEADER + String.format(LISTENER, "00000000:00000000"));
		assertThat(this.agent.runApp().status()).isEqualTo(201);
	}

	@AfterEach
	void stopAgent() {
		this.agent.close();
	}

	@Test
	void aConnectionThatArrivesThawsTheFrozenInstance() {
		Answer freeze = this.agent.post("/instances/app/freeze", "{\"wakeOnRequest\": true}");
		assertThat(freeze.status()).as(freeze.toString()).isEqualTo(200);
		assertThat(this.agent.stateDir.resolve("wake-on-request/app")).exists();
		assertThat(this.agent.host.file(FREEZER.resolve("freezer.state"))).hasValue("FROZEN");
		// the kernel queues a connection on the frozen service's listening socket
		this.agent.host.withFile(Path.of("/proc/net/tcp6"), HEADER + String.format(LISTENER, "00000000:00000001"));
		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(this.agent.host.file(FREEZER.resolve("freezer.state"))).hasValue("THAWED"));
		assertThat(this.agent.probe.posted()).endsWith("/actuator/cse/thaw");
		assertThat(this.agent.stateDir.resolve("wake-on-request/app")).doesNotExist();
	}

	@Test
	void anInstanceThawedOtherwiseIsNoLongerWatched() {
		this.agent.post("/instances/app/freeze", "{\"wakeOnRequest\": true}");
		assertThat(this.agent.post("/instances/app/thaw", null).status()).isEqualTo(200);
		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(this.agent.stateDir.resolve("wake-on-request/app")).doesNotExist());
	}

	@Test
	void theNextAgentGoesOnWatching() throws Exception {
		this.agent.post("/instances/app/freeze", "{\"wakeOnRequest\": true}");
		this.agent.close();
		Agent next = new Agent(new NodeContext(this.agent.host, this.agent.probe),
				new Agent.Settings(this.agent.stateDir, this.agent.imagesRoot, null, "cse0"));
		try (AgentServer server = next.serve(this.temp.resolve("run/next.sock"), null)) {
			this.agent.host.withFile(Path.of("/proc/net/tcp6"), HEADER + String.format(LISTENER, "00000000:00000003"));
			await().atMost(Duration.ofSeconds(5))
				.untilAsserted(() -> assertThat(this.agent.host.file(FREEZER.resolve("freezer.state")))
					.hasValue("THAWED"));
		}
		finally {
			next.close();
		}
	}

	@Test
	void wakeOnRequestNeedsAResidentAgentAndChangesNothingWithout() {
		Agent oneShot = new Agent(new NodeContext(this.agent.host, this.agent.probe),
				new Agent.Settings(this.agent.stateDir, this.agent.imagesRoot, null, "cse0"));
		ApiResponse refused = oneShot.handle(ApiRequest.of("POST", "/instances/app/freeze",
				Map.of("wakeOnRequest", true)));
		assertThat(refused.status()).isEqualTo(400);
		assertThat(refused.bodyText()).contains("needs a resident agent").contains("cse agent");
		assertThat(this.agent.probe.posted()).as("no freeze was asked of the service").isEmpty();
		assertThat(this.agent.stateDir.resolve("wake-on-request")).doesNotExist();
		oneShot.close();
	}

}
