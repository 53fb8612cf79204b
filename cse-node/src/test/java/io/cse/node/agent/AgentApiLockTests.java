package io.cse.node.agent;

import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.cse.node.agent.AgentApiFixture.Answer;
import io.cse.node.agent.AgentApiFixture.Snapshot;
import io.cse.node.instance.HttpProbe;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One operation at a time per instance: while a freeze waits for the service to quiesce,
 * every other change to that instance gets a 409 naming the freeze, and changes nothing.
 */
class AgentApiLockTests {

	@TempDir
	Path temp;

	private AgentApiFixture agent;

	private final CountDownLatch quiescing = new CountDownLatch(1);

	private final CountDownLatch quiesced = new CountDownLatch(1);

	@BeforeEach
	void startAgentWithAServiceThatQuiescesWhenTold(TestInfo test) {
		this.agent = new AgentApiFixture(this.temp, "AgentApiLockTests." + test.getTestMethod().orElseThrow().getName());
		this.agent.probe.posts(this::quiesceWhenTold);
		assertThat(this.agent.runApp().status()).isEqualTo(201);
	}

	@AfterEach
	void stopAgent() {
		this.quiesced.countDown();
		this.agent.close();
	}

	@Test
	void secondOperationOnABusyInstanceIs409NamingTheRunningOne() throws Exception {
		CompletableFuture<Answer> freeze = CompletableFuture
			.supplyAsync(() -> this.agent.post("/instances/app/freeze", "{}"));
		assertThat(this.quiescing.await(10, TimeUnit.SECONDS)).as("the freeze reached the service").isTrue();
		Snapshot during = this.agent.snapshot();

		Answer thaw = this.agent.post("/instances/app/thaw", null);
		assertThat(thaw.status()).as(thaw.toString()).isEqualTo(409);
		assertThat(thaw.error())
			.isEqualTo("A freeze of instance app is under way: retry when it has ended (this thaw changed nothing)");
		Answer stop = this.agent.call("DELETE", "/instances/app", null);
		assertThat(stop.status()).isEqualTo(409);
		assertThat(stop.error()).startsWith("A freeze of instance app is under way").endsWith("(this stop changed nothing)");
		Answer again = this.agent.post("/instances/app/freeze", "{\"squeeze\": true}");
		assertThat(again.status()).isEqualTo(409);
		Answer sameName = this.agent.runApp();
		assertThat(sameName.status()).isEqualTo(409);
		assertThat(sameName.error()).endsWith("(this run changed nothing)");
		// reads take no lock
		assertThat(this.agent.get("/instances/app").status()).isEqualTo(200);
		assertThat(this.agent.snapshot()).isEqualTo(during);
		assertThat(freeze).isNotDone();

		this.quiesced.countDown();
		assertThat(freeze.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
		Answer thawAfter = this.agent.post("/instances/app/thaw", null);
		assertThat(thawAfter.status()).as(thawAfter.toString()).isEqualTo(200);
	}

	@Test
	void otherInstancesAreNotHeldUp() throws Exception {
		CompletableFuture<Answer> freeze = CompletableFuture
			.supplyAsync(() -> this.agent.post("/instances/app/freeze", "{}"));
		assertThat(this.quiescing.await(10, TimeUnit.SECONDS)).isTrue();
		Answer other = this.agent.post("/instances",
				"{\"name\": \"other\", \"port\": 8082, \"command\": [\"java\", \"-jar\", \"other.jar\"]}");
		assertThat(other.status()).as(other.toString()).isEqualTo(201);
		Answer stopOther = this.agent.call("DELETE", "/instances/other", null);
		assertThat(stopOther.status()).as(stopOther.toString()).isEqualTo(200);
		this.quiesced.countDown();
		assertThat(freeze.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
	}

	/**
	 * The service's answer to {@code POST /actuator/cse/freeze}: only once the test lets it.
	 */
	private Optional<HttpProbe.Answer> quiesceWhenTold(URI uri) {
		if (uri.getPath().endsWith("/freeze")) {
			this.quiescing.countDown();
			try {
				if (!this.quiesced.await(30, TimeUnit.SECONDS)) {
					return Optional.of(new HttpProbe.Answer(503, "{\"outcome\":\"TIMED_OUT\"}"));
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return Optional.empty();
			}
		}
		return Optional.of(new HttpProbe.Answer(200, "{}"));
	}

}
