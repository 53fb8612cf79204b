package io.cse.reliability;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import io.cse.node.CseRun;
import io.cse.node.host.RootOnly;
import io.cse.node.instance.Registry;
import io.cse.samples.postgres.PostgresProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The soak: {@code samples/hello-web}, started by {@code cse run}, frozen and thawed 500
 * times and dumped and restored 50 times while two clients keep calling it (a read, and a
 * write to PostgreSQL). Not one request may fail, and the process's threads, open file
 * descriptors and database connections (as PostgreSQL counts them) must not grow from the
 * first cycle to the last. Long, so not part of CI: run it with
 * {@code -Dcse.soak=true} (and {@code -Dcse.docs.regenerate=true} to write its figures into
 * docs/reliability.md).
 * <p>
 * A dump ends its process, and nothing listens on the port until the restore: as a
 * platform drains an instance it dumps, the clients pause from the dump's request to the
 * restore's end.
 */
@EnabledIfSystemProperty(named = "cse.soak", matches = "true",
		disabledReason = "the soak runs for about 10 minutes: run it with -Dcse.soak=true")
class SoakTests {

	static final String START = "<!-- reliability:soak -->";

	static final String END = "<!-- /reliability:soak -->";

	private static final int FREEZE_CYCLES = Integer.getInteger("cse.soak.freezes", 500);

	private static final int DUMP_CYCLES = Integer.getInteger("cse.soak.dumps", 50);

	private static final String NAME = "soak";

	/** What bounded pools may add after the warm-up, see the assertions. */
	private static final int THREAD_SLACK = 10;

	private static final int DESCRIPTOR_SLACK = 10;

	/** hello-web's Hikari pool ({@code spring.datasource.hikari.maximum-pool-size}). */
	private static final int POOL_SIZE = 5;

	@TempDir
	static Path work;

	private static PostgresProcess postgres;

	private static HelloWebUnderCse service;

	private static Path images;

	private static int port;

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private final AtomicBoolean paused = new AtomicBoolean();

	private final AtomicLong answered = new AtomicLong();

	private final AtomicLong failed = new AtomicLong();

	private final AtomicInteger inFlight = new AtomicInteger();

	private final AtomicReference<String> firstFailure = new AtomicReference<>();

	@BeforeAll
	static void startHelloWeb() throws Exception {
		RootOnly.require();
		RootOnly.requireFreezing();
		postgres = PostgresProcess.start(Path.of(System.getProperty("cse.postgres.jar")), "127.0.0.1");
		service = HelloWebUnderCse.start(work, NAME, postgres,
				// 50 dumps in a few minutes: more than the default limit of 10 a minute
				"--cse.snapshot.max-per-minute=0");
		images = service.images;
		port = service.port;
	}

	@AfterAll
	static void stopEverything() {
		if (service != null) {
			cse("stop", "--all", "--timeout", "5s");
		}
		if (postgres != null) {
			postgres.close();
		}
	}

	@Test
	void freezesThawsDumpsAndRestoresUnderLoadWithoutAFailedRequestOrAGrowingProcess() throws Exception {
		String token = new Registry(work.resolve("state")).endpointToken(NAME);
		ExecutorService clients = Executors.newFixedThreadPool(2);
		AtomicBoolean running = new AtomicBoolean(true);
		clients.submit(() -> load(running, HttpRequest.newBuilder(uri("/counter")).GET()));
		clients.submit(() -> load(running, HttpRequest.newBuilder(uri("/visits")).POST(HttpRequest.BodyPublishers.noBody())));
		List<String> rows = new ArrayList<>();
		long start = System.nanoTime();
		try {
			await("the clients' first answers").atMost(Duration.ofSeconds(30)).until(() -> this.answered.get() > 10);
			Counts first = counts(pid());
			Counts afterWarmUp = null;
			Counts afterFreezes = null;
			for (int cycle = 1; cycle <= FREEZE_CYCLES; cycle++) {
				CseRun freeze = cse("freeze", NAME);
				assertThat(freeze.exitCode()).as("freeze %d: %s", cycle, freeze).isZero();
				CseRun thaw = cse("thaw", NAME);
				assertThat(thaw.exitCode()).as("thaw %d: %s", cycle, thaw).isZero();
				if (cycle == 1 || cycle == warmedUp(FREEZE_CYCLES) || cycle == FREEZE_CYCLES) {
					afterFreezes = settledCounts(pid());
					afterWarmUp = (cycle == warmedUp(FREEZE_CYCLES)) ? afterFreezes : afterWarmUp;
					rows.add(row("freeze and thaw " + cycle + " of " + FREEZE_CYCLES, afterFreezes));
				}
			}
			double freezeMinutes = (System.nanoTime() - start) / 60e9;
			long answeredFreezes = this.answered.get();
			long failedFreezes = this.failed.get();

			Counts warmedUpRestore = null;
			Counts lastRestore = null;
			for (int cycle = 1; cycle <= DUMP_CYCLES; cycle++) {
				long dumped = pid();
				// Drained first, as a platform drains an instance it dumps
				this.paused.set(true);
				await("the clients' requests in flight").atMost(Duration.ofSeconds(60))
					.until(() -> this.inFlight.get() == 0);
				HttpResponse<String> dump = this.http.send(HttpRequest.newBuilder(uri("/actuator/cse/dump"))
					.header("Authorization", "Bearer " + token)
					.header("Content-Type", "application/json")
					.POST(HttpRequest.BodyPublishers.ofString("{\"image\": \"soak-" + cycle + "\"}"))
					.build(), HttpResponse.BodyHandlers.ofString());
				assertThat(dump.statusCode()).as("dump %d: %s", cycle, dump.body()).isEqualTo(202);
				Path image = images.resolve("soak-" + cycle);
				await("dump " + cycle).atMost(Duration.ofSeconds(120))
					.until(() -> ProcessHandle.of(dumped).isEmpty() && Files.exists(image.resolve("manifest.json")));
				CseRun restore = cse("restore", image.toString(), "--name", NAME + "-" + cycle, "--timeout", "120s");
				assertThat(restore.exitCode()).as("restore %d: %s", cycle, restore).isZero();
				this.paused.set(false);
				// The restored process holds nothing of its image: each is deleted, or 50 would
				// take gigabytes
				deleteTree(image);
				if (cycle == 1 || cycle == warmedUp(DUMP_CYCLES) || cycle == DUMP_CYCLES) {
					Counts counts = settledCounts(pid());
					rows.add(row("dump and restore " + cycle + " of " + DUMP_CYCLES, counts));
					warmedUpRestore = (cycle == warmedUp(DUMP_CYCLES)) ? counts : warmedUpRestore;
					lastRestore = counts;
				}
			}
			running.set(false);
			clients.shutdown();
			assertThat(clients.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
			double minutes = (System.nanoTime() - start) / 60e9;

			assertThat(this.failed.get()).as("failed requests (the first: %s)", this.firstFailure.get()).isZero();
			// Bounded pools still come and go after the warm-up (Tomcat lets a worker idle for a
			// minute go, and starts one again; the task executor grows to its core size): a
			// leak of one per cycle would be hundreds over
			assertThat(afterFreezes.threads()).as("threads after the freezes: %s", threadNames(pid()))
				.isLessThanOrEqualTo(afterWarmUp.threads() + THREAD_SLACK);
			assertThat(afterFreezes.descriptors()).as("descriptors after the freezes")
				.isLessThanOrEqualTo(afterWarmUp.descriptors() + DESCRIPTOR_SLACK);
			assertThat(afterFreezes.connections()).as("connections after the freezes")
				.isLessThanOrEqualTo(POOL_SIZE);
			assertThat(lastRestore.threads()).as("threads after the last restore: %s", threadNames(pid()))
				.isLessThanOrEqualTo(warmedUpRestore.threads() + THREAD_SLACK);
			assertThat(lastRestore.descriptors()).as("descriptors after the last restore")
				.isLessThanOrEqualTo(warmedUpRestore.descriptors() + DESCRIPTOR_SLACK);
			assertThat(lastRestore.connections()).as("connections after the last restore").isLessThanOrEqualTo(POOL_SIZE);

			String section = section(first, rows, answeredFreezes, failedFreezes, freezeMinutes, minutes);
			Path written = Path.of("target", "reliability", "soak.md");
			Files.createDirectories(written.getParent());
			Files.writeString(written, section);
			if (Boolean.getBoolean("cse.docs.regenerate")) {
				Path page = Path.of(System.getProperty("cse.docs", "../docs")).resolve("reliability.md");
				String text = Files.readString(page);
				int from = text.indexOf(START);
				int to = text.indexOf(END);
				assertThat(from).as(page + " has a " + START + " section").isNotNegative();
				Files.writeString(page, text.substring(0, from) + section + text.substring(to + END.length() + 1));
			}
		}
		finally {
			running.set(false);
			clients.shutdownNow();
		}
	}

	private String section(Counts first, List<String> rows, long answeredFreezes, long failedFreezes,
			double freezeMinutes, double minutes) {
		StringBuilder section = new StringBuilder(START).append('\n');
		section.append(String.format("%d freeze and thaw cycles (`cse freeze`, `cse thaw`) in %.1f min, then %d dumps "
				+ "(`POST /actuator/cse/dump`) each restored with `cse restore`, %.1f min in all, on %d cores (%s %s, "
				+ "Linux %s). Two clients called the service all along, one `GET /counter`, one `POST /visits` (a row "
				+ "in PostgreSQL): %d requests answered during the freezes, %d failed; %d answered in all, %d failed.%n%n",
				FREEZE_CYCLES, freezeMinutes, DUMP_CYCLES, minutes, Runtime.getRuntime().availableProcessors(),
				System.getProperty("java.vm.name"), System.getProperty("java.version"), System.getProperty("os.version"),
				answeredFreezes, failedFreezes, this.answered.get(), this.failed.get()));
		section.append(String.format("Each count is compared from cycle %d of the freezes and cycle %d of the dumps "
				+ "(a tenth of the way, once the service's bounded pools have grown to what the load needs) to the "
				+ "last: threads and descriptors may be at most %d higher (Tomcat lets workers idle for a minute go "
				+ "and starts them again, the task executor grows to its core size; a leak of one per cycle would "
				+ "be hundreds higher), database connections at most hello-web's pool size, %d.%n%n",
				warmedUp(FREEZE_CYCLES), warmedUp(DUMP_CYCLES), THREAD_SLACK, POOL_SIZE));
		section.append("| after | threads | open file descriptors | database connections (pg_stat_activity) |\n");
		section.append("|---|---|---|---|\n");
		section.append(row("the start, under load", first)).append('\n');
		rows.forEach((row) -> section.append(row).append('\n'));
		return section.append(END).append('\n').toString();
	}

	/**
	 * The cycle after which the counts are compared with the last: a tenth of the way. Up
	 * to there the service's bounded pools grow to what the load needs (Tomcat's workers,
	 * the task executor's core threads); a leak grows on with every cycle after it.
	 */
	private static int warmedUp(int cycles) {
		return Math.max(1, cycles / 10);
	}

	private static String row(String after, Counts counts) {
		return "| " + after + " | " + counts.threads() + " | " + counts.descriptors() + " | " + counts.connections()
				+ " |";
	}

	private void load(AtomicBoolean running, HttpRequest.Builder request) {
		HttpRequest built = request.timeout(Duration.ofSeconds(60)).build();
		while (running.get()) {
			if (this.paused.get()) {
				// Idle while the instance is drained: no request starts
				LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
				continue;
			}
			this.inFlight.incrementAndGet();
			try {
				if (this.paused.get()) {
					// Paused since the check above: the drain may already have seen none in flight
					continue;
				}
				HttpResponse<String> answer = this.http.send(built, HttpResponse.BodyHandlers.ofString());
				if (answer.statusCode() == 200) {
					this.answered.incrementAndGet();
				}
				else {
					fail(built + " answered " + answer.statusCode() + ": " + answer.body());
				}
			}
			catch (IOException ex) {
				fail(built + ": " + ex);
			}
			catch (InterruptedException ex) {
				return;
			}
			finally {
				this.inFlight.decrementAndGet();
			}
		}
	}

	private void fail(String what) {
		this.failed.incrementAndGet();
		this.firstFailure.compareAndSet(null, what);
	}

	/** The counts once the load's requests in flight have settled: the lowest of a few reads. */
	private Counts settledCounts(long pid) throws Exception {
		List<Counts> reads = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			reads.add(counts(pid));
		}
		return reads.stream().min(Comparator.comparingInt(Counts::threads)).orElseThrow();
	}

	private Counts counts(long pid) throws Exception {
		int threads = Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))
			.stream()
			.filter((line) -> line.startsWith("Threads:"))
			.mapToInt((line) -> Integer.parseInt(line.substring("Threads:".length()).trim()))
			.findFirst()
			.orElseThrow();
		int descriptors;
		try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
			descriptors = (int) fds.count();
		}
		return new Counts(threads, descriptors, postgres.countConnections("hello-web"));
	}

	/** The process's threads by name, for a failure to show which ones grew. */
	private static String threadNames(long pid) throws IOException {
		try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
			return tasks.map((task) -> {
				try {
					return Files.readString(task.resolve("comm")).strip();
				}
				catch (IOException ex) {
					return "?";
				}
			}).sorted().toList().toString();
		}
	}

	private static long pid() {
		return new Registry(work.resolve("state")).list()
			.stream()
			.filter((instance) -> instance.process() != null && ProcessHandle.of(instance.process().pid()).isPresent())
			.findFirst()
			.orElseThrow()
			.process()
			.pid();
	}

	private URI uri(String path) {
		return URI.create("http://127.0.0.1:" + port + path);
	}

	private static void deleteTree(Path folder) throws IOException {
		try (Stream<Path> paths = Files.walk(folder)) {
			for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
				Files.delete(path);
			}
		}
	}

	private static CseRun cse(String... args) {
		return service.cse(args);
	}

	record Counts(int threads, int descriptors, int connections) {
	}

}
