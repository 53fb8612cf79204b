package io.cse.node.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.cse.node.CseRun;
import io.cse.node.FakeHost;
import io.cse.node.FakeProbe;
import io.cse.node.instance.HttpProbe;
import io.cse.node.instance.Instance;
import io.cse.node.instance.NodeContext;
import io.cse.node.instance.Registry;
import io.cse.node.linux.Cgroup;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code cse run}, {@code freeze}, {@code thaw} and the clean-up of {@code cse stop} on a
 * {@link FakeHost} with cgroup v1 and a zram device.
 */
class RunFreezeThawCommandTests {

	private static final Path FREEZER = Path.of("/sys/fs/cgroup/freezer/cse/app");

	private static final Path MEMORY = Path.of("/sys/fs/cgroup/memory/cse/app");

	private static final String UNLIMITED = "9223372036854771712";

	private static final long MB = 1024 * 1024;

	@TempDir
	Path temp;

	private final FakeHost host = new FakeHost();

	private final FakeProbe probe = new FakeProbe();

	@BeforeEach
	void cgroupV1AndZram() {
		this.host.withCgroupV1AndZram();
	}

	private CseRun cse(String... args) {
		List<String> all = new ArrayList<>(List.of(args));
		int separator = all.indexOf("--");
		all.addAll((separator >= 0) ? separator : all.size(),
				List.of("--state-dir", this.temp.resolve("state").toString()));
		return CseRun.of(new NodeContext(this.host, this.probe), all.toArray(String[]::new));
	}

	private CseRun run() {
		return cse("run", "--name", "app", "--", "/usr/bin/java", "-jar", "app.jar", "--server.port=8081");
	}

	@Test
	void runStartsTheServiceInsideItsCgroupsAndRegistersIt() {
		CseRun run = run();
		assertThat(run.exitCode()).as(run.toString()).isZero();
		assertThat(run.out()).contains("Started app").contains("127.0.0.1:8081");
		List<String> start = this.host.commands().get(this.host.commands().size() - 1);
		assertThat(start).containsExactly("setsid", "sh", "-c",
				"echo $$ > \"$1/cgroup.procs\" && echo $$ > \"$2/cgroup.procs\" && shift 2 && exec \"$@\"", "cse-run",
				FREEZER.toString(), MEMORY.toString(), "env",
				"CSE_ENDPOINT_TOKENFILE=" + this.temp.resolve("state/tokens/app"), "/usr/bin/java",
				"-XX:-UsePerfData", "-jar", "app.jar", "--server.port=8081");
		assertThat(this.host.directories()).contains(FREEZER, MEMORY);
		Instance instance = new Registry(this.temp.resolve("state")).find("app").orElseThrow();
		assertThat(instance.kind()).isEqualTo(Instance.Kind.RUN);
		assertThat(instance.endpoint().port()).isEqualTo(8081);
		assertThat(instance.state()).isEqualTo(Instance.State.RUNNING);
		assertThat(instance.cgroups().freezer()).isEqualTo(FREEZER.toString());
		assertThat(instance.cgroups().memory()).isEqualTo(MEMORY.toString());
		assertThat(this.host.file(FREEZER.resolve("cgroup.procs"))).hasValue(instance.process().pid() + "\n");
		assertThat(cse("ps").out()).containsPattern("app +run +\\d+ +127\\.0\\.0\\.1:8081 +- +alive +THAWED");
	}

	@Test
	void runGivesTheServiceAnEndpointTokenOfItsOwnAndSendsItOnEveryCall() throws IOException {
		assertThat(run().exitCode()).isZero();
		Path tokenFile = this.temp.resolve("state/tokens/app");
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile))).isEqualTo("rw-------");
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile.getParent())))
			.isEqualTo("rwx------");
		String token = Files.readString(tokenFile).strip();
		assertThat(token).matches("[A-Za-z0-9_-]{43}");
		assertThat(cse("freeze", "app").exitCode()).isZero();
		assertThat(cse("thaw", "app").exitCode()).isZero();
		assertThat(this.probe.posted()).containsExactly("/actuator/cse/freeze", "/actuator/cse/thaw");
		assertThat(this.probe.postedTokens()).containsExactly(token, token);
		// Another service gets another token; a stopped one leaves none behind.
		assertThat(cse("run", "--name", "other", "--", "/usr/bin/java", "-jar", "other.jar", "--server.port=8082")
			.exitCode()).isZero();
		assertThat(Files.readString(this.temp.resolve("state/tokens/other")).strip()).isNotEqualTo(token);
		assertThat(cse("stop", "app").exitCode()).isZero();
		assertThat(tokenFile).doesNotExist();
	}

	@Test
	void anActuatorOnAManagementPortOfItsOwnIsWhereTheAgentCallsTheService() {
		CseRun run = cse("run", "--name", "app", "--", "/usr/bin/java", "-jar", "app.jar", "--server.port=8081",
				"--management.server.port=9091", "--management.endpoints.web.base-path=/manage");
		assertThat(run.exitCode()).as(run.toString()).isZero();
		assertThat(run.out()).contains("Started app: http://127.0.0.1:9091/manage/cse answered 200");
		assertThat(this.probe.gets()).isNotEmpty().allMatch((get) -> get.startsWith("127.0.0.1:9091/manage/cse "));
		assertThat(cse("freeze", "app").exitCode()).isZero();
		assertThat(cse("thaw", "app").exitCode()).isZero();
		assertThat(this.probe.postedUris()).containsExactly("http://127.0.0.1:9091/manage/cse/freeze?thawOnRequest=false",
				"http://127.0.0.1:9091/manage/cse/thaw");
		// Given as options, they win over the command's
		assertThat(cse("run", "--name", "other", "--management-port", "9092", "--endpoint-path", "/ops/cse", "--",
				"/usr/bin/java", "-jar", "other.jar", "--server.port=8082", "--management.server.port=9093")
			.out()).contains("http://127.0.0.1:9092/ops/cse answered 200");
	}

	@Test
	void theAgentWaitsForAnOperationAsLongAsTheServiceSaysItMayTake() {
		assertThat(run().exitCode()).isZero();
		assertThat(cse("freeze", "app").exitCode()).isZero();
		assertThat(cse("thaw", "app").exitCode()).isZero();
		// A minute at least
		assertThat(this.probe.postTimeouts()).containsExactly(Duration.ofSeconds(60), Duration.ofSeconds(60));
		// Every participant at its timeout, quiescing and rolling back, as the status says, and a margin
		this.probe.withLongestOperation(620_000);
		assertThat(cse("freeze", "app").exitCode()).isZero();
		// The thaw, which a platform waits for, asks nothing first: the freeze kept the time
		int getsBeforeThaw = this.probe.gets().size();
		assertThat(cse("thaw", "app").exitCode()).isZero();
		assertThat(this.probe.gets()).hasSize(getsBeforeThaw);
		assertThat(this.probe.postTimeouts()).endsWith(Duration.ofSeconds(630), Duration.ofSeconds(630));
	}

	@Test
	void stopTrustsNoPathThatTheStateFileRecords() throws IOException {
		assertThat(run().exitCode()).isZero();
		// Someone who could write the state file points the agent at another group and
		// another folder: stop acts on the instance's own, found from its name.
		Path precious = Files.createDirectories(this.temp.resolve("precious"));
		Files.writeString(precious.resolve("keep"), "data");
		Path other = Path.of("/sys/fs/cgroup/freezer/cse/other");
		this.host.withDirectory(other);
		Path entry = this.temp.resolve("state/instances/app.json");
		Files.writeString(entry, Files.readString(entry)
			.replace(this.temp.resolve("state/logs/app").toString(), precious.toString())
			.replace(FREEZER.toString(), other.toString()));
		assertThat(cse("stop", "app", "--purge").exitCode()).isZero();
		assertThat(precious.resolve("keep")).hasContent("data");
		assertThat(this.host.directories()).contains(other).doesNotContain(FREEZER, MEMORY);
		assertThat(this.temp.resolve("state/logs/app")).doesNotExist();
	}

	@Test
	void runKeepsTheCommandsOwnPerfDataChoiceAndPort() {
		assertThat(RunCommand.withoutPerfData(List.of("java", "-XX:+UsePerfData", "-jar", "a.jar")))
			.containsExactly("java", "-XX:+UsePerfData", "-jar", "a.jar");
		assertThat(RunCommand.withoutPerfData(List.of("python3", "app.py"))).containsExactly("python3", "app.py");
		assertThat(RunCommand.withoutPerfData(List.of("java", "-jar", "a.jar")))
			.containsExactly("java", "-XX:-UsePerfData", "-jar", "a.jar");
		assertThat(RunCommand.portOf(List.of("java", "-Dserver.port=9000", "-jar", "a.jar"))).isEqualTo(9000);
		assertThat(RunCommand.portOf(List.of("java", "-jar", "a.jar"))).isEqualTo(8080);
	}

	@Test
	void runRefusesAHostWithoutAUsableCgroupHierarchy() {
		FakeHost none = new FakeHost().withFile(Path.of("/sys/fs/cgroup/cgroup.controllers"), "cpu pids\n");
		CseRun run = CseRun.of(new NodeContext(none, this.probe), "run", "--name", "app", "--state-dir",
				this.temp.resolve("state").toString(), "--", "java", "-jar", "app.jar");
		assertThat(run.exitCode()).isEqualTo(5);
		assertThat(run.err()).contains("unified cgroup v2 hierarchy at /sys/fs/cgroup has no 'memory' controller");
		assertThat(none.commands()).isEmpty();
		assertThat(none.writes()).isEmpty();
	}

	@Test
	void onCgroupV2ARunFreezesSqueezesThawsAndStopsInOneGroup() {
		Path group = Path.of("/sys/fs/cgroup/cse/app");
		FakeHost v2 = new FakeHost().withDirectory(Cgroup.ROOT)
			.withFile(Cgroup.ROOT.resolve("cgroup.controllers"), "cpu io memory pids\n")
			.withFile(Cgroup.ROOT.resolve("cgroup.subtree_control"), "cpu io memory pids\n")
			.withFile(Path.of("/proc/swaps"), "Filename\tType\tSize\tUsed\tPriority\n/dev/sda2\tpartition\t1\t0\t-2\n");
		NodeContext context = new NodeContext(v2, this.probe);
		String[] state = { "--state-dir", this.temp.resolve("state").toString() };
		CseRun run = CseRun.of(context, "run", "--name", "app", state[0], state[1], "--", "java", "-jar", "app.jar");
		assertThat(run.exitCode()).as(run.toString()).isZero();
		assertThat(v2.commands().get(v2.commands().size() - 1)).containsSequence("sh", "-c",
				"echo $$ > \"$1/cgroup.procs\" && shift && exec \"$@\"", "cse-run", group.toString(), "env",
				"CSE_ENDPOINT_TOKENFILE=" + this.temp.resolve("state/tokens/app"), "java");
		Instance instance = new Registry(this.temp.resolve("state")).find("app").orElseThrow();
		assertThat(instance.cgroups().freezer()).isEqualTo(group.toString());
		assertThat(instance.cgroups().memory()).isEqualTo(group.toString());
		assertThat(v2.file(group.resolve("cgroup.procs"))).hasValue(instance.process().pid() + "\n");

		CseRun freeze = CseRun.of(context, "freeze", "app", "--squeeze", "--floor", "10", state[0], state[1]);
		assertThat(freeze.exitCode()).as(freeze.toString()).isZero();
		String high = group.resolve("memory.high").toString();
		assertThat(v2.writes()).containsExactly(Path.of("/sys/fs/cgroup/cse/cgroup.subtree_control") + " <- +memory",
				group.resolve("cgroup.freeze") + " <- 1", high + " <- " + 100 * MB, high + " <- " + 50 * MB,
				high + " <- " + 25 * MB, high + " <- " + (25 * MB / 2), high + " <- " + 10 * MB);
		assertThat(CseRun.of(context, "ps", state[0], state[1]).out()).contains("FROZEN (squeezed)");

		CseRun thaw = CseRun.of(context, "thaw", "app", state[0], state[1]);
		assertThat(thaw.exitCode()).as(thaw.toString()).isZero();
		assertThat(v2.writes()).endsWith(high + " <- max", group.resolve("cgroup.freeze") + " <- 0");

		CseRun stop = CseRun.of(context, "stop", "app", state[0], state[1]);
		assertThat(stop.exitCode()).as(stop.toString()).isZero();
		assertThat(v2.directories()).doesNotContain(group, group.getParent());
		assertThat(v2.livePids()).isEmpty();
	}

	@Test
	void aServiceThatNeverAnswersLeavesNothingButItsLog() {
		this.probe.silent("127.0.0.1");
		CseRun run = cse("run", "--name", "app", "--timeout", "300ms", "--", "java", "-jar", "app.jar");
		assertThat(run.exitCode()).isEqualTo(4);
		assertThat(run.err()).contains("did not answer 200 on http://127.0.0.1:8080/actuator/cse within 300 ms");
		assertThat(this.host.livePids()).isEmpty();
		assertThat(this.host.directories()).doesNotContain(FREEZER, MEMORY, FREEZER.getParent(), MEMORY.getParent());
		assertThat(new Registry(this.temp.resolve("state")).list()).isEmpty();
		assertThat(this.host.commandLines()).anyMatch((line) -> line.startsWith("kill -s KILL "));
		assertThat(this.temp.resolve("state/logs/app")).isDirectory();
	}

	@Test
	void aServiceThatEndsAtOnceLeavesNoCgroup() {
		this.host.failingStarts((command) -> command.contains("cse-run"));
		CseRun run = run();
		assertThat(run.exitCode()).isOne();
		assertThat(run.err()).contains("app ended at once");
		assertThat(this.host.directories()).doesNotContain(FREEZER, MEMORY);
		assertThat(new Registry(this.temp.resolve("state")).list()).isEmpty();
	}

	@Test
	void runRefusesACgroupThatExistsAlready() {
		this.host.withDirectory(FREEZER.getParent()).withDirectory(FREEZER);
		CseRun run = run();
		assertThat(run.exitCode()).isEqualTo(6);
		assertThat(run.err()).contains("cgroup " + FREEZER + " exists already");
		assertThat(this.host.directories()).contains(FREEZER);
		assertThat(new Registry(this.temp.resolve("state")).list()).isEmpty();
	}

	@Test
	void freezeQuiescesTheServiceFirstThenFreezesItsCgroup() {
		assertThat(run().exitCode()).isZero();
		CseRun freeze = cse("freeze", "app");
		assertThat(freeze.exitCode()).as(freeze.toString()).isZero();
		assertThat(this.probe.posted()).containsExactly("/actuator/cse/freeze");
		assertThat(this.host.writes()).containsExactly(FREEZER.resolve("freezer.state") + " <- FROZEN");
		assertThat(freeze.out()).contains("Froze app").contains("charged (cgroup)");
		assertThat(cse("ps").out()).contains("FROZEN");
		assertThat(cse("freeze", "app").err()).contains("app is frozen already");
	}

	@Test
	void aServiceThatRefusesToFreezeKeepsRunning() {
		assertThat(run().exitCode()).isZero();
		this.probe.posts((uri) -> Optional.of(new HttpProbe.Answer(500, "{\"outcome\":\"FAILURE\"}")));
		CseRun freeze = cse("freeze", "app");
		assertThat(freeze.exitCode()).isOne();
		assertThat(freeze.err()).contains("app refused to freeze: POST /actuator/cse/freeze answered 500");
		assertThat(this.host.writes()).isEmpty();
	}

	@Test
	void aFreezeThatDoesNotEndInTimeIsCalledOffAndTheServiceRunsAsBefore() {
		assertThat(run().exitCode()).isZero();
		// The service is still quiescing when the agent gives up; it ends its quiesce a poll
		// later, and only then takes the thaw that calls the freeze off
		AtomicReference<String> state = new AtomicReference<>("RUNNING");
		AtomicInteger statusesWhileQuiescing = new AtomicInteger();
		this.probe.hangs("/freeze").inState(() -> {
			if (this.probe.posted().contains("/actuator/cse/freeze")
					&& !this.probe.posted().contains("/actuator/cse/thaw")) {
				state.set((statusesWhileQuiescing.incrementAndGet() == 1) ? "QUIESCING" : "FROZEN");
			}
			return state.get();
		});
		this.probe.posts((uri) -> {
			state.set("RUNNING");
			return Optional.of(new HttpProbe.Answer(200, "{}"));
		});
		CseRun freeze = cse("freeze", "app", "--timeout", "300ms");
		assertThat(freeze.exitCode()).as(freeze.toString()).isEqualTo(4);
		assertThat(freeze.err()).contains("app did not answer its freeze (POST /actuator/cse/freeze) within 300 ms: "
				+ "the freeze was called off and it runs as before");
		assertThat(this.probe.postTimeouts().get(0)).isLessThanOrEqualTo(Duration.ofMillis(300));
		assertThat(this.probe.posted()).containsExactly("/actuator/cse/freeze", "/actuator/cse/thaw");
		assertThat(state).hasValue("RUNNING");
		assertThat(this.host.writes()).isEmpty();
		assertThat(new Registry(this.temp.resolve("state")).find("app").orElseThrow().cgroups().freeze())
			.isEqualTo(Instance.Freeze.THAWED);
	}

	@Test
	void aThawThatIsNotAnsweredInTimeSaysSoAndGoesOn() {
		assertThat(run().exitCode()).isZero();
		assertThat(cse("freeze", "app").exitCode()).isZero();
		this.probe.hangs("/thaw");
		CseRun thaw = cse("thaw", "app", "--timeout", "200ms");
		assertThat(thaw.exitCode()).as(thaw.toString()).isEqualTo(4);
		assertThat(thaw.err()).contains("app's cgroup is thawed, but it did not confirm its resume (POST "
				+ "/actuator/cse/thaw) within 200 ms: it goes on resuming");
		List<Duration> timeouts = this.probe.postTimeouts();
		assertThat(timeouts.get(timeouts.size() - 1)).isLessThanOrEqualTo(Duration.ofMillis(200));
		assertThat(this.host.file(FREEZER.resolve("freezer.state"))).hasValue("THAWED");
	}

	@Test
	void aCgroupThatDoesNotFreezeIsThawedAndTheServiceResumed() {
		assertThat(run().exitCode()).isZero();
		this.host.failingWrites((file, value) -> value.equals("FROZEN"));
		CseRun freeze = cse("freeze", "app");
		assertThat(freeze.exitCode()).isOne();
		assertThat(this.probe.posted()).containsExactly("/actuator/cse/freeze", "/actuator/cse/thaw");
	}

	@Test
	void squeezeSetsZramUpLowersTheLimitInHalvesAndStopUndoesIt() {
		assertThat(run().exitCode()).isZero();
		CseRun freeze = cse("freeze", "app", "--squeeze", "--floor", "10");
		assertThat(freeze.exitCode()).as(freeze.toString()).isZero();
		assertThat(freeze.out()).contains("turned zram swap on");
		String limit = MEMORY.resolve("memory.limit_in_bytes").toString();
		assertThat(this.host.writes()).containsExactly(FREEZER.resolve("freezer.state") + " <- FROZEN",
				"/sys/block/zram0/comp_algorithm <- lz4", "/sys/block/zram0/disksize <- 2G", limit + " <- " + 100 * MB, limit + " <- " + 50 * MB,
				limit + " <- " + 25 * MB, limit + " <- " + (25 * MB / 2), limit + " <- " + 10 * MB);
		assertThat(this.host.commandLines()).containsSubsequence("mkswap /dev/zram0", "swapon /dev/zram0");
		assertThat(this.temp.resolve("state").resolve("swap-set-up-by-cse")).exists();
		assertThat(cse("ps").out()).contains("FROZEN (squeezed)");

		CseRun thaw = cse("thaw", "app");
		assertThat(thaw.exitCode()).as(thaw.toString()).isZero();
		assertThat(thaw.out()).contains("Thawed app: serving after");
		assertThat(this.host.writes()).endsWith(limit + " <- " + UNLIMITED,
				FREEZER.resolve("freezer.state") + " <- THAWED");
		assertThat(this.probe.posted()).endsWith("/actuator/cse/thaw");

		CseRun stop = cse("stop", "app");
		assertThat(stop.exitCode()).as(stop.toString()).isZero();
		assertThat(this.host.commandLines()).contains("swapoff /dev/zram0");
		assertThat(this.host.writes()).endsWith("/sys/block/zram0/reset <- 1");
		assertThat(this.host.file(Path.of("/proc/swaps")).orElseThrow()).doesNotContain("zram0");
		assertThat(this.temp.resolve("state").resolve("swap-set-up-by-cse")).doesNotExist();
		assertThat(this.host.directories()).doesNotContain(FREEZER, MEMORY, FREEZER.getParent(), MEMORY.getParent());
		assertThat(this.host.livePids()).isEmpty();
	}

	@Test
	void squeezeStopsWhereTheKernelCannotGoLower() {
		assertThat(run().exitCode()).isZero();
		this.host.failingWrites((file, value) -> file.endsWith("memory.limit_in_bytes") && Long.parseLong(value) < 30 * MB);
		CseRun freeze = cse("freeze", "app", "--squeeze");
		assertThat(freeze.exitCode()).as(freeze.toString()).isZero();
		assertThat(this.host.file(MEMORY.resolve("memory.limit_in_bytes"))).hasValue(Long.toString(50 * MB));
	}

	@Test
	void swapThatWasOnAlreadyIsLeftAlone() {
		this.host.withFile(Path.of("/proc/swaps"),
				"Filename\tType\tSize\tUsed\tPriority\n/swapfile\tfile\t1048572\t0\t-2\n");
		assertThat(run().exitCode()).isZero();
		assertThat(cse("freeze", "app", "--squeeze").exitCode()).isZero();
		assertThat(cse("stop", "app").exitCode()).isZero();
		assertThat(this.host.commandLines()).noneMatch((line) -> line.startsWith("mkswap") || line.startsWith("swapon")
				|| line.startsWith("swapoff"));
		assertThat(this.host.writes()).noneMatch((write) -> write.contains("zram0"));
	}

	@Test
	void swapStaysWhileAnotherServiceIsLeft() {
		assertThat(run().exitCode()).isZero();
		assertThat(cse("run", "--name", "other", "--port", "8082", "--", "java", "-jar", "other.jar").exitCode())
			.isZero();
		assertThat(cse("freeze", "app", "--squeeze").exitCode()).isZero();
		assertThat(cse("stop", "app").exitCode()).isZero();
		assertThat(this.host.commandLines()).doesNotContain("swapoff /dev/zram0");
		assertThat(cse("stop", "other").exitCode()).isZero();
		assertThat(this.host.commandLines()).contains("swapoff /dev/zram0");
	}

	@Test
	void thawAcceptsAServiceThatARequestThawedFirst() {
		assertThat(run().exitCode()).isZero();
		assertThat(cse("freeze", "app").exitCode()).isZero();
		this.probe.posts((uri) -> Optional.of(new HttpProbe.Answer(409, "{\"state\":\"RUNNING\"}")));
		CseRun thaw = cse("thaw", "app");
		assertThat(thaw.exitCode()).as(thaw.toString()).isZero();
		assertThat(thaw.out()).contains("a request had thawed it already");
	}

	@Test
	void theAgentFreezesWithRequestsHeldForItsOwnThawAndWakesForARequestOnAConnectionKeptOpen() {
		assertThat(run().exitCode()).isZero();
		assertThat(cse("freeze", "app").exitCode()).isZero();
		// A request that reaches the service before its cgroup freezes must not thaw it inside
		assertThat(this.probe.postedUris()).singleElement().asString().endsWith("/actuator/cse/freeze?thawOnRequest=false");
		// A keep-alive connection the quiesce left open (in use a moment before) says nothing
		// while idle; a request sent on it waits unread in it (rx_queue) and wakes the service
		String header = "  sl  local_address rem_address   st tx_queue rx_queue\n";
		String connection = "   0: 0100007F:1F91 0100007F:D431 01 00000000:%s 00:00000000 00000000     0        0 4243 1 "
				+ "0000000000000000 20 4 1 10 -1\n";
		this.host.withFile(Path.of("/proc/net/tcp"), header + String.format(connection, "00000000"));
		CseRun idle = cse("thaw", "app", "--on-request", "--timeout", "100ms");
		assertThat(idle.exitCode()).as(idle.toString()).isEqualTo(4);
		this.host.withFile(Path.of("/proc/net/tcp"), header + String.format(connection, "000000A3"));
		CseRun thaw = cse("thaw", "app", "--on-request", "--timeout", "10s");
		assertThat(thaw.exitCode()).as(thaw.toString()).isZero();
		assertThat(thaw.out()).contains("Thawed app on a request");
	}

	@Test
	void thawOnRequestWaitsForAConnectionInTheListeningSocketsQueue() {
		assertThat(run().exitCode()).isZero();
		assertThat(cse("freeze", "app").exitCode()).isZero();
		String header = "  sl  local_address                         remote_address                        st tx_queue rx_queue\n";
		String listener = "   1: 00000000000000000000000000000000:1F91 00000000000000000000000000000000:0000 0A %s 00:00000000 "
				+ "00000000     0        0 4242 1 0000000000000000 100 0 0 10 0\n";
		this.host.withFile(Path.of("/proc/net/tcp6"), header + String.format(listener, "00000000:00000000"));
		// --wait: the option's name before --timeout
		CseRun idle = cse("thaw", "app", "--on-request", "--wait", "100ms");
		assertThat(idle.exitCode()).isEqualTo(4);
		assertThat(idle.err()).contains("no connection to app's port 8081");
		assertThat(cse("ps").out()).contains("FROZEN");

		this.host.withFile(Path.of("/proc/net/tcp6"), header + String.format(listener, "00000000:00000002"));
		CseRun thaw = cse("thaw", "app", "--on-request", "--wait", "10s");
		assertThat(thaw.exitCode()).as(thaw.toString()).isZero();
		assertThat(thaw.out()).contains("Thawed app on a request");
		assertThat(cse("ps").out()).contains("THAWED");
	}

	@Test
	void stopThawsAFrozenServiceBeforeSignallingIt() {
		assertThat(run().exitCode()).isZero();
		long pid = new Registry(this.temp.resolve("state")).find("app").orElseThrow().process().pid();
		assertThat(cse("freeze", "app").exitCode()).isZero();
		assertThat(cse("stop", "app").exitCode()).isZero();
		assertThat(this.host.writes()).endsWith(FREEZER.resolve("freezer.state") + " <- THAWED");
		assertThat(this.host.commandLines()).contains("kill -s TERM " + pid);
		assertThat(this.host.livePids()).isEmpty();
		assertThat(this.host.directories()).doesNotContain(FREEZER, MEMORY);
	}

	@Test
	void onlyRunServicesCanBeFrozen() {
		CseRun freeze = cse("freeze", "nothing");
		assertThat(freeze.exitCode()).isEqualTo(3);
		assertThat(freeze.err()).contains("no instance named nothing");
		assertThat(Files.exists(this.temp.resolve("state/instances/nothing.json"))).isFalse();
	}

}
