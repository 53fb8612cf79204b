package io.cse.node.agent;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.cse.node.CseException;

/**
 * Serves the agent's API on a Unix socket that only its owner may open (mode 0600 in a
 * 0700 folder), and, when asked, on a loopback TCP port where every request must carry the
 * bearer token.
 */
public final class AgentServer implements Closeable {

	private static final Logger logger = Logger.getLogger(AgentServer.class.getName());

	private final Handler handler;

	private final Path socket;

	private final List<ServerSocketChannel> channels = new ArrayList<>();

	private final ExecutorService connections;

	private final AtomicInteger threads = new AtomicInteger();

	private volatile int tcpPort = -1;

	private AgentServer(Handler handler, Path socket) {
		this.handler = handler;
		this.socket = socket;
		this.connections = Executors.newCachedThreadPool((task) -> {
			Thread thread = new Thread(task, "cse-agent-" + this.threads.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		});
	}

	/**
	 * Start serving on the Unix socket, and on a loopback port if {@code tcp} is given.
	 * @param handler answers requests
	 * @param socket the Unix socket's path; its folder is created with mode 0700
	 * @param tcp the loopback port and its token, or {@code null}
	 * @return the server, serving
	 * @throws CseException when another agent answers on the socket, or it cannot be bound
	 */
	public static AgentServer start(Handler handler, Path socket, Tcp tcp) {
		AgentServer server = new AgentServer(handler, socket);
		try {
			server.bindSocket();
			if (tcp != null) {
				server.bindTcp(tcp);
			}
			return server;
		}
		catch (IOException | RuntimeException ex) {
			server.close();
			if (ex instanceof CseException cse) {
				throw cse;
			}
			throw new CseException("Cannot serve the agent's API on " + socket + ": " + ex.getMessage(), ex);
		}
	}

	/**
	 * Return the Unix socket's path.
	 * @return the path
	 */
	public Path socket() {
		return this.socket;
	}

	/**
	 * Return the loopback TCP port, or -1 when the server has none.
	 * @return the port
	 */
	public int tcpPort() {
		return this.tcpPort;
	}

	private void bindSocket() throws IOException {
		Path folder = this.socket.toAbsolutePath().getParent();
		if (!Files.isDirectory(folder)) {
			Files.createDirectories(folder, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
		}
		if (Files.exists(this.socket, LinkOption.NOFOLLOW_LINKS)) {
			if (AgentClient.answers(this.socket)) {
				throw new CseException("An agent already serves " + this.socket + ": stop it first, or give this "
						+ "one another --socket");
			}
			// Left by an agent that was killed: nobody listens on it any more.
			Files.delete(this.socket);
		}
		ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
		this.channels.add(channel);
		channel.bind(UnixDomainSocketAddress.of(this.socket));
		Files.setPosixFilePermissions(this.socket, PosixFilePermissions.fromString("rw-------"));
		accept(channel, null);
	}

	private void bindTcp(Tcp tcp) throws IOException {
		ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.INET);
		this.channels.add(channel);
		channel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), tcp.port()));
		this.tcpPort = ((InetSocketAddress) channel.getLocalAddress()).getPort();
		accept(channel, tcp.token());
	}

	private void accept(ServerSocketChannel channel, byte[] token) {
		Thread acceptor = new Thread(() -> {
			while (channel.isOpen()) {
				try {
					SocketChannel connection = channel.accept();
					this.connections.execute(() -> serve(connection, token));
				}
				catch (ClosedChannelException ex) {
					return;
				}
				catch (IOException ex) {
					logger.log(Level.WARNING, "Accepting a connection failed", ex);
				}
			}
		}, "cse-agent-accept-" + ((token != null) ? "tcp" : "unix"));
		acceptor.setDaemon(true);
		acceptor.start();
	}

	private void serve(SocketChannel connection, byte[] token) {
		try (connection) {
			InputStream in = Channels.newInputStream(connection);
			OutputStream out = Channels.newOutputStream(connection);
			ApiResponse response;
			try {
				ApiRequest request = HttpCodec.readRequest(in);
				response = authorized(request, token) ? this.handler.handle(request)
						: ApiResponse.error(401, "Send 'Authorization: Bearer TOKEN' with the token from the agent's "
								+ "--token-file");
			}
			catch (ApiException ex) {
				response = ApiResponse.error(ex.status(), ex.getMessage());
			}
			HttpCodec.writeResponse(out, response);
			discardUnread(connection);
		}
		catch (EOFException ex) {
			// A caller that connected and went away (a probe, or a client that gave up).
		}
		catch (IOException ex) {
			logger.log(Level.FINE, "A connection to the agent failed", ex);
		}
	}

	/**
	 * Read away what the caller sent and the agent did not read (the body of a request it
	 * refused), so that closing does not reset the connection before the caller has read the
	 * answer.
	 */
	private static void discardUnread(SocketChannel connection) throws IOException {
		connection.shutdownOutput();
		connection.configureBlocking(false);
		ByteBuffer buffer = ByteBuffer.allocate(8192);
		long discarded = 0;
		int read;
		while ((read = connection.read(buffer)) > 0 && discarded < HttpCodec.MAX_BODY_BYTES) {
			discarded += read;
			buffer.clear();
		}
	}

	private static boolean authorized(ApiRequest request, byte[] token) {
		if (token == null) {
			return true;
		}
		String sent = request.header("authorization").orElse("");
		byte[] expected = ("Bearer " + new String(token, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
		return MessageDigest.isEqual(expected, sent.getBytes(StandardCharsets.UTF_8));
	}

	@Override
	public void close() {
		for (ServerSocketChannel channel : this.channels) {
			try {
				channel.close();
			}
			catch (IOException ex) {
				logger.log(Level.FINE, "Closing a listener failed", ex);
			}
		}
		this.connections.shutdown();
		try {
			if (!this.channels.isEmpty()) {
				Files.deleteIfExists(this.socket);
			}
		}
		catch (IOException ex) {
			logger.log(Level.WARNING, "Cannot remove " + this.socket, ex);
		}
	}

	/**
	 * Answers the API's requests.
	 */
	@FunctionalInterface
	public interface Handler {

		ApiResponse handle(ApiRequest request);

	}

	/**
	 * A loopback TCP listener.
	 *
	 * @param port the port, 0 for any free one
	 * @param token the bearer token every request must carry
	 */
	public record Tcp(int port, byte[] token) {

		/**
		 * A listener whose token is read from a file that only its owner may read.
		 * @param port the port, 0 for any free one
		 * @param tokenFile the file
		 * @return the listener
		 * @throws CseException when the file is missing, empty or readable by others
		 */
		public static Tcp withTokenFile(int port, Path tokenFile) {
			try {
				String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile));
				if (!mode.substring(3).equals("------")) {
					throw new CseException("The token file " + tokenFile + " has mode " + mode + ": others could read "
							+ "the token; run 'chmod 600 " + tokenFile + "'");
				}
				String token = Files.readString(tokenFile).trim();
				if (token.length() < 16) {
					throw new CseException("The token in " + tokenFile + " is " + token.length() + " characters long: "
							+ "use at least 16 (for example 'openssl rand -hex 32 > " + tokenFile + "')");
				}
				return new Tcp(port, token.getBytes(StandardCharsets.UTF_8));
			}
			catch (IOException ex) {
				throw new CseException("Cannot read the token file " + tokenFile + ": " + ex.getMessage()
						+ " (write one with 'openssl rand -hex 32 > FILE; chmod 600 FILE')", ex);
			}
		}

	}

}
