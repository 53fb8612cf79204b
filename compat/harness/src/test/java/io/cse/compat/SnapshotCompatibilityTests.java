package io.cse.compat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import io.cse.node.instance.Instance;
import io.cse.node.instance.Registry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every cell of the matrix, as a platform drives it with the {@code cse} command: the
 * service started by {@code cse run}, dumped through {@code POST /actuator/cse/dump},
 * restored by {@code cse restore} (the same instance, serving from PostgreSQL again), made
 * a clone template through {@code POST /actuator/cse/clone}, and cloned twice by
 * {@code cse clone}: two new instances with ids of their own, each in a network namespace
 * of its own, each serving from PostgreSQL through its own connections.
 * <p>
 * Each cell has a state folder and a bridge of its own (its clones' addresses are
 * allocated per state folder), so that two cells run side by side. Needs root and CRIU
 * 4.2: without them the cells are skipped, unless {@code CSE_REQUIRE_ROOT_TESTS=1} (as in
 * CI), which makes that a failure.
 */
@Timeout(420)
class SnapshotCompatibilityTests {

	private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(200);

	@TempDir
	static Path work;

	static List<Cell> cells() {
		return Cell.selected();
	}

	@BeforeAll
	static void snapshotHost() {
		List<String> missing = SnapshotHost.missing();
		if (missing.isEmpty()) {
			return;
		}
		String reason = "dumps, restores and clones need " + String.join(", ", missing);
		if ("1".equals(System.getenv("CSE_REQUIRE_ROOT_TESTS"))) {
			fail(reason + "; CSE_REQUIRE_ROOT_TESTS=1 makes this a failure, not a skip");
		}
		assumeTrue(false, reason + " (set CSE_REQUIRE_ROOT_TESTS=1 to fail instead of skipping)");
	}

	@ParameterizedTest(name = "{0}", allowZeroInvocations = true)
	@MethodSource("cells")
	void dumpsRestoresAndClones(Cell cell) throws Exception {
		CompatDatabase database = SuiteDatabase.get();
		int index = Cell.all().indexOf(cell);
		String bridge = "csecm" + index;
		String subnet = "10.199." + (224 + index) + ".0/24";
		String gateway = "10.199." + (224 + index) + ".1";
		String name = cell.id() + "-s";
		Path images = work.resolve(cell.id()).resolve("images");
		CseCommand cse = CseCommand.fromProperty(work.resolve(cell.id()).resolve("state"));
		String greeting = "hello from a snapshot of " + cell;
		database.putGreeting(name, greeting);
		// Java resolved first: a missing JDK fails the cell with what to install
		cell.jdk().java();
		expectSuccess(cse.run(COMMAND_TIMEOUT, "net", "up", "--bridge", bridge, "--subnet", subnet));
		try {
			int port = ServiceProcess.freePort();
			List<String> arguments = new ArrayList<>(List.of("--spring.datasource.url=" + database.jdbcUrl(gateway),
					"--compat.name=" + name, "--cse.images.root=" + images));
			arguments.addAll(cell.line().endpointSwitch());
			String original = startWithCseRun(cse, cell, name, port, arguments);
			// 'cse run' gave the service an endpoint token, which its images carry to every
			// restore and clone: the platform's calls send it, anyone else is refused
			String token = endpointTokenOf(cse, name);
			assertThat(new ServiceHttp("127.0.0.1", port).post("/actuator/cse/dump").statusCode())
				.as("a dump without the endpoint token").isEqualTo(401);
			ServiceHttp local = new ServiceHttp("127.0.0.1", port).withToken(token);
			assertThat(local.get("/greeting").body()).isEqualTo(greeting);

			// Dump: 202 first, then the process stops once its image is complete.
			long pid = new Registry(cse.stateDir()).find(name + "-run").orElseThrow().process().pid();
			HttpResponse<String> dump = local.postJson("/actuator/cse/dump", "{\"image\": \"dump\"}");
			assertThat(dump.statusCode()).as("POST /actuator/cse/dump: %s", dump.body()).isEqualTo(202);
			Path dumpImage = images.resolve("dump");
			await("the dumped process to stop and its image to be complete").atMost(Duration.ofSeconds(120))
				.pollInterval(Duration.ofMillis(250))
				.until(() -> dumped(pid, dumpImage, local));
			// The dead 'cse run' entry stays until the end: 'cse stop' would delete its log,
			// which the image holds open (the restored process appends to it again).

			// Restore in the host's namespaces: the same instance, serving from PostgreSQL.
			expectSuccess(cse.run(COMMAND_TIMEOUT, "restore", dumpImage.toString(), "--name", name + "-r", "--timeout",
					"120s"));
			JsonNode restored = ServiceHttp.json(local.get("/actuator/cse"));
			assertThat(restored.path("instance").path("instanceId").asText()).as("the restored instance's id")
				.isEqualTo(original);
			assertThat(local.get("/greeting").body()).isEqualTo(greeting);
			await("the restored instance's connections in pg_stat_activity").atMost(Duration.ofSeconds(10))
				.until(() -> database.connections(name) > 0);

			// A clone template from the restored instance, which keeps serving.
			HttpResponse<String> clone = local.postJson("/actuator/cse/clone", "{\"image\": \"template\"}");
			assertThat(clone.statusCode()).as("POST /actuator/cse/clone: %s", clone.body()).isEqualTo(202);
			Path template = images.resolve("template");
			await("the clone template to be complete").atMost(Duration.ofSeconds(120))
				.until(() -> Files.exists(template.resolve("manifest.json")));
			await("the template's instance to resume").atMost(Duration.ofSeconds(30))
				.until(() -> "clone".equals(ServiceHttp.json(local.get("/actuator/cse"))
					.path("lastOperation")
					.path("operation")
					.asText()));

			// Two clones, each in namespaces of its own on the cell's bridge.
			expectSuccess(cse.run(COMMAND_TIMEOUT, "clone", template.toString(), "--count", "2", "--name-prefix",
					name + "-c", "--bridge", bridge, "--timeout", "120s"));
			List<Instance> clones = new Registry(cse.stateDir()).list()
				.stream()
				.filter((instance) -> instance.name().startsWith(name + "-c"))
				.toList();
			assertThat(clones).as("the clones in cse's registry").hasSize(2);
			Set<String> ids = new HashSet<>(List.of(original));
			for (Instance instance : clones) {
				String address = instance.endpoint().address();
				ServiceHttp http = new ServiceHttp(address, port).withToken(token);
				JsonNode status = ServiceHttp.json(http.get("/actuator/cse"));
				assertThat(status.path("instance").path("parentId").asText()).isEqualTo(original);
				ids.add(status.path("instance").path("instanceId").asText());
				assertThat(http.get("/greeting").body()).as("clone %s's greeting", instance.name()).isEqualTo(greeting);
				await("connections of clone " + instance.name() + " (" + address + ") in pg_stat_activity")
					.atMost(Duration.ofSeconds(10))
					.until(() -> database.connectionsFrom(address) > 0);
			}
			assertThat(ids).as("the instance ids of the restored instance and its 2 clones").hasSize(3);
			assertThat(local.get("/greeting").body()).as("the template's instance, still serving").isEqualTo(greeting);
		}
		finally {
			keepLogs(cse.stateDir(), cell);
			CseCommand.Result stop = cse.run(COMMAND_TIMEOUT, "stop", "--all", "--timeout", "5s");
			CseCommand.Result down = cse.run(COMMAND_TIMEOUT, "net", "down", "--bridge", bridge);
			assertThat(stop.exitCode()).as(stop.toString()).isZero();
			assertThat(down.exitCode()).as(down.toString()).isZero();
		}
	}

	/**
	 * {@code cse run} the cell's service; fails at once, quoting the starter, if it steps
	 * aside (cse run would wait for /actuator/cse until its timeout).
	 * @return the instance id the service gave itself
	 */
	private static String endpointTokenOf(CseCommand cse, String name) {
		String token = new Registry(cse.stateDir()).endpointToken(name + "-run");
		assertThat(token).as("the endpoint token 'cse run' made for " + name).isNotBlank();
		return token;
	}

	private static String startWithCseRun(CseCommand cse, Cell cell, String name, int port, List<String> arguments)
			throws Exception {
		Path log = cse.stateDir().resolve("logs").resolve(name + "-run").resolve("service.log");
		List<String> args = new ArrayList<>(List.of("run", "--name", name + "-run", "--port", Integer.toString(port),
				"--timeout", "180s", "--"));
		args.addAll(ServiceProcess.javaCommand(cell, port, arguments));
		CseCommand.Result run = cse.runUntil(COMMAND_TIMEOUT,
				(ignored) -> Files.exists(log) && ServiceProcess.inactiveLine(ServiceProcess.readLog(log)) != null,
				args.toArray(String[]::new));
		if (run.gaveUp()) {
			String inactive = ServiceProcess.inactiveLine(ServiceProcess.readLog(log));
			fail("The starter is not active in " + cell + " started by 'cse run': "
					+ ((inactive != null) ? "it stepped aside: " + inactive : "see " + log)
					+ ". This cell passes once the starter supports " + cell
					+ " (see SupportedPlatformCondition and docs/guide.md#supported-versions). " + run);
		}
		expectSuccess(run);
		ServiceHttp http = new ServiceHttp("127.0.0.1", port).withToken(endpointTokenOf(cse, name));
		JsonNode runtime = ServiceHttp.json(http.get("/runtime"));
		assertThat(runtime.path("springBoot").asText()).isEqualTo(cell.line().version());
		assertThat(runtime.path("java").asText()).isEqualTo(cell.jdk().specificationVersion());
		return ServiceHttp.json(http.get("/actuator/cse")).path("instance").path("instanceId").asText();
	}

	/**
	 * Whether the dump is complete; fails at once, with the service's report, if the dump
	 * ended without an image (a participant that could not quiesce rolls it back, and the
	 * service keeps running).
	 */
	private static boolean dumped(long pid, Path image, ServiceHttp service) {
		if (ProcessHandle.of(pid).isEmpty()) {
			return Files.exists(image.resolve("manifest.json"));
		}
		try {
			JsonNode last = ServiceHttp.json(service.get("/actuator/cse")).path("lastOperation");
			String outcome = last.path("outcome").asText();
			if ("dump".equals(last.path("operation").asText()) && !outcome.isEmpty() && !"SUCCESS".equals(outcome)) {
				fail("The dump ended " + outcome + " and the service kept running: " + last);
			}
		}
		catch (java.io.UncheckedIOException ex) {
			// stopping, or frozen by CRIU: the next poll sees which
		}
		return false;
	}

	/** Copies the logs of the cell's instances beside the others: 'cse stop' deletes them. */
	private static void keepLogs(Path stateDir, Cell cell) throws java.io.IOException {
		Path logs = stateDir.resolve("logs");
		if (!Files.isDirectory(logs)) {
			return;
		}
		Path target = Files.createDirectories(SuiteDatabase.logs());
		try (var instances = Files.list(logs)) {
			for (Path instance : instances.toList()) {
				Path log = instance.resolve("service.log");
				if (Files.exists(log)) {
					Files.copy(log, target.resolve(instance.getFileName() + ".log"),
							java.nio.file.StandardCopyOption.REPLACE_EXISTING);
				}
			}
		}
	}

	private static void expectSuccess(CseCommand.Result result) {
		assertThat(result.exitCode()).as("%s", result).isZero();
	}

}
