package io.cse.node.host;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.cse.node.CseRun;
import io.cse.node.instance.Instance;
import io.cse.node.instance.NodeContext;
import io.cse.node.instance.Registry;
import io.cse.samples.postgres.PostgresProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code cse run}, {@code freeze}, {@code freeze --squeeze}, {@code thaw} and
 * {@code stop} on this machine, with {@code samples/hello-web} as a real process on a real
 * PostgreSQL, in real cgroup v1 groups, squeezed into real zram. Needs root (see
 * {@link RootOnly#requireFreezing()}).
 */
@Timeout(240)
class HelloWebFreezeEndToEndTests {

	private static final Path FREEZER = Path.of("/sys/fs/cgroup/freezer/cse");

	private static final Path MEMORY = Path.of("/sys/fs/cgroup/memory/cse");

	@TempDir
	static Path work;

	private static PostgresProcess postgres;

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	@BeforeAll
	static void database() throws IOException {
		RootOnly.requireFreezing();
		postgres = PostgresProcess.start(Path.of(System.getProperty("cse.postgres.jar")), "127.0.0.1");
	}

	@AfterAll
	static void stopDatabase() {
		if (postgres != null) {
			postgres.close();
		}
	}

	@AfterEach
	void stopEverything() {
		cse("stop", "--all", "--timeout", "5s");
	}

	@Test
	void frozenHelloWebUsesNoCpuSqueezesToATwentiethAndServesAgain() throws Exception {
		String swapsBefore = swaps();
		String name = "frz" + ProcessHandle.current().pid();
		int port = 18700 + (int) (ProcessHandle.current().pid() % 200);
		String base = "http://127.0.0.1:" + port;
		CseRun run = cse("run", "--name", name, "--timeout", "180s", "--", javaCommand(), "-Xmx256m", "-jar",
				System.getProperty("cse.hello-web.jar"), "--server.port=" + port,
				"--spring.datasource.url=" + postgres.getJdbcUrl(), "--cse.images.root=" + work.resolve("images"));
		assertThat(run.exitCode()).as(run.toString()).isZero();
		Instance instance = new Registry(work.resolve("state")).find(name).orElseThrow();
		assertThat(Files.readString(FREEZER.resolve(name).resolve("cgroup.procs")).strip())
			.isEqualTo(Long.toString(instance.process().pid()));
		assertThat(Files.readString(MEMORY.resolve(name).resolve("cgroup.procs")).strip())
			.isEqualTo(Long.toString(instance.process().pid()));
		assertThat(Files.readString(Path.of("/proc", Long.toString(instance.process().pid()), "cmdline")))
			.contains("-XX:-UsePerfData");
		assertThat(get(base + "/").body()).isEqualTo("Hello World!");
		// 'cse run' gave the service an endpoint token of its own: the agent's calls carry it,
		// anyone else's are refused and change nothing.
		HttpResponse<String> anonymousFreeze = this.http.send(
				HttpRequest.newBuilder(URI.create(base + "/actuator/cse/freeze"))
					.POST(HttpRequest.BodyPublishers.noBody())
					.timeout(Duration.ofSeconds(30))
					.build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(anonymousFreeze.statusCode()).as(anonymousFreeze.body()).isEqualTo(401);
		assertThat(get(base + "/actuator/cse").statusCode()).isEqualTo(401);
		assertThat(work.resolve("state/tokens").resolve(name)).isRegularFile();

		// Frozen: not one clock tick of CPU time.
		CseRun freeze = cse("freeze", name);
		assertThat(freeze.exitCode()).as(freeze.toString()).isZero();
		assertThat(freezerState(name)).isEqualTo("FROZEN");
		long frozenCpu = cpuTicks(instance.process().pid());
		await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
			.until(() -> cpuTicks(instance.process().pid()) == frozenCpu);
		assertThat(cse("ps").out()).containsPattern(name + " +run .* alive +FROZEN");

		CseRun thaw = cse("thaw", name);
		assertThat(thaw.exitCode()).as(thaw.toString()).isZero();
		assertThat(freezerState(name)).isEqualTo("THAWED");
		assertThat(get(base + "/").body()).isEqualTo("Hello World!");

		// Squeezed: at most a twentieth of the charged memory stays.
		long chargedBefore = charged(name);
		CseRun squeeze = cse("freeze", name, "--squeeze");
		assertThat(squeeze.exitCode()).as(squeeze.toString()).isZero();
		long chargedAfter = charged(name);
		assertThat(chargedAfter).as("charged memory after the squeeze, %d bytes before", chargedBefore)
			.isLessThanOrEqualTo(chargedBefore / 20);

		// A request that arrives while frozen waits in the kernel, and is served after the thaw.
		CompletableFuture<HttpResponse<String>> waiting = this.http.sendAsync(
				HttpRequest.newBuilder(URI.create(base + "/")).timeout(Duration.ofSeconds(60)).build(),
				HttpResponse.BodyHandlers.ofString());
		await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> !waiting.isDone());
		CseRun thawSqueezed = cse("thaw", name);
		assertThat(thawSqueezed.exitCode()).as(thawSqueezed.toString()).isZero();
		assertThat(waiting.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
		assertThat(Files.readString(MEMORY.resolve(name).resolve("memory.limit_in_bytes")).strip())
			.as("the limit is restored").isEqualTo("9223372036854771712");
		assertThat(get(base + "/").body()).isEqualTo("Hello World!");

		// Thawed on demand: the agent sees the connection waiting in the frozen service's socket queue.
		assertThat(cse("freeze", name, "--squeeze").exitCode()).isZero();
		CompletableFuture<CseRun> onRequest = CompletableFuture
			.supplyAsync(() -> cse("thaw", name, "--on-request", "--wait", "60s"));
		await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> !onRequest.isDone());
		assertThat(get(base + "/").body()).isEqualTo("Hello World!");
		CseRun thawedOnRequest = onRequest.get(30, TimeUnit.SECONDS);
		assertThat(thawedOnRequest.exitCode()).as(thawedOnRequest.toString()).isZero();
		assertThat(thawedOnRequest.out()).contains("on a request");
		assertThat(freezerState(name)).isEqualTo("THAWED");

		// A clone template, rehearsed twice and asked of the service by the agent, waited
		// for: complete when the command returns, and the service goes on serving. The
		// service's own metrics count the rehearsals' freezes, thaws and requests.
		double freezesBefore = count(base, "cse.operations?tag=operation:freeze");
		double thawsBefore = count(base, "cse.operations?tag=operation:thaw");
		double rootRequestsBefore = count(base, "http.server.requests?tag=uri:/");
		CseRun snapshot = cse("snapshot", name, "--template", "--rehearse", "2", "--image", "tpl", "--wait", "--json");
		assertThat(snapshot.exitCode()).as(snapshot.toString()).isZero();
		assertThat(snapshot.out()).contains("\"complete\":true").contains("\"operation\":\"clone\"")
			.contains("\"rehearsals\":2");
		assertThat(count(base, "cse.operations?tag=operation:freeze") - freezesBefore).isEqualTo(2);
		// two rehearsals, then the resume after the snapshot, which may be counted a moment later
		assertThat(count(base, "cse.operations?tag=operation:thaw") - thawsBefore).isBetween(2.0, 3.0);
		assertThat(count(base, "http.server.requests?tag=uri:/") - rootRequestsBefore).isEqualTo(100);
		assertThat(freezerState(name)).isEqualTo("THAWED");
		assertThat(work.resolve("images/tpl/manifest.json")).isRegularFile();
		assertThat(get(base + "/").body()).isEqualTo("Hello World!");
		assertThat(cse("images", "ls", "--images-root", work.resolve("images").toString()).out())
			.containsPattern("tpl +template .* restorable");

		// Stop: no process, no cgroup, no swap the agent turned on.
		CseRun stop = cse("stop", name);
		assertThat(stop.exitCode()).as(stop.toString()).isZero();
		assertThat(ProcessHandle.of(instance.process().pid())).isEmpty();
		assertThat(FREEZER.resolve(name)).doesNotExist();
		assertThat(MEMORY.resolve(name)).doesNotExist();
		assertThat(swaps()).isEqualTo(swapsBefore);
		assertThat(new Registry(work.resolve("state")).list()).isEmpty();
		assertThat(work.resolve("state/tokens").resolve(name)).doesNotExist();
	}

	/** The COUNT of one of the service's meters, as its metrics endpoint reports it (0 before the first). */
	private double count(String base, String meter) throws IOException, InterruptedException {
		HttpResponse<String> answer = get(base + "/actuator/metrics/" + meter);
		if (answer.statusCode() == 404) {
			return 0;
		}
		assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
		Matcher count = Pattern.compile("\"statistic\":\"COUNT\",\"value\":([0-9.E]+)").matcher(answer.body());
		assertThat(count.find()).as(answer.body()).isTrue();
		return Double.parseDouble(count.group(1));
	}

	private static String javaCommand() {
		return Path.of(System.getProperty("java.home"), "bin", "java").toString();
	}

	private static String freezerState(String name) throws IOException {
		return Files.readString(FREEZER.resolve(name).resolve("freezer.state")).strip();
	}

	private static long charged(String name) throws IOException {
		return Long.parseLong(Files.readString(MEMORY.resolve(name).resolve("memory.usage_in_bytes")).strip());
	}

	private static long cpuTicks(long pid) throws IOException {
		String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
		String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
		return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
	}

	private static String swaps() throws IOException {
		// the "Used" column moves with other swap users: compare the devices
		List<String> devices = new ArrayList<>();
		for (String line : Files.readAllLines(Path.of("/proc/swaps"))) {
			devices.add(line.split("\\s+")[0]);
		}
		return String.join(",", devices);
	}

	private HttpResponse<String> get(String url) throws IOException, InterruptedException {
		return this.http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
				HttpResponse.BodyHandlers.ofString());
	}

	private static CseRun cse(String... args) {
		List<String> all = new ArrayList<>(List.of(args));
		int separator = all.indexOf("--");
		all.addAll((separator >= 0) ? separator : all.size(), List.of("--state-dir", work.resolve("state").toString()));
		return CseRun.of(NodeContext.local(), all.toArray(String[]::new));
	}

}
