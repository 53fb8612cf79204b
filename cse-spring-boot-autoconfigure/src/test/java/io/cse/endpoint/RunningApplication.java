package io.cse.endpoint;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import io.cse.CheckpointCoordinator;
import io.cse.InstanceState;
import io.cse.crac.CracJdkAdapter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.env.Environment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every scenario shares: a client for the running application, which is left
 * running after each test.
 */
abstract class RunningApplication {

	static final int NOTHING_READ = -2;

	static final int END_OF_STREAM = -1;

	@Autowired
	Environment environment;

	@Autowired
	CheckpointCoordinator coordinator;

	@Autowired
	CracJdkAdapter cracJdkAdapter;

	Http http;

	@BeforeEach
	void client() {
		this.http = new Http(port());
	}

	@AfterEach
	void backToRunning() {
		if (this.coordinator.getState() == InstanceState.FROZEN) {
			this.coordinator.thaw(Map.of());
		}
	}

	int port() {
		return this.environment.getRequiredProperty("local.server.port", Integer.class);
	}

	Socket connect() throws IOException {
		Socket socket = new Socket("127.0.0.1", port());
		socket.setSoTimeout(10_000);
		return socket;
	}

	/**
	 * Send a keep-alive GET on the given connection and read its whole response,
	 * leaving the connection open and idle.
	 */
	RawResponse exchange(Socket socket, String path) throws IOException {
		OutputStream out = socket.getOutputStream();
		out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port()
				+ "\r\nConnection: keep-alive\r\nAccept: */*\r\n\r\n")
			.getBytes(StandardCharsets.US_ASCII));
		out.flush();
		InputStream in = socket.getInputStream();
		String statusLine = readLine(in);
		Map<String, String> headers = new LinkedHashMap<>();
		for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
			int colon = line.indexOf(':');
			headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
		}
		assertThat(headers).as("response headers").containsKey("content-length");
		byte[] body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
		return new RawResponse(Integer.parseInt(statusLine.split(" ")[1]), headers,
				new String(body, StandardCharsets.UTF_8));
	}

	/**
	 * Read one byte, waiting at most the given time.
	 * @return the byte, {@link #END_OF_STREAM} if the server closed the connection, or
	 * {@link #NOTHING_READ} if nothing came in time
	 */
	static int readWithin(Socket socket, Duration timeout) throws IOException {
		int previous = socket.getSoTimeout();
		socket.setSoTimeout((int) timeout.toMillis());
		try {
			return socket.getInputStream().read();
		}
		catch (SocketTimeoutException ex) {
			return NOTHING_READ;
		}
		finally {
			socket.setSoTimeout(previous);
		}
	}

	private static String readLine(InputStream in) throws IOException {
		ByteArrayOutputStream line = new ByteArrayOutputStream();
		int read;
		while ((read = in.read()) != '\n') {
			if (read == -1) {
				throw new IOException("Connection closed in the middle of a response");
			}
			line.write(read);
		}
		String text = line.toString(StandardCharsets.US_ASCII);
		return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
	}

	record RawResponse(int status, Map<String, String> headers, String body) {

	}

}
