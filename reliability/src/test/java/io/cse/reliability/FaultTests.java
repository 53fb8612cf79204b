package io.cse.reliability;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cse.node.CseRun;
import io.cse.node.host.RootOnly;
import io.cse.node.instance.Registry;
import io.cse.samples.postgres.PostgresProcess;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Faults in the middle of an operation, on a real {@code samples/hello-web} that
 * {@code cse run} started, with real CRIU: CRIU killed half-way through a dump, a dump into
 * an images root that fills up, images that are truncated, changed or taken on another
 * kernel, and a restore whose port is taken. Each one fails with a message that says what
 * happened, and leaves nothing behind: the service answers again, with no image folder, no
 * network lock, no process and no registry entry left over.
 */
@ExtendWith(CaseTable.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(300)
class FaultTests {

	private static final ObjectMapper json = new ObjectMapper();

	private static final String NAME = "faults";

	@TempDir
	static Path work;

	private static PostgresProcess postgres;

	private static int databasePort;

	private static HelloWebUnderCse service;

	private static Path images;

	private static int port;

	private static long pid;

	private static String token;

	private static String instanceId;

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	@BeforeAll
	static void startHelloWeb() throws Exception {
		RootOnly.require();
		RootOnly.requireFreezing();
		postgres = PostgresProcess.start(Path.of(System.getProperty("cse.postgres.jar")), "127.0.0.1");
		databasePort = postgres.getPort();
		service = HelloWebUnderCse.start(work, NAME, postgres,
				// Health says why it is down, within seconds (Hikari's default would wait 30 s)
				"--management.endpoint.health.show-details=always", "--spring.datasource.hikari.connection-timeout=2000");
		images = service.images;
		port = service.port;
		Registry registry = new Registry(work.resolve("state"));
		pid = registry.find(NAME).orElseThrow().process().pid();
		token = registry.endpointToken(NAME);
		instanceId = new FaultTests().status().path("instance").path("instanceId").asText();
		assertThat(instanceId).isNotBlank();
	}

	@AfterAll
	static void stopEverything() {
		CseRun stop = (service != null) ? cse("stop", "--all", "--timeout", "5s") : null;
		if (postgres != null) {
			postgres.close();
		}
		if (stop != null) {
			assertThat(stop.exitCode()).as(stop.toString()).isZero();
		}
	}

	@Test
	@Order(1)
	void criuKilledHalfWayThroughADumpLeavesTheServiceServingAndNothingBehind() throws Exception {
		Set<String> locksBefore = networkLocks();
		HttpResponse<String> dump = post("/actuator/cse/dump", "{\"image\": \"killed\"}");
		assertThat(dump.statusCode()).as(dump.body()).isEqualTo(202);
		// Killed once it holds the service's connections locked: the worst moment
		long criu = await("CRIU dumping the service, with its network lock in place").atMost(Duration.ofSeconds(60))
			.pollInterval(Duration.ofMillis(5))
			.until(() -> criuDumping().filter((found) -> !difference(networkLocks(), locksBefore).isEmpty()),
					Optional::isPresent)
			.orElseThrow();
		new ProcessBuilder("kill", "-KILL", Long.toString(criu)).start().waitFor();

		JsonNode report = awaitLastOperation("dump");
		assertThat(report.path("outcome").asText()).as(report.toString()).isNotEqualTo("SUCCESS");
		assertThat(report.toString()).contains("criu dump failed with exit code");
		assertServingAsBefore();
		assertThat(images.resolve("killed")).as("the half-made image").doesNotExist();
		assertThat(filesIn(images)).as("what is left in the images root").isEmpty();
		assertThat(difference(networkLocks(), locksBefore)).as("CRIU's network lock").isEmpty();
		assertThat(criuDumping()).as("a CRIU still running").isEmpty();
		CaseTable.row("faults", "CRIU killed (SIGKILL) half-way through `POST /actuator/cse/dump`, its network lock in place",
				"the dump fails and says why; the service serves again; no image folder, no network lock, no process left",
				"last operation " + report.path("outcome").asText() + ": criu dump failed with exit code; "
						+ "GET / 200, images root empty, no CRIU- table");
	}

	@Test
	@Order(2)
	void dumpIntoAFullDiskFailsAndFreesTheSpace() throws Exception {
		// A 32 MiB ext4 file system, loop-mounted over the images root: about 25 MiB free
		// once ext4 has its journal and tables, and the service's memory is several times more
		try (LoopMount mounted = LoopMount.ext4(work.resolve("images.ext4"), 32 * 1024 * 1024, images)) {
			// What the service's images-root check asks for: root's, 0700. The mkfs's
			// lost+found goes, so that "nothing left" means an empty folder, as before
			Files.setOwner(images, images.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("root"));
			Files.setPosixFilePermissions(images, PosixFilePermissions.fromString("rwx------"));
			Files.delete(images.resolve("lost+found"));
			assertThat(filesIn(images)).as("the new file system's root").isEmpty();

			Set<String> locksBefore = networkLocks();
			HttpResponse<String> dump = post("/actuator/cse/dump", "{\"image\": \"full\"}");
			assertThat(dump.statusCode()).as(dump.body()).isEqualTo(202);
			JsonNode report = awaitLastOperation("dump");
			assertThat(report.path("outcome").asText()).as(report.toString()).isNotEqualTo("SUCCESS");
			assertThat(report.path("error").asText()).as(report.toString()).contains("No space left on device");
			assertServingAsBefore();
			assertThat(filesIn(images)).as("what is left in the full images root").isEmpty();
			assertThat(difference(networkLocks(), locksBefore)).as("CRIU's network lock").isEmpty();
			CaseTable.row("faults",
					"`POST /actuator/cse/dump` into an images root of 32 MiB (a loop-mounted ext4 file), which fills up",
					"the dump fails and says why; the service serves again; the partial image is deleted, the space free",
					"last operation " + report.path("outcome").asText()
							+ ": No space left on device; GET / 200, images root empty");
		}
	}

	@Test
	@Order(4)
	void truncatedChangedAndForeignImagesAreNotRestored() throws Exception {
		HttpResponse<String> clone = post("/actuator/cse/clone", "{\"image\": \"template\"}");
		assertThat(clone.statusCode()).as(clone.body()).isEqualTo(202);
		Path template = images.resolve("template");
		awaitImage(template, () -> true);
		awaitLastOperation("clone");
		Path pages = largestPagesFile(template);

		Path truncated = copy(template, "truncated");
		try (RandomAccessFile file = new RandomAccessFile(truncated.resolve(pages.getFileName()).toFile(), "rw")) {
			file.setLength(file.length() / 2);
		}
		assertRefused(truncated, "has " + (Files.size(pages) / 2) + " bytes, and the image's manifest says",
				"an image whose largest pages file was cut to half its size");

		Path flipped = copy(template, "flipped");
		try (RandomAccessFile file = new RandomAccessFile(flipped.resolve(pages.getFileName()).toFile(), "rw")) {
			file.seek(file.length() / 2);
			int value = file.read();
			file.seek(file.length() / 2);
			file.write(value ^ 0x01);
		}
		assertRefused(flipped, "does not match its SHA-256 in the image's manifest",
				"an image with one bit of its memory flipped");

		Path foreign = copy(template, "foreign");
		Path manifest = foreign.resolve("manifest.json");
		String kernel = System.getProperty("os.version");
		Files.writeString(manifest,
				Files.readString(manifest).replace("\"" + kernel + "\"", "\"4.19.0-another-host\""));
		assertRefused(foreign, "was taken on kernel 4.19.0-another-host, and this host runs kernel " + kernel,
				"an image taken on another kernel (its manifest says 4.19.0)");
	}

	@Test
	@Order(5)
	void restoreWhosePortIsTakenFailsAndLeavesNothing() throws Exception {
		HttpResponse<String> dump = post("/actuator/cse/dump", "{\"image\": \"dump\"}");
		assertThat(dump.statusCode()).as(dump.body()).isEqualTo(202);
		Path image = images.resolve("dump");
		awaitImage(image, () -> ProcessHandle.of(pid).isEmpty());
		Set<String> locksBefore = networkLocks();
		Set<String> instancesBefore = instances();
		CseRun refused;
		try (ServerSocket taken = new ServerSocket(port, 1)) {
			refused = cse("restore", image.toString(), "--name", NAME + "-taken", "--timeout", "60s");
		}
		assertThat(refused.exitCode()).as(refused.toString()).isNotZero();
		assertThat(refused.err()).as(refused.toString()).contains("criu restore of image dump failed");
		// CRIU kills what it restored when the restore fails; the parent it leaves reaps it
		await("no process with the image's pid").atMost(Duration.ofSeconds(10))
			.until(() -> ProcessHandle.of(pid).filter(ProcessHandle::isAlive).isEmpty());
		assertThat(instances()).as("the agent's instances").isEqualTo(instancesBefore);
		assertThat(difference(networkLocks(), locksBefore)).as("CRIU's network lock").isEmpty();

		CaseTable.row("faults", "`cse restore` of a dump while another process listens on the service's port",
				"refused with CRIU's reason; no process, no instance, no network lock left",
				"exit " + refused.exitCode() + ": " + firstLine(refused.err()));

		// Nothing half-made stands in the way once the port is free again; the database is
		// down at the restore this time
		stopDatabase();
		CseRun restored = cse("restore", image.toString(), "--name", NAME + "-r", "--timeout", "120s");
		assertThat(restored.exitCode()).as(restored.toString()).isZero();
		String down = assertAnsweringWithDatabaseDown();
		startDatabaseAgain();
		assertServingAsBefore();
		CaseTable.row("faults", "`cse restore` of the same dump once the port is free, with the database down",
				"the restore succeeds; the service answers, its health says the database is down and why; "
						+ "its pool reconnects when the database is back",
				"exit 0; GET / 200; health 503, db: " + down + "; then health 200 and the pool's connections in pg_stat_activity");
	}

	@Test
	@Order(3)
	void thawWithTheDatabaseDownServesAndReconnects() throws Exception {
		CseRun freeze = cse("freeze", NAME);
		assertThat(freeze.exitCode()).as(freeze.toString()).isZero();
		stopDatabase();
		CseRun thaw = cse("thaw", NAME);
		assertThat(thaw.exitCode()).as(thaw.toString()).isZero();
		String down = assertAnsweringWithDatabaseDown();
		startDatabaseAgain();
		assertServingAsBefore();
		CaseTable.row("faults", "`cse freeze`, the database stopped, `cse thaw`",
				"the thaw succeeds; the service answers, its health says the database is down and why; "
						+ "its pool reconnects when the database is back",
				"exit 0; GET / 200; health 503, db: " + down + "; then health 200 and the pool's connections in pg_stat_activity");
	}

	/**
	 * A file system in a file, mounted over a folder through a loop device. Closing it
	 * unmounts it, and detaches the loop device if the unmount left it attached.
	 */
	private record LoopMount(Path file, Path folder) implements AutoCloseable {

		static LoopMount ext4(Path file, long size, Path folder) throws IOException {
			try (RandomAccessFile created = new RandomAccessFile(file.toFile(), "rw")) {
				created.setLength(size);
			}
			run("mkfs.ext4", "-q", "-F", file.toString());
			run("mount", "-o", "loop", file.toString(), folder.toString());
			return new LoopMount(file, folder);
		}

		@Override
		public void close() throws IOException {
			run("umount", this.folder.toString());
			// mount -o loop asks for the device to go at the unmount; make sure it went
			String attached = run("losetup", "-j", this.file.toString()).strip();
			for (String line : attached.isEmpty() ? new String[0] : attached.split("\n")) {
				System.err.println("umount left a loop device attached, detaching it: " + line);
				run("losetup", "-d", line.substring(0, line.indexOf(':')));
			}
		}

	}

	/**
	 * Runs a command, failing unless it exits 0.
	 * @return what it wrote, standard error included
	 */
	private static String run(String... command) throws IOException {
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		int exitCode;
		try {
			exitCode = process.waitFor();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			process.destroyForcibly();
			throw new IOException("Interrupted waiting for " + String.join(" ", command), ex);
		}
		if (exitCode != 0) {
			throw new AssertionError("'" + String.join(" ", command) + "' failed with exit code " + exitCode + ": "
					+ output.strip());
		}
		return output;
	}

	private static void stopDatabase() {
		postgres.close();
		postgres = null;
	}

	/** A new, empty server where the old one listened: the service's URL reaches it. */
	private void startDatabaseAgain() throws IOException {
		postgres = PostgresProcess.startOnPort(Path.of(System.getProperty("cse.postgres.jar")), "127.0.0.1", databasePort);
		// The same database as before, restored from its backup as an operator would: the
		// service's tables (it creates them at its start only)
		try (Connection connection = postgres.connect(); Statement statement = connection.createStatement()) {
			statement.execute(Files.readString(Path.of(System.getProperty("cse.hello-web.schema"))));
		}
		catch (SQLException ex) {
			throw new IOException("Cannot create hello-web's tables in the new database", ex);
		}
		await("the service's health up again, the database back").atMost(Duration.ofSeconds(60))
			.ignoreExceptionsInstanceOf(IOException.class)
			.until(() -> get("/actuator/health").statusCode() == 200);
		await("the service's pool connected, as PostgreSQL sees it").atMost(Duration.ofSeconds(30))
			.until(() -> postgres.countConnections("hello-web") > 0);
	}

	/**
	 * The service answers while its database is down, and its health says so.
	 * @return what the health's {@code db} component says
	 */
	private String assertAnsweringWithDatabaseDown() throws IOException {
		assertThat(get("/").statusCode()).as("GET / with the database down").isEqualTo(200);
		HttpResponse<String> health = await("the service's health to find the database down").atMost(Duration.ofSeconds(60))
			.ignoreExceptionsInstanceOf(IOException.class)
			.until(() -> get("/actuator/health"), (answer) -> answer.statusCode() == 503);
		JsonNode db = json.readTree(health.body()).path("components").path("db");
		assertThat(db.path("status").asText()).as(health.body()).isEqualTo("DOWN");
		String error = db.path("details").path("error").asText();
		assertThat(error).as(health.body()).isNotBlank();
		return (error.length() > 60) ? error.substring(0, 60) + "..." : error;
	}

	private void assertRefused(Path image, String message, String what) throws IOException {
		Set<String> instancesBefore = instances();
		CseRun clone = cse("clone", image.toString(), "--count", "1", "--timeout", "60s");
		assertThat(clone.exitCode()).as(clone.toString()).isNotZero();
		assertThat(clone.err()).as(clone.toString()).contains(message).contains(image.toString());
		assertThat(instances()).as("the agent's instances after the refused clone").isEqualTo(instancesBefore);
		assertServingAsBefore();
		CaseTable.row("images", "`cse clone` of " + what,
				"refused before CRIU runs, naming the file; nothing started", "exit " + clone.exitCode() + ": "
						+ firstLine(clone.err()).replace(work.toString(), "<work>"));
	}

	/** The service answers, as the same instance, and reaches its database. */
	private void assertServingAsBefore() throws IOException {
		await("the service answering again").atMost(Duration.ofSeconds(30))
			.ignoreExceptionsInstanceOf(IOException.class)
			.until(() -> get("/").statusCode() == 200);
		JsonNode status = status();
		assertThat(status.path("state").asText()).as(status.toString()).isEqualTo("RUNNING");
		assertThat(status.path("instance").path("instanceId").asText()).isEqualTo(instanceId);
		HttpResponse<String> health = get("/actuator/health");
		assertThat(health.statusCode()).as("its health, which asks PostgreSQL: %s", health.body()).isEqualTo(200);
	}

	/** Waits for an image to be complete; a failure quotes the service's last report. */
	private void awaitImage(Path image, BooleanSupplier andThen) {
		try {
			await("image " + image.getFileName() + " to be complete").atMost(Duration.ofSeconds(120))
				.until(() -> Files.exists(image.resolve("manifest.json")) && andThen.getAsBoolean());
		}
		catch (ConditionTimeoutException ex) {
			String status;
			try {
				status = get("/actuator/cse").body();
			}
			catch (IOException unanswered) {
				status = "no answer from the service: " + unanswered;
			}
			throw new AssertionError(ex.getMessage() + "; the service's status: " + status, ex);
		}
	}

	private JsonNode awaitLastOperation(String operation) {
		return await("the " + operation + "'s report").atMost(Duration.ofSeconds(120))
			.ignoreExceptionsInstanceOf(IOException.class)
			.until(() -> {
				JsonNode status = status();
				JsonNode last = status.path("lastOperation");
				return ("RUNNING".equals(status.path("state").asText())
						&& operation.equals(last.path("operation").asText())) ? last : null;
			}, (last) -> last != null);
	}

	private JsonNode status() throws IOException {
		return json.readTree(get("/actuator/cse").body());
	}

	private HttpResponse<String> get(String path) throws IOException {
		return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET());
	}

	private HttpResponse<String> post(String path, String body) throws IOException {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
		if (body != null) {
			request.header("Content-Type", "application/json");
		}
		return send(request.POST((body != null) ? HttpRequest.BodyPublishers.ofString(body)
				: HttpRequest.BodyPublishers.noBody()));
	}

	private HttpResponse<String> send(HttpRequest.Builder request) throws IOException {
		try {
			return this.http.send(request.header("Authorization", "Bearer " + token)
				.timeout(Duration.ofSeconds(30))
				.build(), HttpResponse.BodyHandlers.ofString());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IOException(ex);
		}
	}

	/** The pid of a {@code criu dump} of the service, if one runs. */
	private static Optional<Long> criuDumping() {
		try (Stream<ProcessHandle> processes = ProcessHandle.allProcesses()) {
			// The dump script's command line holds its text; CRIU's holds these arguments
			return processes.map(ProcessHandle::pid)
				.filter((candidate) -> commandLine(candidate).contains("\0dump\0-t\0" + pid + "\0"))
				.findFirst();
		}
	}

	private static String commandLine(long pid) {
		try {
			return Files.readString(Path.of("/proc", Long.toString(pid), "cmdline"), StandardCharsets.ISO_8859_1);
		}
		catch (IOException ex) {
			return "";
		}
	}

	/** The nftables tables CRIU locks connections with, as {@code nft} lists them. */
	private static Set<String> networkLocks() {
		String tables;
		try {
			Process nft = new ProcessBuilder("nft", "list", "tables").redirectErrorStream(true).start();
			tables = new String(nft.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			assertThat(nft.waitFor()).as("nft list tables: %s", tables).isZero();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
		Set<String> locks = new TreeSet<>();
		for (String line : tables.split("\n")) {
			if (line.startsWith("table inet CRIU-")) {
				locks.add(line.substring("table inet ".length()).trim());
			}
		}
		return locks;
	}

	private static Set<String> difference(Set<String> after, Set<String> before) {
		Set<String> added = new TreeSet<>(after);
		added.removeAll(before);
		return added;
	}

	private static Set<String> instances() {
		Set<String> names = new TreeSet<>();
		new Registry(work.resolve("state")).list().forEach((instance) -> names.add(instance.name()));
		return names;
	}

	private static List<Path> filesIn(Path folder) throws IOException {
		try (Stream<Path> files = Files.list(folder)) {
			return files.toList();
		}
	}

	private static Path largestPagesFile(Path image) throws IOException {
		try (Stream<Path> files = Files.list(image)) {
			return files.filter((file) -> file.getFileName().toString().startsWith("pages-"))
				.max((a, b) -> Long.compare(a.toFile().length(), b.toFile().length()))
				.orElseThrow();
		}
	}

	/** A copy of an image beside it, private like the original, for one case to change. */
	private static Path copy(Path image, String name) throws IOException {
		Path copy = Files.createDirectory(image.resolveSibling(name));
		Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rwx------"));
		for (Path file : filesIn(image)) {
			Files.copy(file, copy.resolve(file.getFileName()));
		}
		return copy;
	}

	private static String firstLine(String text) {
		String stripped = text.strip();
		int end = stripped.indexOf('\n');
		return (end < 0) ? stripped : stripped.substring(0, end);
	}

	private static CseRun cse(String... args) {
		return service.cse(args);
	}

}
