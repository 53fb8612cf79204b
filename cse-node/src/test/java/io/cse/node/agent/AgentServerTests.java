package io.cse.node.agent;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import io.cse.node.CseException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The agent's listeners: who may connect, and what a caller gets for requests the agent
 * cannot take.
 */
class AgentServerTests {

	private static final String TOKEN = "0123456789abcdef0123456789abcdef";

	@TempDir
	Path temp;

	private AgentServer server;

	private final Routes routes = new Routes()
		.add("GET", "/healthz", null, (request, variables) -> ApiResponse.json(200, Map.of("status", "ok")))
		.add("POST", "/echo/{name}", "echo", (request, variables) -> ApiResponse.json(200,
				Map.of("name", variables.get("name"), "body", request.bodyAs(Echo.class).text())));

	@AfterEach
	void close() {
		if (this.server != null) {
			this.server.close();
		}
	}

	@Test
	void socketIsOnlyForItsOwner() throws IOException {
		Path socket = this.temp.resolve("run/cse/agent.sock");
		this.server = AgentServer.start(this.routes::handle, socket, null);
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket))).isEqualTo("rw-------");
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket.getParent())))
			.isEqualTo("rwx------");
		ApiResponse health = new AgentClient(socket).call("GET", "/healthz", null);
		assertThat(health.status()).isEqualTo(200);
		assertThat(health.bodyText()).isEqualTo("{\"status\":\"ok\"}");
	}

	@Test
	void routesTakeTheirVariablesAndBodies() throws IOException {
		this.server = AgentServer.start(this.routes::handle, this.temp.resolve("agent.sock"), null);
		ApiResponse echo = new AgentClient(this.server.socket()).call("POST", "/echo/hello%20world",
				new Echo("über"));
		assertThat(echo.status()).isEqualTo(200);
		assertThat(echo.bodyText()).contains("\"name\":\"hello world\"").contains("\"body\":\"über\"");
	}

	@Test
	void badRequestsGetAnErrorThatSaysWhatToSend() throws IOException {
		this.server = AgentServer.start(this.routes::handle, this.temp.resolve("agent.sock"), null);
		AgentClient client = new AgentClient(this.server.socket());
		ApiResponse unknown = client.call("GET", "/nothing", null);
		assertThat(unknown.status()).isEqualTo(404);
		assertThat(unknown.bodyText()).contains("No route GET /nothing").contains("docs/agent-api.md");
		ApiResponse method = client.call("DELETE", "/healthz", null);
		assertThat(method.status()).isEqualTo(405);
		assertThat(method.bodyText()).contains("use GET");
		ApiResponse notJson = client.call("POST", "/echo/x", "{not json");
		assertThat(notJson.status()).isEqualTo(400);
		assertThat(notJson.bodyText()).contains("not valid JSON");
		ApiResponse unknownField = client.call("POST", "/echo/x", "{\"txt\": \"typo\"}");
		assertThat(unknownField.status()).isEqualTo(400);
		assertThat(unknownField.bodyText()).contains("txt");
		assertThat(raw("GARBAGE\r\n\r\n")).startsWith("HTTP/1.1 400 ");
		assertThat(raw("POST /echo/x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"))
			.startsWith("HTTP/1.1 411 ");
		assertThat(raw("POST /echo/x HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n")).startsWith("HTTP/1.1 413 ");
	}

	@Test
	void tcpListenerIsOnLoopbackAndWantsTheToken() throws IOException {
		Path tokenFile = tokenFile("rw-------");
		this.server = AgentServer.start(this.routes::handle, this.temp.resolve("agent.sock"),
				AgentServer.Tcp.withTokenFile(0, tokenFile));
		assertThat(tcp("GET /healthz HTTP/1.1\r\n\r\n")).startsWith("HTTP/1.1 401 ").contains("Bearer");
		assertThat(tcp("GET /healthz HTTP/1.1\r\nAuthorization: Bearer wrong\r\n\r\n")).startsWith("HTTP/1.1 401 ");
		assertThat(tcp("GET /healthz HTTP/1.1\r\nAuthorization: Bearer " + TOKEN + "\r\n\r\n"))
			.startsWith("HTTP/1.1 200 ");
		// The Unix socket's protection is its mode: it needs no token.
		assertThat(new AgentClient(this.server.socket()).call("GET", "/healthz", null).status()).isEqualTo(200);
	}

	@Test
	void tokenFileOthersCanReadIsRefused() throws IOException {
		Path tokenFile = tokenFile("rw-r--r--");
		assertThatExceptionOfType(CseException.class).isThrownBy(() -> AgentServer.Tcp.withTokenFile(0, tokenFile))
			.withMessageContaining("chmod 600 " + tokenFile);
		Files.writeString(tokenFile, "short");
		Files.setPosixFilePermissions(tokenFile, PosixFilePermissions.fromString("rw-------"));
		assertThatExceptionOfType(CseException.class).isThrownBy(() -> AgentServer.Tcp.withTokenFile(0, tokenFile))
			.withMessageContaining("at least 16");
		assertThatExceptionOfType(CseException.class)
			.isThrownBy(() -> AgentServer.Tcp.withTokenFile(0, this.temp.resolve("missing")))
			.withMessageContaining("openssl rand");
	}

	@Test
	void secondAgentOnTheSameSocketIsRefusedAndTheFirstKeepsServing() throws IOException {
		this.server = AgentServer.start(this.routes::handle, this.temp.resolve("agent.sock"), null);
		assertThatExceptionOfType(CseException.class)
			.isThrownBy(() -> AgentServer.start(this.routes::handle, this.server.socket(), null))
			.withMessageContaining("An agent already serves " + this.server.socket());
		assertThat(new AgentClient(this.server.socket()).call("GET", "/healthz", null).status()).isEqualTo(200);
	}

	@Test
	void socketLeftByAKilledAgentIsTakenOverAndRemovedOnClose() throws IOException {
		Path socket = this.temp.resolve("agent.sock");
		// A socket file nobody listens on any more, as a killed agent leaves it.
		ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
		dead.bind(UnixDomainSocketAddress.of(socket));
		dead.close();
		assertThat(socket).exists();
		assertThat(AgentClient.answers(socket)).isFalse();
		this.server = AgentServer.start(this.routes::handle, socket, null);
		assertThat(AgentClient.answers(socket)).isTrue();
		this.server.close();
		this.server = null;
		assertThat(socket).doesNotExist();
	}

	private Path tokenFile(String mode) throws IOException {
		Path file = this.temp.resolve("token");
		Files.writeString(file, TOKEN + "\n");
		Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
		return file;
	}

	private String raw(String request) throws IOException {
		try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(this.server.socket()))) {
			OutputStream out = Channels.newOutputStream(channel);
			out.write(request.getBytes(StandardCharsets.UTF_8));
			out.flush();
			return new String(Channels.newInputStream(channel).readAllBytes(), StandardCharsets.UTF_8);
		}
	}

	private String tcp(String request) throws IOException {
		try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), this.server.tcpPort())) {
			socket.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
			InputStream in = socket.getInputStream();
			return new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
	}

	record Echo(String text) {

	}

}
