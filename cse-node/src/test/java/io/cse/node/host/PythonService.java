package io.cse.node.host;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.cse.node.instance.HttpProbe;
import io.cse.node.instance.JdkHttpProbe;
import io.cse.snapshot.ImageIdentity;
import io.cse.snapshot.ImageManifest;
import io.cse.snapshot.ImageSealer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A tiny HTTP service in Python, and a real CRIU template image of it: the smallest thing
 * the node agent can restore and clone. {@code /} answers its pid, {@code /actuator/cse}
 * its "instance id" (made of its pid, the same in every restore: a Python script has no
 * starter to give it a new one).
 */
final class PythonService {

	static final String SCRIPT = """
			import http.server, json, os, socketserver, sys
			port = int(sys.argv[1])
			# Held open, as a JVM's container support holds it for a moment now and then: a
			# dump that catches it open makes an image whose restores must find it again.
			held = []
			for line in open("/proc/self/cgroup").read().splitlines():
			    _, controllers, path = line.split(":", 2)
			    if "memory" in controllers.split(","):
			        held.append(open("/sys/fs/cgroup/memory" + path + "/memory.stat"))
			    elif controllers == "" and os.path.exists("/sys/fs/cgroup" + path + "/memory.stat"):
			        held.append(open("/sys/fs/cgroup" + path + "/memory.stat"))
			class Handler(http.server.BaseHTTPRequestHandler):
			    def do_GET(self):
			        if self.path == "/":
			            body = {"pid": os.getpid(), "instance": "py-%d" % os.getpid()}
			        elif self.path == "/actuator/cse":
			            body = {"instance": {"instanceId": "py-%d" % os.getpid()}}
			        else:
			            self.send_error(404)
			            return
			        data = json.dumps(body).encode()
			        self.send_response(200)
			        self.send_header("Content-Type", "application/json")
			        self.send_header("Content-Length", str(len(data)))
			        self.end_headers()
			        self.wfile.write(data)
			    def log_message(self, *args):
			        pass
			class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
			    allow_reuse_address = True
			    daemon_threads = True
			Server(("0.0.0.0", port), Handler).serve_forever()
			""";

	static final HttpProbe HTTP = new JdkHttpProbe();

	private PythonService() {
	}

	/**
	 * Start the service, hold a connection to it open, and dump it with CRIU (which ends it).
	 * @param images the folder to write the image folder into (mode 0700)
	 * @param id the image's id
	 * @return the image
	 */
	static Template dumpTemplate(Path images, String id) throws Exception {
		Path work = Files.createDirectories(images.resolve("work-" + id));
		Path script = work.resolve("service.py");
		Files.writeString(script, SCRIPT);
		int port = freePort();
		Process service = new ProcessBuilder("setsid", RootOnly.python(), script.toString(), Integer.toString(port))
			.redirectInput(new File("/dev/null"))
			.redirectErrorStream(true)
			.redirectOutput(work.resolve("service.log").toFile())
			.start();
		long pid = service.pid();
		URI root = URI.create("http://127.0.0.1:" + port + "/");
		await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20))
			.until(() -> status(root) == 200);
		Path image = images.resolve(id);
		Files.createDirectory(image, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
		List<String> locksBefore = networkLocks();
		// An established connection in the image: restores must bring it back closed.
		try (java.net.Socket held = new java.net.Socket("127.0.0.1", port)) {
			// accepted by the service first: CRIU refuses a connection still in the accept
			// queue ("In-flight connection"), which a busy machine shows often enough
			await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
				.until(() -> acceptQueue(port) == 0);
			Process dump = new ProcessBuilder(RootOnly.CRIU.toString(), "dump", "-t", Long.toString(pid), "-D",
					image.toString(), "--shell-job", "--tcp-established", "--network-lock", "nftables", "-o", "dump.log")
				.redirectErrorStream(true)
				.redirectOutput(work.resolve("criu-dump.out").toFile())
				.start();
			assertThat(dump.waitFor(30, TimeUnit.SECONDS)).as("criu dump ends").isTrue();
			assertThat(dump.exitValue()).as("criu dump: " + Files.readString(image.resolve("dump.log"))).isZero();
		}
		assertThat(service.waitFor(10, TimeUnit.SECONDS)).as("the dump ended the service").isTrue();
		// A dump that ends its process leaves the connection locked (an nftables table of
		// CRIU's) for a restore in this network namespace to unlock. The tests restore it in
		// namespaces of their own, with its connections closed, so nothing would: without
		// this, every run left a table on the host.
		for (String lock : networkLocks()) {
			if (!locksBefore.contains(lock)) {
				CommandOutput deleted = run("nft", "delete", "table", "inet", lock);
				assertThat(deleted.exitCode()).as("nft delete table inet %s: %s", lock, deleted.output()).isZero();
			}
		}
		// Written as the starter writes it: the manifest, sealed with the files' hashes after the dump.
		ImageManifest.builder()
			.imageId(id)
			.kind(ImageManifest.Kind.TEMPLATE)
			.engine("criu", "4.2.1")
			.createdAt(Instant.now())
			.application(new ImageManifest.Application("python-service", port, "/"))
			.process(pid, -1)
			.identity(new ImageIdentity("py-" + pid, 0))
			.build()
			.writePending(image);
		ImageSealer.seal(image);
		return new Template(image, pid, port);
	}

	/**
	 * The connections waiting in the accept queue of the socket listening on a port: for a
	 * socket in {@code LISTEN} state, {@code /proc/net/tcp} shows its queue as {@code rx_queue}.
	 */
	private static int acceptQueue(int port) throws IOException {
		String hexPort = String.format(":%04X", port);
		int queued = 0;
		for (String line : Files.readAllLines(Path.of("/proc/net/tcp"))) {
			String[] fields = line.strip().split("\\s+");
			if (fields.length > 4 && fields[1].endsWith(hexPort) && "0A".equals(fields[3])) {
				queued += Integer.parseInt(fields[4].substring(fields[4].indexOf(':') + 1), 16);
			}
		}
		return queued;
	}

	static int status(URI uri) {
		return HTTP.get(uri, null).map(HttpProbe.Answer::status).orElse(-1);
	}

	static String body(URI uri) {
		return HTTP.get(uri, null).filter((answer) -> answer.status() == 200).map(HttpProbe.Answer::body).orElse("");
	}

	static CommandOutput run(String... command) throws IOException, InterruptedException {
		Process process = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
		String output = new String(process.getInputStream().readAllBytes());
		assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
		return new CommandOutput(process.exitValue(), output);
	}

	/**
	 * The nftables tables CRIU locks connections with ({@code inet CRIU-...}) on this host.
	 */
	static List<String> networkLocks() throws IOException, InterruptedException {
		CommandOutput tables = run("nft", "list", "tables");
		assertThat(tables.exitCode()).as("nft list tables: %s", tables.output()).isZero();
		return tables.output()
			.lines()
			.filter((line) -> line.startsWith("table inet CRIU-"))
			.map((line) -> line.substring("table inet ".length()).strip())
			.toList();
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

	record Template(Path dir, long pid, int port) {
	}

	record CommandOutput(int exitCode, String output) {
	}

}
