package io.cse.node.agent;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;

/**
 * Calls the agent's API over its Unix socket: what {@code cse} does for every command.
 */
public final class AgentClient {

	private final Path socket;

	public AgentClient(Path socket) {
		this.socket = socket;
	}

	/**
	 * Return whether an agent listens on the given socket.
	 * @param socket the socket's path
	 * @return {@code true} if a connection to it succeeds
	 */
	public static boolean answers(Path socket) {
		try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	/**
	 * Send a request and return the agent's answer, whatever its status.
	 * @param method the HTTP method
	 * @param target the path and query
	 * @param body what to send as JSON, or {@code null} for no body
	 * @return the answer
	 * @throws IOException when the agent cannot be reached or closes the connection early
	 */
	public ApiResponse call(String method, String target, Object body) throws IOException {
		byte[] bytes = (body != null) ? json(body) : new byte[0];
		Map<String, String> headers = (body != null) ? Map.of("Content-Type", ApiResponse.JSON_TYPE) : Map.of();
		try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
			channel.connect(UnixDomainSocketAddress.of(this.socket));
			HttpCodec.writeRequest(Channels.newOutputStream(channel), method, target, headers, bytes);
			return HttpCodec.readResponse(Channels.newInputStream(channel));
		}
	}

	private static byte[] json(Object body) {
		try {
			return (body instanceof String text) ? text.getBytes(StandardCharsets.UTF_8)
					: ApiRequest.JSON.writeValueAsBytes(body);
		}
		catch (JsonProcessingException ex) {
			throw new IllegalArgumentException("Cannot write " + body.getClass().getName() + " as JSON", ex);
		}
	}

}
