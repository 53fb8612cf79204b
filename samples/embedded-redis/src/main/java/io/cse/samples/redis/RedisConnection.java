package io.cse.samples.redis;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One connection to a Redis server speaking the protocol (RESP2) itself: enough for the
 * tests to ask the server about its clients without a client library of their own, whose
 * connections would then have to be told apart from the service's.
 */
final class RedisConnection implements AutoCloseable {

	private static final int TIMEOUT_MILLIS = 10_000;

	private final Socket socket;

	private final InputStream in;

	private final OutputStream out;

	private RedisConnection(Socket socket) throws IOException {
		this.socket = socket;
		this.in = new BufferedInputStream(socket.getInputStream());
		this.out = socket.getOutputStream();
	}

	static RedisConnection open(int port) throws IOException {
		Socket socket = new Socket();
		try {
			socket.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT_MILLIS);
			socket.setSoTimeout(TIMEOUT_MILLIS);
			return new RedisConnection(socket);
		}
		catch (IOException ex) {
			socket.close();
			throw ex;
		}
	}

	Object command(String... arguments) throws IOException {
		ByteArrayOutputStream request = new ByteArrayOutputStream();
		write(request, "*" + arguments.length + "\r\n");
		for (String argument : arguments) {
			byte[] bytes = argument.getBytes(StandardCharsets.UTF_8);
			write(request, "$" + bytes.length + "\r\n");
			request.write(bytes);
			write(request, "\r\n");
		}
		this.out.write(request.toByteArray());
		this.out.flush();
		return readReply();
	}

	private Object readReply() throws IOException {
		int type = this.in.read();
		String line = readLine();
		switch (type) {
			case '+':
				return line;
			case '-':
				throw new IOException("Redis answered with an error: " + line);
			case ':':
				return Long.parseLong(line);
			case '$': {
				int length = Integer.parseInt(line);
				if (length < 0) {
					return null;
				}
				byte[] bytes = this.in.readNBytes(length + 2); // the bulk string and its CRLF
				return new String(bytes, 0, length, StandardCharsets.UTF_8);
			}
			case '*': {
				int count = Integer.parseInt(line);
				List<Object> elements = new ArrayList<>();
				for (int i = 0; i < count; i++) {
					elements.add(readReply());
				}
				return elements;
			}
			default:
				throw new IOException("Unexpected reply from Redis (type '" + (char) type + "'): " + line);
		}
	}

	private String readLine() throws IOException {
		ByteArrayOutputStream line = new ByteArrayOutputStream();
		int previous = -1;
		int current;
		while ((current = this.in.read()) >= 0) {
			if (previous == '\r' && current == '\n') {
				byte[] bytes = line.toByteArray();
				return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
			}
			line.write(current);
			previous = current;
		}
		throw new IOException("Redis closed the connection");
	}

	private static void write(ByteArrayOutputStream out, String text) {
		out.writeBytes(text.getBytes(StandardCharsets.US_ASCII));
	}

	@Override
	public void close() throws IOException {
		this.socket.close();
	}

}
