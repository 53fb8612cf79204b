package io.cse.node.instance;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import com.sun.net.httpserver.HttpServer;
import io.cse.node.instance.HttpProbe.Answer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link JdkHttpProbe} against the JDK's own HTTP server.
 */
class JdkHttpProbeTests {

	private final JdkHttpProbe probe = new JdkHttpProbe();

	private final List<String> received = new CopyOnWriteArrayList<>();

	private HttpServer server;

	@BeforeEach
	void serve() throws IOException {
		this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
		this.server.createContext("/", (exchange) -> {
			byte[] requestBody = exchange.getRequestBody().readAllBytes();
			this.received.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath() + " length="
					+ exchange.getRequestHeaders().getFirst("Content-Length") + " type="
					+ exchange.getRequestHeaders().getFirst("Content-Type") + " connection="
					+ exchange.getRequestHeaders().getFirst("Connection") + " body=" + requestBody.length
					+ authorization(exchange.getRequestHeaders().getFirst("Authorization")));
			boolean frozen = exchange.getRequestURI().getPath().equals("/frozen");
			byte[] body = (frozen ? "held too long" : "{\"state\":\"RUNNING\"}").getBytes(StandardCharsets.UTF_8);
			exchange.sendResponseHeaders(frozen ? 503 : 200, body.length);
			try (OutputStream out = exchange.getResponseBody()) {
				out.write(body);
			}
		});
		this.server.start();
	}

	private static String authorization(String header) {
		return (header != null) ? " authorization=" + header : "";
	}

	@AfterEach
	void stop() {
		this.server.stop(0);
	}

	@Test
	void getReturnsStatusAndBody() {
		assertThat(this.probe.get(uri("/actuator/cse"), null)).contains(new Answer(200, "{\"state\":\"RUNNING\"}"));
		assertThat(this.received).containsExactly("GET /actuator/cse length=null type=null connection=close body=0");
	}

	@Test
	void postSendsNoBodyAndNoContentTypeTheActuatorWouldRefuse() {
		assertThat(this.probe.post(uri("/actuator/cse/freeze"), null)).map(Answer::status).contains(200);
		assertThat(this.received).singleElement().asString().startsWith("POST /actuator/cse/freeze")
			.contains("type=null").endsWith("body=0");
	}

	@Test
	void tokenIsSentAsABearerOnlyWhenGiven() {
		this.probe.post(uri("/actuator/cse/freeze"), "s3cret-t0ken");
		this.probe.get(uri("/actuator/cse"), "s3cret-t0ken");
		this.probe.get(uri("/actuator/health"), null);
		assertThat(this.received).hasSize(3);
		assertThat(this.received.get(0)).endsWith(" authorization=Bearer s3cret-t0ken");
		assertThat(this.received.get(1)).endsWith(" authorization=Bearer s3cret-t0ken");
		assertThat(this.received.get(2)).doesNotContain("authorization");
	}

	@Test
	void errorStatusesComeWithTheirBody() {
		assertThat(this.probe.get(uri("/frozen"), null)).contains(new Answer(503, "held too long"));
	}

	@Test
	void nothingListeningIsNoAnswer() throws IOException {
		int port;
		try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			port = free.getLocalPort();
		}
		assertThat(this.probe.get(URI.create("http://127.0.0.1:" + port + "/"), null)).isEmpty();
	}

	private URI uri(String path) {
		return URI.create("http://127.0.0.1:" + this.server.getAddress().getPort() + path);
	}

}
