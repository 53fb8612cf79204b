package io.cse.samples.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Tests for {@link RedisProcess}: a real server, whose client list shows a client that
 * connected and named itself, and no longer shows it once it is gone.
 */
class RedisProcessTests {

	@BeforeAll
	static void requireServer() {
		String reason = RedisProcess.unavailableReason();
		if (reason != null && "1".equals(System.getenv("CSE_REQUIRE_ROOT_TESTS"))) {
			fail(reason + "; CSE_REQUIRE_ROOT_TESTS=1 makes this a failure, not a skip");
		}
		assumeTrue(reason == null, () -> reason + " (set CSE_REQUIRE_ROOT_TESTS=1 to fail instead of skipping)");
	}

	@Test
	void clientListShowsANamedClientWhileItIsConnected() throws IOException {
		try (RedisProcess redis = RedisProcess.start()) {
			assertThat(redis.clients()).as("clients before any connected").isEmpty();
			try (Socket socket = new Socket("127.0.0.1", redis.getPort())) {
				OutputStream out = socket.getOutputStream();
				out.write("CLIENT SETNAME probe\r\n".getBytes(StandardCharsets.US_ASCII));
				out.flush();
				InputStream in = socket.getInputStream();
				assertThat(new String(in.readNBytes(5), StandardCharsets.US_ASCII)).isEqualTo("+OK\r\n");
				assertThat(redis.clients("probe")).hasSize(1);
			}
			// The server sees the close a moment later.
			await().untilAsserted(() -> assertThat(redis.clients("probe")).isEmpty());
			assertThat(redis.command("SET", "k", "v")).isEqualTo("OK");
			assertThat(redis.command("GET", "k")).isEqualTo("v");
			assertThat(redis.publish("nobody", "hello")).isZero();
		}
	}

}
