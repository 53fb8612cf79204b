package io.cse.node.host;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cse.node.CseRun;
import io.cse.node.instance.Instance;
import io.cse.node.instance.NodeContext;
import io.cse.node.instance.Registry;
import io.cse.node.linux.Criu;
import io.cse.samples.postgres.PostgresProcess;
import io.cse.snapshot.ImageAttachment;
import io.cse.snapshot.ImageFile;
import io.cse.snapshot.ImageManifest;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

/**
 * The whole way, on this machine: {@code samples/hello-web} runs as a process of its own
 * on a real PostgreSQL, is dumped through {@code /actuator/cse/dump}, restored with
 * {@code cse restore}, snapshotted again as a clone template, and cloned three times with
 * {@code cse clone}; on JDK 17 and on JDK 25. Its log file is rotated away after the dump,
 * and opened again at its configured path by the restored instance and by every clone.
 * Needs root and CRIU (see {@link RootOnly}).
 * <p>
 * The database listens on the test bridge's address, which the host and every clone's
 * namespace reach alike, and tells its clients apart by their addresses.
 */
@Timeout(300)
class HelloWebSnapshotEndToEndTests {

	private static final String BRIDGE = "cse2e";

	private static final String SUBNET = "10.199.251.0/24";

	private static final String GATEWAY = "10.199.251.1";

	private static final Duration STARTUP = Duration.ofSeconds(120);

	private static final ObjectMapper json = new ObjectMapper();

	@TempDir
	static Path work;

	private static PostgresProcess postgres;

	private final ServiceProcesses services = new ServiceProcesses();

	@BeforeAll
	static void database() throws IOException {
		RootOnly.require();
		CseRun up = cse(work.resolve("state"), "net", "up", "--bridge", BRIDGE, "--subnet", SUBNET);
		assertThat(up.exitCode()).as(up.toString()).isZero();
		postgres = PostgresProcess.start(Path.of(System.getProperty("cse.postgres.jar")), "127.0.0.1," + GATEWAY,
				List.of(SUBNET));
	}

	@AfterAll
	static void stopDatabase() {
		if (postgres != null) {
			postgres.close();
		}
		cse(work.resolve("state"), "net", "down", "--bridge", BRIDGE);
	}

	@AfterEach
	void stopEverything() throws InterruptedException {
		cse(work.resolve("state"), "stop", "--all", "--timeout", "5s");
		this.services.close();
	}

	@ParameterizedTest(name = "on {0}")
	@MethodSource("io.cse.node.host.RootOnly#snapshotJdks")
	void dumpRestoreAndCloneHelloWeb(String javaHome) throws Exception {
		Path java = RootOnly.java(javaHome);
		String name = Path.of(javaHome).getFileName().toString().replaceAll("[^A-Za-z0-9]", "");
		Path state = work.resolve("state");
		Path images = work.resolve("images-" + name);
		int port = ServiceProcesses.freePort();
		String local = "http://127.0.0.1:" + port;

		// A service started from scratch, with its database on the bridge.
		// Logs under target/, where they outlive the test for whoever reads a failure.
		Path log = Files.createDirectories(Path.of("target", "e2e-logs")).resolve(name + "-" + port + ".log");
		// Its own log file (Spring Boot's rolling file appender), which every clone shares
		Path serviceLog = work.resolve("logs-" + name).resolve("hello-web.log");
		// Its endpoint wants a token, which every image carries for the agent that restores it
		String token = "hello-web-endpoint-token-" + name + "-" + port;
		Path tokenFile = work.resolve("endpoint-token-" + name);
		Files.writeString(tokenFile, token, StandardCharsets.US_ASCII);
		Files.setPosixFilePermissions(tokenFile, PosixFilePermissions.fromString("rw-------"));
		this.services.endpointToken(token);
		Process original = start(java, port, images, log, serviceLog, tokenFile);
		awaitStarted(original, local + "/actuator/cse", log);
		assertThat(this.services.getAnonymously(local + "/actuator/cse").statusCode()).isEqualTo(401);
		for (int i = 1; i <= 3; i++) {
			assertThat(get(local + "/counter").body()).isEqualTo(Integer.toString(i));
		}
		assertThat(post(local + "/visits", null).statusCode()).isEqualTo(200);
		String originalId = status(local).path("instance").path("instanceId").asText();

		// Dump: 202 first, then the process stops once the image is complete.
		HttpResponse<String> dump = post(local + "/actuator/cse/dump", "{\"image\": \"dump\"}");
		assertThat(dump.statusCode()).as(dump.body()).isEqualTo(202);
		assertThat(original.waitFor(120, TimeUnit.SECONDS)).as("the dumped process stopped").isTrue();
		long dumpedBy = System.nanoTime();
		Path dumpImage = images.resolve("dump");
		// CRIU stops the process, then the manifest is moved into place: last.
		await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(dumpImage.resolve("manifest.json")));
		assertThat(images).isDirectoryNotContaining("glob:**/dump.criu-exit");
		assertThat(dumpImage.resolve(ImageManifest.PENDING_FILE_NAME)).doesNotExist();
		ImageManifest manifest = ImageManifest.read(dumpImage);
		assertThat(manifest.kind()).isEqualTo(ImageManifest.Kind.DUMP);
		assertThat(manifest.engine()).isEqualTo("criu");
		assertThat(manifest.application().port()).isEqualTo(port);
		assertThat(manifest.identity().instanceId()).isEqualTo(originalId);
		assertThat(manifest.files()).as("the endpoint's token, for the agent that restores the image")
			.containsKey(ImageAttachment.ENDPOINT_TOKEN);
		assertImageIsPrivateAndListsEveryFile(dumpImage, manifest);
		// CRIU locks the process's connections with an nftables table named after the dump's
		// run id; the dump script removes it, or every dump would leave one on the host
		assertThat(nftTables()).as("the host's nftables tables after the dump")
			.doesNotContain("CRIU-" + runIdOf(dumpImage).substring(0, 21));
		assertTamperedCopyIsNotRestored(state, dumpImage, name + "-tampered", manifest.pid(), port);

		// The log file is rotated away while the image waits, as logrotate does: CRIU could
		// not restore an image that holds it open.
		Files.move(serviceLog, serviceLog.resolveSibling("hello-web.log.1"));

		// Restore in the host's namespaces: the same instance, its memory and its database.
		long waited = System.nanoTime() - dumpedBy;
		CseRun restore = cse(state, "restore", dumpImage.toString(), "--name", name + "-r", "--timeout", "120s");
		assertThat(restore.exitCode()).as(restore.toString()).isZero();
		// The image records that the dump's network lock is released: CRIU's restore no longer
		// asks nftables to delete the table the dump script deleted (12 to 21 ms, and an error)
		// (libnftables writes that error into CRIU's log whatever its verbosity)
		assertThat(new Registry(state).logDir(name + "-r").resolve(Criu.RESTORE_LOG)).content()
			.doesNotContain("Could not process rule");
		assertMonotonicClockGoesOnFromTheDump(manifest.pid(), waited);
		assertThat(get(local + "/counter").body()).as("the in-memory counter kept its value").isEqualTo("4");
		JsonNode restored = status(local);
		assertThat(restored.path("instance").path("instanceId").asText()).isEqualTo(originalId);
		assertThat(restored.path("state").asText()).isEqualTo("RUNNING");
		// The agent knows the id of the instance it resumed: the one the image holds
		assertThat(new Registry(state).find(name + "-r").orElseThrow().instanceId()).isEqualTo(originalId);
		assertThat(this.services.getAnonymously(local + "/actuator/cse").statusCode()).isEqualTo(401);
		assertThat(post(local + "/visits", null).statusCode()).isEqualTo(200);
		assertThat(postgres.countConnectionsFrom(GATEWAY)).as("the restored instance's pool").isPositive();
		assertThat(serviceLog).as("the log file, opened again at its configured path")
			.content()
			.contains("opened again in restored instance " + originalId);

		// What the service hands out, seeded before it becomes a template: a session, a token
		// from its start-up SHA1PRNG, ThreadLocalRandom on the request threads.
		for (int i = 0; i < 3; i++) {
			assertThat(post(local + "/sessions", null).statusCode()).isEqualTo(200);
			assertThat(get(local + "/token").statusCode()).isEqualTo(200);
			assertThat(get(local + "/thread-local-random").statusCode()).isEqualTo(200);
		}
		assertThat(get(local + "/token/self-seeded").statusCode()).isEqualTo(200);

		// Clone: the restored instance becomes a template and keeps running.
		HttpResponse<String> clone = post(local + "/actuator/cse/clone", "{\"image\": \"template\"}");
		assertThat(clone.statusCode()).as(clone.body()).isEqualTo(202);
		Path template = images.resolve("template");
		await().atMost(Duration.ofSeconds(120)).until(() -> Files.exists(template.resolve("manifest.json")));
		await().atMost(Duration.ofSeconds(30))
			.until(() -> "clone".equals(status(local).path("lastOperation").path("operation").asText()));
		assertThat(status(local).path("lastOperation").path("outcome").asText()).isEqualTo("SUCCESS");

		CseRun clones = cse(state, "clone", template.toString(), "--count", "3", "--name-prefix", name + "-c",
				"--bridge", BRIDGE, "--timeout", "120s");
		assertThat(clones.exitCode()).as(clones.toString()).isZero();
		List<Instance> cloned = new Registry(state).list().stream().filter((instance) -> instance.name().startsWith(name + "-c")).toList();
		assertThat(cloned).hasSize(3);

		// The template's instance and the 3 clones: 4 instances, 4 identities, 4 pools.
		Set<String> ids = new HashSet<>();
		ids.add(status(local).path("instance").path("instanceId").asText());
		for (Instance instance : cloned) {
			String base = "http://" + instance.endpoint().address() + ":" + port;
			JsonNode cloneStatus = status(base);
			assertThat(cloneStatus.path("instance").path("generation").asInt()).isEqualTo(1);
			assertThat(cloneStatus.path("instance").path("parentId").asText()).isEqualTo(originalId);
			assertThat(cloneStatus.path("instance").path("imageId").asText()).isEqualTo("template");
			ids.add(cloneStatus.path("instance").path("instanceId").asText());
			assertThat(instance.instanceId()).as("the clone's id as the agent read it, with the template's token")
				.isEqualTo(cloneStatus.path("instance").path("instanceId").asText());
			assertThat(this.services.getAnonymously(base + "/actuator/cse").statusCode()).isEqualTo(401);
			assertThat(get(base + "/").body()).isEqualTo("Hello World!");
			assertThat(post(base + "/visits", null).statusCode()).isEqualTo(200);
			assertThat(postgres.countConnectionsFrom(instance.endpoint().address()))
				.as("connections of clone " + instance.name() + " seen by the database")
				.isPositive();
			assertNoSeriesPerInstance(base, ids);
		}
		assertNoSeriesPerInstance(local, ids);
		assertThat(ids).hasSize(4);
		for (String id : ids) {
			if (!id.equals(originalId)) {
				assertThat(serviceLog).as("the configured log file, shared by the clones").content()
					.contains("opened again in clone " + id);
			}
		}
		assertThat(post(local + "/visits", null).statusCode()).isEqualTo(200);
		assertClonesHandOutTheirOwnRandomValues(local, port, cloned);

		CseRun stop = cse(state, "stop", "--all");
		assertThat(stop.exitCode()).as(stop.toString()).isZero();
		assertThat(new Registry(state).list()).isEmpty();
	}

	/**
	 * An image holds the process's whole memory: its folder is {@code 0700}, every file
	 * {@code 0600}, root's, and listed in the manifest with its size and SHA-256.
	 */
	private static void assertImageIsPrivateAndListsEveryFile(Path image, ImageManifest manifest) throws IOException {
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(image))).isEqualTo("rwx------");
		assertThat(Files.getOwner(image).getName()).isEqualTo("root");
		List<String> names = new ArrayList<>();
		try (Stream<Path> files = Files.list(image)) {
			for (Path file : files.toList()) {
				assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).as(file.toString())
					.isEqualTo("rw-------");
				assertThat(Files.getOwner(file).getName()).as(file.toString()).isEqualTo("root");
				names.add(file.getFileName().toString());
			}
		}
		names.remove(ImageManifest.FILE_NAME);
		assertThat(manifest.files()).containsOnlyKeys(names.toArray(String[]::new)).containsKey("inventory.img");
		for (String name : names) {
			assertThat(manifest.files().get(name)).as(name).isEqualTo(ImageFile.of(image.resolve(name)));
		}
		assertThat(manifest.kernelRelease()).isEqualTo(System.getProperty("os.version"));
		assertThat(manifest.bootId()).isEqualTo(Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).strip());
	}

	/**
	 * The restored process is in a time namespace of its own, whose monotonic clock is
	 * behind the host's by at least the time the image waited: its timers go on from where
	 * the dump left them, after a reboot too, when the host's clock starts again at zero.
	 */
	private static void assertMonotonicClockGoesOnFromTheDump(long pid, long waitedNanos) throws IOException {
		assertThat(Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "ns", "time")))
			.as("the restored process's time namespace")
			.isNotEqualTo(Files.readSymbolicLink(Path.of("/proc/self/ns/time")));
		String[] monotonic = Files.readAllLines(Path.of("/proc", Long.toString(pid), "timens_offsets"))
			.stream()
			.filter((line) -> line.startsWith("monotonic"))
			.findFirst()
			.orElseThrow()
			.trim()
			.split("\\s+");
		long offsetNanos = Long.parseLong(monotonic[1]) * 1_000_000_000L + Long.parseLong(monotonic[2]);
		assertThat(-offsetNanos).as("how far the restored process's monotonic clock is behind the host's (ns)")
			.isGreaterThanOrEqualTo(waitedNanos);
	}

	/**
	 * A copy of the image with one byte of its memory changed: {@code cse restore} refuses
	 * it before CRIU runs, naming the file, and starts nothing.
	 */
	private static void assertTamperedCopyIsNotRestored(Path state, Path image, String name, long pid, int port)
			throws IOException {
		Path copy = Files.createDirectory(image.resolveSibling("tampered"),
				PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
		Path pages = null;
		try (Stream<Path> files = Files.list(image)) {
			for (Path file : files.toList()) {
				Path copied = Files.copy(file, copy.resolve(file.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
				if (file.getFileName().toString().startsWith("pages-")
						&& (pages == null || Files.size(copied) > Files.size(pages))) {
					pages = copied;
				}
			}
		}
		assertThat(pages).as("a pages-*.img in " + image).isNotNull();
		try (RandomAccessFile file = new RandomAccessFile(pages.toFile(), "rw")) {
			long middle = file.length() / 2;
			file.seek(middle);
			int value = file.read();
			file.seek(middle);
			file.write(value ^ 0x01);
		}
		try {
			CseRun restore = cse(state, "restore", copy.toString(), "--name", name, "--timeout", "60s");
			assertThat(restore.exitCode()).as(restore.toString()).isNotZero();
			assertThat(restore.err()).contains(pages + " does not match its SHA-256 in the image's manifest");
			assertThat(new Registry(state).list()).extracting(Instance::name).doesNotContain(name);
			assertThat(ProcessHandle.of(pid)).as("no process restored with the image's pid").isEmpty();
			assertThat(new Registry(state).logDir(name).resolve(Criu.RESTORE_LOG)).as("CRIU never ran").doesNotExist();
		}
		finally {
			try (Stream<Path> files = Files.list(copy)) {
				for (Path file : files.toList()) {
					Files.delete(file);
				}
			}
			Files.delete(copy);
		}
	}

	/**
	 * Every clone starts from the template's memory: without a reseed on the restore, each
	 * would hand out the session ids, tokens and numbers the template hands out next.
	 */
	private void assertClonesHandOutTheirOwnRandomValues(String local, int port, List<Instance> cloned)
			throws IOException {
		List<String> sessions = new ArrayList<>();
		List<String> tokens = new ArrayList<>();
		List<String> numbers = new ArrayList<>();
		List<String> selfSeeded = new ArrayList<>();
		for (Instance instance : cloned) {
			String base = "http://" + instance.endpoint().address() + ":" + port;
			sessions.add(field(post(base + "/sessions", null), "session"));
			tokens.add(field(get(base + "/token"), "token"));
			numbers.add(field(get(base + "/thread-local-random"), "number"));
			selfSeeded.add(field(get(base + "/token/self-seeded"), "token"));
		}
		String templateSession = field(post(local + "/sessions", null), "session");
		String templateToken = field(get(local + "/token"), "token");
		// All at once, so that a failure shows which of them repeat.
		SoftAssertions.assertSoftly((softly) -> {
			softly.assertThat(sessions).as("the clones' new session ids").doesNotHaveDuplicates()
				.doesNotContain(templateSession);
			softly.assertThat(tokens).as("the clones' tokens from the SHA1PRNG made at start-up").doesNotHaveDuplicates()
				.doesNotContain(templateToken);
			softly.assertThat(numbers).as("the clones' ThreadLocalRandom numbers").doesNotHaveDuplicates();
			// What the starter cannot reach, as the docs say: a SHA1PRNG made in a clone without
			// a seed of its own seeds itself from the JDK's static generator, copied into every clone.
			softly.assertThat(selfSeeded).as("tokens of SHA1PRNGs made after the restore, self-seeded")
				.containsOnly(selfSeeded.get(0));
		});
	}

	/** The run id CRIU records in an image's inventory, which names its network lock. */
	private static String runIdOf(Path image) throws IOException {
		String inventory = new String(Files.readAllBytes(image.resolve("inventory.img")), StandardCharsets.ISO_8859_1);
		java.util.regex.Matcher uuid = java.util.regex.Pattern
			.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
			.matcher(inventory);
		assertThat(uuid.find()).as("a run id in " + image.resolve("inventory.img")).isTrue();
		return uuid.group();
	}

	private static List<String> nftTables() throws IOException {
		Process nft = new ProcessBuilder("nft", "list", "tables").redirectErrorStream(true).start();
		String out = new String(nft.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		return out.lines().map((line) -> line.replaceFirst("^table \\S+ ", "").strip()).toList();
	}

	private static String field(HttpResponse<String> response, String name) throws IOException {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return json.readTree(response.body()).path(name).asText();
	}

	/**
	 * What a Prometheus scrape of the template and its clones would see of CSE: the same
	 * series on every instance (each told apart by the target it is scraped as), none
	 * tagged with an instance id, and gauges that read the instance's own identity.
	 */
	private void assertNoSeriesPerInstance(String base, Set<String> ids) throws IOException {
		JsonNode generation = json.readTree(get(base + "/actuator/metrics/cse.instance.generation").body());
		assertThat(generation.path("availableTags")).as("tags of cse.instance.generation at " + base).isEmpty();
		assertThat(generation.path("measurements").get(0).path("value").asDouble())
			.isEqualTo(status(base).path("instance").path("generation").asDouble());
		for (String meter : List.of("cse.state", "cse.operations", "cse.participants")) {
			HttpResponse<String> answer = get(base + "/actuator/metrics/" + meter);
			if (answer.statusCode() == 404) {
				continue; // a timer that has recorded nothing yet in this instance
			}
			JsonNode tags = json.readTree(answer.body()).path("availableTags");
			assertThat(tags.findValuesAsText("tag")).as(meter + " at " + base).doesNotContain("instance");
			for (JsonNode values : tags.findValues("values")) {
				assertThat(values.toString()).as(meter + " at " + base).doesNotContain(ids);
			}
		}
		if (Boolean.getBoolean("cse.prometheus")) {
			// The scrape itself, where the sample has the registry (its Boot 4 build)
			HttpResponse<String> scrape = get(base + "/actuator/prometheus");
			assertThat(scrape.statusCode()).as(scrape.body()).isEqualTo(200);
			List<String> cse = scrape.body().lines().filter((line) -> line.startsWith("cse_")).toList();
			assertThat(cse).as("CSE's series at " + base).anyMatch((line) -> line.startsWith("cse_instance_generation"))
				.anyMatch((line) -> line.startsWith("cse_state{"));
			assertThat(scrape.body()).as("the scrape at " + base).doesNotContain(ids);
			assertThat(cse).as("CSE's series at " + base).noneMatch((line) -> line.contains("instance="));
		}
	}

	private Process start(Path java, int port, Path images, Path log, Path serviceLog, Path tokenFile)
			throws IOException {
		List<String> arguments = List.of("-XX:-UsePerfData", "-Xmx256m", "-jar", System.getProperty("cse.hello-web.jar"),
				"--server.port=" + port, "--spring.datasource.url=" + postgres.getJdbcUrl(GATEWAY),
				"--cse.images.root=" + images, "--logging.file.name=" + serviceLog,
				"--cse.endpoint.token-file=" + tokenFile);
		return this.services.start(java, log, arguments);
	}

	private void awaitStarted(Process process, String url, Path log) {
		this.services.awaitAnswering(process, url, log, STARTUP);
	}

	private JsonNode status(String base) throws IOException {
		return this.services.status(base);
	}

	private HttpResponse<String> get(String url) throws IOException {
		return this.services.get(url);
	}

	private HttpResponse<String> post(String url, String body) throws IOException {
		return this.services.post(url, body);
	}

	private static CseRun cse(Path state, String... args) {
		List<String> all = new ArrayList<>(List.of(args));
		all.addAll(List.of("--state-dir", state.toString()));
		return CseRun.of(NodeContext.local(), all.toArray(String[]::new));
	}

}
