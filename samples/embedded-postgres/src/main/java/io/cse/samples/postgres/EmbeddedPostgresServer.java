package io.cse.samples.postgres;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * Runs a real PostgreSQL server (the zonky embedded binaries) in a process of its own,
 * until that process is told to stop (SIGTERM), or, with {@code --stop-on-eof}, until its
 * standard input is closed.
 * <p>
 * The database must never live inside the service's JVM: a snapshot of the service
 * would carry it along, and every clone would get a private copy of it. Run it as a user
 * other than root: PostgreSQL refuses to start as root ({@link PostgresProcess} takes
 * care of that).
 * <p>
 * Once the server accepts connections, one line goes to standard output:
 * {@code READY port=<port> url=jdbc:postgresql://127.0.0.1:<port>/postgres user=postgres}.
 * Options: {@code --port=N} (default: a free port), {@code --listen=ADDRESSES} (default
 * {@code 127.0.0.1}), {@code --trust=CIDR} (clients of that network may connect without a
 * password, for example clones in network namespaces behind a host bridge; repeatable),
 * {@code --stop-on-eof}.
 */
public final class EmbeddedPostgresServer {

	private EmbeddedPostgresServer() {
	}

	public static void main(String[] args) throws Exception {
		int port = 0;
		String listen = "127.0.0.1";
		boolean stopOnEof = false;
		List<String> trusted = new ArrayList<>();
		for (String arg : args) {
			if (arg.startsWith("--port=")) {
				port = Integer.parseInt(arg.substring("--port=".length()));
			}
			else if (arg.startsWith("--listen=")) {
				listen = arg.substring("--listen=".length());
			}
			else if (arg.startsWith("--trust=")) {
				trusted.add(arg.substring("--trust=".length()));
			}
			else if (arg.equals("--stop-on-eof")) {
				stopOnEof = true;
			}
			else {
				System.err.println("Unknown option '" + arg + "'. Options: --port=N --listen=ADDRESSES --trust=CIDR --stop-on-eof");
				System.exit(2);
			}
		}
		if ("root".equals(System.getProperty("user.name"))) {
			System.err.println("PostgreSQL refuses to run as root: start this as another user, for example "
					+ "'setpriv --reuid=nobody --regid=nogroup --clear-groups java -jar ...'");
			System.exit(2);
		}
		EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
			.setServerConfig("listen_addresses", listen)
			.setServerConfig("max_connections", "200")
			.setPGStartupWait(Duration.ofSeconds(60))
			.setDataDirectory(Files.createTempDirectory("cse-pg-data-"))
			.setCleanDataDirectory(true)
			.setRegisterShutdownHook(false)
			.setDataDirectoryCustomizer((dataDirectory) -> trust(dataDirectory.toPath(), trusted));
		if (port > 0) {
			builder.setPort(port);
		}
		EmbeddedPostgres postgres = builder.start();
		CountDownLatch stopped = new CountDownLatch(1);
		Runtime.getRuntime().addShutdownHook(new Thread(() -> {
			close(postgres);
			stopped.countDown();
		}, "postgres-stop"));
		System.out.println("READY port=" + postgres.getPort() + " url=jdbc:postgresql://127.0.0.1:" + postgres.getPort()
				+ "/postgres user=postgres");
		System.out.flush();
		if (stopOnEof) {
			awaitEndOfInput(System.in);
			System.exit(0);
		}
		stopped.await();
	}

	private static void trust(Path dataDirectory, List<String> networks) {
		StringBuilder lines = new StringBuilder();
		for (String network : networks) {
			lines.append("host all all ").append(network).append(" trust\n");
		}
		try {
			Files.writeString(dataDirectory.resolve("pg_hba.conf"), lines.toString(), StandardOpenOption.APPEND);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static void awaitEndOfInput(InputStream in) throws IOException {
		// A parent that dies closes our standard input: the server must not outlive it.
		byte[] buffer = new byte[256];
		while (in.read(buffer) >= 0) {
			// keep reading until the end of input
		}
	}

	private static synchronized void close(EmbeddedPostgres postgres) {
		try {
			postgres.close();
		}
		catch (IOException ex) {
			System.err.println("Could not stop PostgreSQL cleanly: " + ex.getMessage());
		}
	}


}
