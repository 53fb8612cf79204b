package io.cse.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;
import io.cse.bench.LoadGenerator.Step;
import io.cse.bench.LoadGenerator.StepTally;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

/**
 * The load generator against real HTTP servers on the loopback: every scheduled request
 * is sent and counted once, failures of every kind count as failed, and the rotation
 * spreads the load over the instances it holds, including those added while it runs.
 */
@Timeout(60)
class LoadGeneratorTests {

	private final List<HttpServer> servers = new ArrayList<>();

	@AfterEach
	void stopServers() {
		this.servers.forEach((server) -> server.stop(0));
	}

	@Test
	void sendsExactlyTheScheduledRequestsAndCountsEveryAnswer() throws Exception {
		AtomicInteger seen = new AtomicInteger();
		URI ok = server(200, seen, null);
		Backends backends = new Backends();
		backends.add(ok);
		List<StepTally> tallies = new LoadGenerator(4, Duration.ofSeconds(5), "/")
			.start(List.of(new Step("idle", 20, Duration.ofMillis(500)), new Step("high", 200, Duration.ofMillis(500))),
					backends)
			.awaitEnd(Duration.ofSeconds(30));
		assertThat(tallies).extracting(StepTally::sent).containsExactly(10L, 100L);
		assertThat(tallies).extracting(StepTally::ok).containsExactly(10L, 100L);
		assertThat(tallies).extracting(StepTally::failed).containsExactly(0L, 0L);
		assertThat(tallies.get(1).latencyMillis()).hasSize(100);
		assertThat(tallies.get(1).lagMillis()).hasSize(100).allMatch((lag) -> lag >= 0);
		assertThat(seen).hasValue(110);
		assertThat(backends.served(ok).ok).hasValue(110);
		assertThat(backends.served(ok).first200Nanos.get()).isPositive();
	}

	@Test
	void spreadsRequestsRoundRobinOverTheRotation() throws Exception {
		AtomicInteger first = new AtomicInteger();
		AtomicInteger second = new AtomicInteger();
		Backends backends = new Backends();
		backends.add(server(200, first, null));
		backends.add(server(200, second, null));
		new LoadGenerator(1, Duration.ofSeconds(5), "/")
			.start(List.of(new Step("steady", 100, Duration.ofMillis(400))), backends)
			.awaitEnd(Duration.ofSeconds(30));
		assertThat(first).hasValue(20);
		assertThat(second).hasValue(20);
	}

	@Test
	void anInstanceAddedWhileTheLoadRunsGetsItsShare() throws Exception {
		AtomicInteger first = new AtomicInteger();
		AtomicInteger added = new AtomicInteger();
		URI late = server(200, added, null);
		Backends backends = new Backends();
		backends.add(server(200, first, null));
		LoadGenerator.Load load = new LoadGenerator(2, Duration.ofSeconds(5), "/")
			.start(List.of(new Step("before", 50, Duration.ofMillis(300)), new Step("after", 50, Duration.ofSeconds(1))),
					backends);
		long stepUp = load.awaitStep(1, Duration.ofSeconds(10));
		backends.add(late);
		List<StepTally> tallies = load.awaitEnd(Duration.ofSeconds(30));
		assertThat(tallies.get(0).ok() + tallies.get(1).ok()).isEqualTo(65);
		assertThat(added.get()).isBetween(20, 30);
		assertThat(backends.served(late).first200Nanos.get()).isGreaterThan(stepUp);
		assertThat(backends.served(late).addedNanos).isGreaterThanOrEqualTo(stepUp);
	}

	@Test
	void everyKindOfFailureCountsAsFailedAndNothingIsRetried() throws Exception {
		AtomicInteger errors = new AtomicInteger();
		CountDownLatch never = new CountDownLatch(1);
		Backends backends = new Backends();
		backends.add(server(503, errors, null));
		backends.add(server(200, new AtomicInteger(), never));
		backends.add(closedPort());
		try {
			List<StepTally> tallies = new LoadGenerator(6, Duration.ofMillis(300), "/")
				.start(List.of(new Step("all", 30, Duration.ofMillis(200))), backends)
				.awaitEnd(Duration.ofSeconds(30));
			StepTally tally = tallies.get(0);
			assertThat(tally.sent()).isEqualTo(6);
			assertThat(tally.ok()).isZero();
			assertThat(tally.failed()).isEqualTo(6);
			assertThat(tally.failures()).containsEntry("HTTP 503", 2L).containsEntry("no answer within 300 ms", 2L);
			assertThat(tally.failures().keySet()).anyMatch((reason) -> reason.startsWith("ConnectException"));
			assertThat(errors).hasValue(2);
		}
		finally {
			never.countDown();
		}
	}

	@Test
	void aRequestWithNoInstanceToGoToFails() throws Exception {
		List<StepTally> tallies = new LoadGenerator(1, Duration.ofSeconds(1), "/")
			.start(List.of(new Step("nobody", 20, Duration.ofMillis(100))), new Backends())
			.awaitEnd(Duration.ofSeconds(10));
		assertThat(tallies.get(0).failed()).isEqualTo(2);
		assertThat(tallies.get(0).failures()).containsEntry("no instance in the rotation", 2L);
	}

	@Test
	void theLoadCanBeStoppedAndLeavesNoThread() throws Exception {
		Backends backends = new Backends();
		backends.add(server(200, new AtomicInteger(), null));
		LoadGenerator.Load load = new LoadGenerator(3, Duration.ofSeconds(1), "/")
			.start(List.of(new Step("long", 10, Duration.ofMinutes(10))), backends);
		load.awaitStep(0, Duration.ofSeconds(5));
		load.stop();
		await().atMost(Duration.ofSeconds(10))
			.until(() -> Thread.getAllStackTraces().keySet().stream()
				.noneMatch((thread) -> thread.getName().startsWith("cse-load-")));
	}

	@Test
	void refusesALoadThatCannotBeSent() {
		assertThatIllegalArgumentException().isThrownBy(() -> new LoadGenerator(0, Duration.ofSeconds(1), "/"))
			.withMessageContaining("at least 1 client");
		assertThatIllegalArgumentException().isThrownBy(() -> new Step("none", 0, Duration.ofSeconds(1)))
			.withMessageContaining("positive rate");
		assertThatIllegalArgumentException().isThrownBy(() -> new Step("none", 10, Duration.ZERO))
			.withMessageContaining("positive rate");
		Backends backends = new Backends();
		backends.add(URI.create("http://127.0.0.1:1"));
		assertThatIllegalArgumentException().isThrownBy(() -> backends.add(URI.create("http://127.0.0.1:1")))
			.withMessageContaining("in the rotation already");
	}

	/**
	 * A server that answers {@code status}, counting its requests; with a latch, it answers
	 * only once the latch opens (a hung instance).
	 */
	private URI server(int status, AtomicInteger requests, CountDownLatch holdUntil) throws IOException {
		HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
		server.createContext("/", (exchange) -> {
			requests.incrementAndGet();
			if (holdUntil != null) {
				try {
					holdUntil.await(30, TimeUnit.SECONDS);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			}
			byte[] body = "hello".getBytes(StandardCharsets.UTF_8);
			exchange.sendResponseHeaders(status, body.length);
			try (OutputStream out = exchange.getResponseBody()) {
				out.write(body);
			}
		});
		server.setExecutor(Executors.newCachedThreadPool());
		server.start();
		this.servers.add(server);
		return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
	}

	private static URI closedPort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return URI.create("http://127.0.0.1:" + socket.getLocalPort());
		}
	}

}
