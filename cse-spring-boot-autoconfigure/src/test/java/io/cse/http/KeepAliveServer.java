package io.cse.http;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real HTTP/1.1 server with keep-alive, in a process of its own (Python's
 * {@code http.server}), that counts the connections its clients hold open: what a service's
 * outbound pools leave open is read on the server's side, not the client's.
 * {@code GET /connections} answers that count (the asking connection left out),
 * {@code GET /hello} answers {@code hello}.
 */
final class KeepAliveServer implements AutoCloseable {

	private static final String SCRIPT = """
			import threading
			from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler
			lock = threading.Lock()
			open_connections = 0
			class Handler(BaseHTTPRequestHandler):
			    protocol_version = "HTTP/1.1"
			    def setup(self):
			        global open_connections
			        super().setup()
			        with lock:
			            open_connections += 1
			    def finish(self):
			        global open_connections
			        try:
			            super().finish()
			        finally:
			            with lock:
			                open_connections -= 1
			    def do_GET(self):
			        if self.path == "/connections":
			            with lock:
			                body = str(open_connections - 1)
			        else:
			            body = "hello"
			        data = body.encode()
			        self.send_response(200)
			        self.send_header("Content-Length", str(len(data)))
			        self.end_headers()
			        self.wfile.write(data)
			    def log_message(self, *args):
			        pass
			server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
			server.daemon_threads = True
			print(server.server_address[1], flush=True)
			server.serve_forever()
			""";

	private final Process process;

	private final int port;

	private KeepAliveServer(Process process, int port) {
		this.process = process;
		this.port = port;
	}

	/**
	 * Start a server; without {@code python3} the test is skipped, or fails when
	 * {@code CSE_REQUIRE_ROOT_TESTS=1}.
	 */
	static KeepAliveServer start() throws IOException {
		Path python = Path.of("/usr/bin/python3");
		if (!Files.isExecutable(python)) {
			String reason = "the keep-alive HTTP server needs /usr/bin/python3 (apt-get install python3)";
			if ("1".equals(System.getenv("CSE_REQUIRE_ROOT_TESTS"))) {
				fail(reason + "; CSE_REQUIRE_ROOT_TESTS=1 makes this a failure, not a skip");
			}
			assumeTrue(false, reason);
		}
		Process process = new ProcessBuilder(python.toString(), "-c", SCRIPT)
			.redirectError(ProcessBuilder.Redirect.INHERIT)
			.start();
		BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII));
		String line = out.readLine();
		if (line == null) {
			throw new IOException("The keep-alive HTTP server exited before it listened");
		}
		return new KeepAliveServer(process, Integer.parseInt(line.strip()));
	}

	String url(String path) {
		return "http://127.0.0.1:" + this.port + path;
	}

	/**
	 * Return how many connections clients hold open to this server, as it sees them.
	 */
	int openConnections() throws IOException {
		try (Socket socket = new Socket("127.0.0.1", this.port)) {
			socket.setSoTimeout(5000);
			OutputStream request = socket.getOutputStream();
			request.write(("GET /connections HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
				.getBytes(StandardCharsets.US_ASCII));
			request.flush();
			InputStream in = socket.getInputStream();
			ByteArrayOutputStream response = new ByteArrayOutputStream();
			in.transferTo(response);
			String text = response.toString(StandardCharsets.US_ASCII);
			return Integer.parseInt(text.substring(text.indexOf("\r\n\r\n") + 4).strip());
		}
	}

	@Override
	public void close() throws InterruptedException {
		this.process.destroy();
		if (!this.process.waitFor(10, TimeUnit.SECONDS)) {
			this.process.destroyForcibly();
		}
	}

}
