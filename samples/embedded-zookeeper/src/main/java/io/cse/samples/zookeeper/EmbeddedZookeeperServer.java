package io.cse.samples.zookeeper;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;

/**
 * Runs a real ZooKeeper server (Curator's {@link TestingServer}) in a process of its own,
 * until that process is told to stop (SIGTERM), or, with {@code --stop-on-eof}, until its
 * standard input is closed.
 * <p>
 * The registry must never live inside the provider's JVM: a snapshot of the provider
 * would carry it along, and every clone would get a private registry of its own that no
 * consumer knows.
 * <p>
 * Once the server accepts connections, one line goes to standard output:
 * {@code READY port=<port> address=zookeeper://<listen>:<port>}. Options: {@code --port=N}
 * (default: a free port), {@code --listen=ADDRESS} (default {@code 0.0.0.0}: every
 * address of the host, a bridge's included), {@code --stop-on-eof}.
 */
public final class EmbeddedZookeeperServer {

	private EmbeddedZookeeperServer() {
	}

	public static void main(String[] args) throws Exception {
		int port = -1;
		String listen = "0.0.0.0";
		boolean stopOnEof = false;
		for (String arg : args) {
			if (arg.startsWith("--port=")) {
				port = Integer.parseInt(arg.substring("--port=".length()));
			}
			else if (arg.startsWith("--listen=")) {
				listen = arg.substring("--listen=".length());
			}
			else if (arg.equals("--stop-on-eof")) {
				stopOnEof = true;
			}
			else {
				System.err.println("Unknown option '" + arg + "'. Options: --port=N --listen=ADDRESS --stop-on-eof");
				System.exit(2);
			}
		}
		Map<String, Object> properties = new HashMap<>();
		properties.put("clientPortAddress", listen);
		InstanceSpec spec = new InstanceSpec(Files.createTempDirectory("cse-zookeeper-").toFile(), port, -1, -1, true,
				-1, -1, 500, properties, "127.0.0.1");
		TestingServer server = new TestingServer(spec, true);
		CountDownLatch stopped = new CountDownLatch(1);
		Runtime.getRuntime().addShutdownHook(new Thread(() -> {
			close(server);
			stopped.countDown();
		}, "zookeeper-stop"));
		String advertised = "0.0.0.0".equals(listen) ? "127.0.0.1" : listen;
		System.out.println("READY port=" + server.getPort() + " address=zookeeper://" + advertised + ":"
				+ server.getPort());
		System.out.flush();
		if (stopOnEof) {
			awaitEndOfInput(System.in);
			System.exit(0);
		}
		stopped.await();
	}

	private static void awaitEndOfInput(InputStream in) throws IOException {
		// A parent that dies closes our standard input: the server must not outlive it.
		byte[] buffer = new byte[256];
		while (in.read(buffer) >= 0) {
			// keep reading until the end of input
		}
	}

	private static synchronized void close(TestingServer server) {
		try {
			server.close();
		}
		catch (IOException ex) {
			System.err.println("Could not stop ZooKeeper cleanly: " + ex.getMessage());
		}
	}

}
