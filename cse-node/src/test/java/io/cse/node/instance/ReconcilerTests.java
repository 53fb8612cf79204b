package io.cse.node.instance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.cse.node.FakeHost;
import io.cse.node.FakeProbe;
import io.cse.node.TestImages;
import io.cse.node.instance.Instance.Cgroups;
import io.cse.node.instance.Instance.Endpoint;
import io.cse.node.instance.Instance.Freeze;
import io.cse.node.instance.Instance.Kind;
import io.cse.node.instance.Instance.Network;
import io.cse.node.instance.Instance.ProcessId;
import io.cse.node.instance.Instance.Source;
import io.cse.node.instance.Instance.State;
import io.cse.node.instance.ReconcileReport.Finding;
import io.cse.node.instance.ReconcileReport.What;
import io.cse.node.linux.Bridge;
import io.cse.node.linux.Cgroup;
import io.cse.node.linux.NetworkNamespace;
import io.cse.node.linux.Subnet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * What a resident agent finds on its start after one was killed, one kind of leftover per
 * test, on a {@link FakeHost} with cgroup v1 and a zram device. Each leftover is made the
 * way the agent's own operations leave it when they are cut short: the entry first, then
 * what it names.
 */
class ReconcilerTests {

	private static final Path FREEZER = Path.of("/sys/fs/cgroup/freezer/cse/app");

	private static final Path MEMORY = Path.of("/sys/fs/cgroup/memory/cse/app");

	// no such process on the fake host: the agent that was killed
	private static final ProcessId KILLED_AGENT = new ProcessId(99999, 123);

	@TempDir
	Path temp;

	private final FakeHost host = new FakeHost();

	private final FakeProbe probe = new FakeProbe();

	private Registry registry;

	private Node node;

	@BeforeEach
	void cgroupV1AndZram() {
		this.host.withCgroupV1AndZram();
		this.registry = new Registry(this.temp.resolve("state"));
		this.node = new Node(new NodeContext(this.host, this.probe), this.registry);
	}

	@Test
	void nothingToDoOnAFreshHost() {
		ReconcileReport report = this.node.reconcile();
		assertThat(report.findings()).isEmpty();
		assertThat(report.clean()).isTrue();
		assertThat(this.host.writes()).isEmpty();
	}

	@Test
	void adoptsARunningServiceAndTouchesNothing() {
		Started started = runApp();
		int commands = this.host.commands().size();
		List<String> writes = this.host.writes();
		ReconcileReport report = this.node.reconcile();
		assertThat(report.findings()).extracting(Finding::what, Finding::name, Finding::action)
			.containsExactly(tuple(What.RUNNING_INSTANCE, "app",
					"adopted (run, pid " + started.instance().process().pid() + ", cgroup THAWED)"));
		assertThat(this.registry.list()).containsExactly(this.registry.find("app").orElseThrow());
		assertThat(this.host.commands().subList(commands, this.host.commands().size()))
			.noneMatch((command) -> command.get(0).equals("kill"));
		assertThat(this.host.writes()).isEqualTo(writes);
		assertThat(this.probe.posted()).isEmpty();
	}

	@Test
	void removesADeadServiceWithItsCgroupsAndKeepsItsLog() throws IOException {
		Started started = runApp();
		Files.createDirectories(started.instance().serviceLog().getParent());
		Files.writeString(started.instance().serviceLog(), "OutOfMemoryError\n");
		this.host.killExternally(started.instance().process().pid());
		ReconcileReport report = this.node.reconcile();
		assertThat(report.findings()).extracting(Finding::what, Finding::name)
			.containsExactly(tuple(What.DEAD_INSTANCE, "app"));
		assertThat(report.findings().get(0).action()).startsWith("its process " + started.instance().process().pid()
				+ " is gone: killed what was left of its processes, removed its cgroups, removed its entry; its logs stay in");
		assertThat(this.registry.list()).isEmpty();
		assertThat(this.host.directories()).doesNotContain(FREEZER, MEMORY);
		assertThat(started.instance().serviceLog()).hasContent("OutOfMemoryError");
	}

	@Test
	void rollsBackARunWhoseAgentWasKilledBeforeTheServiceAnswered() {
		Instance entry = new Instance("app", Kind.RUN, State.STARTING, null, new Source(null, "-"),
				new Endpoint("127.0.0.1", 8081, "/actuator/cse"), null, ProcessId.NONE, ProcessId.NONE, KILLED_AGENT,
				new Cgroups(FREEZER.toString(), MEMORY.toString()), Instant.now().toString(),
				this.registry.logDir("app").toString());
		this.registry.save(entry);
		Cgroup cgroup = Cgroup.of(this.host, "app");
		cgroup.create();
		// killed after the service started, before its pid was recorded
		long pid = this.host.start(cgroup.wrap(List.of("/usr/bin/java", "-jar", "app.jar")), entry.serviceLog());

		ReconcileReport report = this.node.reconcile();

		assertThat(report.findings()).extracting(Finding::what, Finding::name, Finding::action)
			.containsExactly(tuple(What.HALF_DONE_START, "app",
					"rolled back the run that process 99999 did not finish: killed what was left of its processes, removed its "
							+ "cgroups, removed its entry; its logs stay in " + entry.logDir()));
		assertThat(this.host.commandLines()).contains("kill -s KILL " + pid);
		assertThat(this.host.livePids()).doesNotContain(pid);
		assertThat(this.host.directories()).doesNotContain(FREEZER, MEMORY);
		assertThat(this.registry.list()).isEmpty();
	}

	@Test
	void rollsBackACloneWhoseAgentWasKilledWhileItRestored() throws IOException {
		Instance launched = halfDoneClone("app-1", "10.199.0.10");
		long launcher = launched.launcher().pid();

		ReconcileReport report = this.node.reconcile();

		assertThat(report.findings()).extracting(Finding::what, Finding::name, Finding::action)
			.containsExactly(tuple(What.HALF_DONE_START, "app-1",
					"rolled back the clone that process 99999 did not finish: killed what was left of its processes, deleted "
							+ "cse-app-1 and cse0v10, removed its entry; its logs stay in " + launched.logDir()));
		assertThat(this.host.commandLines()).contains("kill -s KILL " + launcher, "ip link del dev cse0v10",
				"ip netns del cse-app-1");
		assertThat(this.host.livePids()).isEmpty();
		assertThat(this.host.namespaces()).isEmpty();
		assertThat(this.host.links()).containsExactly("cse0");
		assertThat(this.registry.list()).isEmpty();
		assertThat(Path.of(launched.logDir())).isDirectory();
	}

	@Test
	void rollsBackARestoreInTheHostsNamespacesWhoseProcessCriuGaveBackAfterTheAgentWasKilled() {
		// criu restore outlived the agent: the process runs on the image's pid, its start time
		// never recorded (0); it started after the entry was made, so it is the restore's
		long restored = 4242;
		this.host.withProcess(restored, "python3");
		long startedSecondsAfterBoot = restored * 10 / 100;
		this.host.withFile(Path.of("/proc/stat"),
				"cpu  1 2 3\nbtime " + (Instant.now().getEpochSecond() - startedSecondsAfterBoot) + "\n");
		Instance entry = new Instance("py", Kind.RESTORE, State.STARTING, null, new Source("/images/py", "py"),
				new Endpoint("127.0.0.1", 8080, "/"), null, new ProcessId(restored, 0), ProcessId.NONE, KILLED_AGENT,
				null, Instant.now().minusSeconds(5).toString(), this.registry.logDir("py").toString());
		this.registry.save(entry);

		ReconcileReport report = this.node.reconcile();

		assertThat(report.findings()).extracting(Finding::what, Finding::name)
			.containsExactly(tuple(What.HALF_DONE_START, "py"));
		assertThat(this.host.commandLines()).contains("kill -s KILL " + restored);
		assertThat(this.host.livePids()).doesNotContain(restored);
		assertThat(this.registry.list()).isEmpty();
	}

	@Test
	void leavesAProcessOnTheRestoresPidAloneIfItIsOlderThanTheEntry() {
		long other = 4242;
		this.host.withProcess(other, "postgres");
		this.host.withFile(Path.of("/proc/stat"), "btime " + (Instant.now().getEpochSecond() - 3600) + "\n");
		this.registry.save(new Instance("py", Kind.RESTORE, State.STARTING, null, new Source("/images/py", "py"),
				new Endpoint("127.0.0.1", 8080, "/"), null, new ProcessId(other, 0), ProcessId.NONE, KILLED_AGENT,
				null, Instant.now().toString(), this.registry.logDir("py").toString()));

		ReconcileReport report = this.node.reconcile();

		assertThat(report.findings()).extracting(Finding::what).containsExactly(What.HALF_DONE_START);
		assertThat(this.host.livePids()).contains(other);
		assertThat(this.host.commandLines()).noneMatch((line) -> line.startsWith("kill"));
		assertThat(this.registry.list()).isEmpty();
	}

	@Test
	void leavesAStartToTheCommandThatIsStillMakingIt() {
		this.host.withProcess(777, "java");
		Instance entry = new Instance("py", Kind.RESTORE, State.STARTING, null, new Source("/images/py", "py"),
				new Endpoint("127.0.0.1", 8080, "/"), null, ProcessId.NONE, ProcessId.NONE, new ProcessId(777, 7770),
				null, Instant.now().toString(), this.registry.logDir("py").toString());
		this.registry.save(entry);

		ReconcileReport report = this.node.reconcile();

		assertThat(report.findings()).extracting(Finding::what, Finding::name, Finding::action)
			.containsExactly(tuple(What.STARTING_INSTANCE, "py", "left to process 777 (java), which is starting it"));
		assertThat(this.registry.list()).containsExactly(entry);
	}

	@Test
	void aFreezeIsRecordedBeforeTheServiceIsAskedAndConfirmedAfterTheCgroupFroze() {
		runApp();
		List<Optional<Freeze>> recordedAtPost = new ArrayList<>();
		this.probe.posts((uri) -> {
			recordedAtPost.add(this.registry.find("app").map((instance) -> instance.cgroups().freeze()));
			return Optional.of(new HttpProbe.Answer(200, "{}"));
		});
		this.node.freeze("app", false, Node.DEFAULT_SQUEEZE_FLOOR);
		assertThat(recordedAtPost).containsExactly(Optional.of(Freeze.FREEZING));
		assertThat(this.registry.find("app").orElseThrow().cgroups().freeze()).isEqualTo(Freeze.FROZEN);
		this.node.thaw("app");
		assertThat(recordedAtPost).containsExactly(Optional.of(Freeze.FREEZING), Optional.of(Freeze.THAWING));
		assertThat(this.registry.find("app").orElseThrow().cgroups().freeze()).isEqualTo(Freeze.THAWED);
	}

	@Test
	void aRefusedFreezeLeavesTheServiceRecordedAsRunning() {
		runApp();
		this.probe.posts((uri) -> Optional.of(new HttpProbe.Answer(503, "busy")));
		try {
			this.node.freeze("app", false, Node.DEFAULT_SQUEEZE_FLOOR);
		}
		catch (RuntimeException ex) {
			assertThat(ex).hasMessageContaining("refused to freeze");
		}
		assertThat(this.registry.find("app").orElseThrow().cgroups().freeze()).isEqualTo(Freeze.THAWED);
		assertThat(this.node.reconcile().findings()).extracting(Finding::what).containsExactly(What.RUNNING_INSTANCE);
	}

	@Test
	void keepsAConfirmedFreeze() {
		runApp();
		this.node.freeze("app", true, Node.DEFAULT_SQUEEZE_FLOOR);
		List<String> writes = this.host.writes();
		ReconcileReport report = this.node.reconcile();
		assertThat(report.findings()).extracting(Finding::what, Finding::action).containsExactly(
				tuple(What.RUNNING_INSTANCE, "adopted (run, pid 5000, cgroup FROZEN by a confirmed freeze)"));
		assertThat(this.host.file(FREEZER.resolve("freezer.state"))).hasValue("FROZEN");
		assertThat(this.host.writes()).isEqualTo(writes);
	}

	@Test
	void thawsAServiceWhoseSqueezedFreezeTheKilledAgentDidNotConfirm() {
		runApp();
		this.node.freeze("app", true, Node.DEFAULT_SQUEEZE_FLOOR);
		// as the agent leaves it when killed after the squeeze, before it confirmed the freeze
		Instance frozen = this.registry.find("app").orElseThrow();
		long limit = frozen.cgroups().limitBeforeSqueeze();
		this.registry.save(frozen.withCgroups(frozen.cgroups().withFreeze(Freeze.FREEZING)));
		int posts = this.probe.posted().size();

		ReconcileReport report = this.node.reconcile();

		assertThat(report.findings()).extracting(Finding::what, Finding::name, Finding::action)
			.containsExactly(tuple(What.RUNNING_INSTANCE, "app", "adopted (run, pid 5000, cgroup FROZEN)"),
					tuple(What.UNCONFIRMED_FREEZE, "app", "restored its memory limit, thawed its cgroup (it was "
							+ "FROZEN) and told the service to resume (POST /actuator/cse/thaw answered 200)"));
		assertThat(this.host.writes()).endsWith(MEMORY.resolve("memory.limit_in_bytes") + " <- " + limit,
				FREEZER.resolve("freezer.state") + " <- THAWED");
		assertThat(this.probe.posted().subList(posts, this.probe.posted().size()))
			.containsExactly("/actuator/cse/thaw");
		Cgroups cgroups = this.registry.find("app").orElseThrow().cgroups();
		assertThat(cgroups.freeze()).isEqualTo(Freeze.THAWED);
		assertThat(cgroups.squeezed()).isFalse();
		assertThat(report.clean()).isTrue();
	}

	@Test
	void thawsAServiceThatQuiescedButWhoseCgroupTheKilledAgentNeverFroze() {
		runApp();
		Instance running = this.registry.find("app").orElseThrow();
		this.registry.save(running.withCgroups(running.cgroups().withFreeze(Freeze.FREEZING)));

		ReconcileReport report = this.node.reconcile();

		assertThat(report.findings()).extracting(Finding::what, Finding::action).containsExactly(
				tuple(What.RUNNING_INSTANCE, "adopted (run, pid 5000, cgroup THAWED)"),
				tuple(What.UNCONFIRMED_FREEZE, "thawed its cgroup (it was THAWED) and told the service to resume "
						+ "(POST /actuator/cse/thaw answered 200)"));
		assertThat(this.probe.posted()).containsExactly("/actuator/cse/thaw");
	}

	@Test
	void finishesAThawTheKilledAgentBegan() {
		runApp();
		this.node.freeze("app", false, Node.DEFAULT_SQUEEZE_FLOOR);
		Instance frozen = this.registry.find("app").orElseThrow();
		this.registry.save(frozen.withCgroups(frozen.cgroups().withFreeze(Freeze.THAWING)));
		// a request thawed the service itself meanwhile: 409, which is fine
		this.probe.posts((uri) -> Optional.of(new HttpProbe.Answer(409, "not frozen")));

		ReconcileReport report = this.node.reconcile();

		assertThat(report.findings()).extracting(Finding::what).containsExactly(What.RUNNING_INSTANCE,
				What.UNFINISHED_THAW);
		assertThat(this.host.file(FREEZER.resolve("freezer.state"))).hasValue("THAWED");
		assertThat(this.registry.find("app").orElseThrow().cgroups().freeze()).isEqualTo(Freeze.THAWED);
	}

	@Test
	void aServiceThatDoesNotResumeIsAFailedFindingAndStaysToBeThawedAgain() {
		runApp();
		this.node.freeze("app", false, Node.DEFAULT_SQUEEZE_FLOOR);
		Instance frozen = this.registry.find("app").orElseThrow();
		this.registry.save(frozen.withCgroups(frozen.cgroups().withFreeze(Freeze.FREEZING)));
		this.probe.posts((uri) -> Optional.empty());

		ReconcileReport report = this.node.reconcile();

		assertThat(report.clean()).isFalse();
		assertThat(report.findings().get(1).action()).startsWith("could not reconcile it: thawed its cgroup (it was "
				+ "FROZEN), but POST /actuator/cse/thaw answered nothing: see its log");
		assertThat(this.registry.find("app").orElseThrow().cgroups().freeze()).isEqualTo(Freeze.FREEZING);
	}

	@Test
	void removesACgroupItsStateFolderMadeThatNoEntryNamesAndLeavesOthersAlone() {
		Started started = runApp();
		// the entry is gone (deleted by hand), the service and its groups are not
		this.registry.remove("app");
		Path foreign = Path.of("/sys/fs/cgroup/freezer/cse/other");
		this.host.createDirectory(foreign.getParent());
		this.host.createDirectory(foreign);

		ReconcileReport report = this.node.reconcile();

		assertThat(report.findings()).extracting(Finding::what, Finding::name, Finding::action)
			.containsExactly(tuple(What.ORPHAN_CGROUP, FREEZER.toString(),
					"no entry names it: killed the 1 process in it and removed it"));
		assertThat(this.host.livePids()).doesNotContain(started.instance().process().pid());
		assertThat(this.host.directories()).doesNotContain(FREEZER, MEMORY).contains(foreign);
		assertThat(this.registry.claims().list()).isEmpty();
	}

	@Test
	void removesANamespaceAndVethItsStateFolderMadeThatNoEntryNamesAndLeavesOthersAlone() throws IOException {
		halfDoneClone("app-1", "10.199.0.10");
		this.registry.remove("app-1");
		this.host.run(List.of("ip", "netns", "add", "cse-other"));

		ReconcileReport report = this.node.reconcile();

		assertThat(report.findings()).extracting(Finding::what, Finding::name, Finding::action)
			.containsExactly(tuple(What.ORPHAN_NAMESPACE, "cse-app-1",
					"no entry names it: killed the 3 processes in it and deleted it"));
		assertThat(this.host.namespaces()).containsExactly("cse-other");
		assertThat(this.host.links()).containsExactly("cse0");
		assertThat(this.host.livePids()).isEmpty();
		assertThat(this.registry.claims().list()).isEmpty();
	}

	@Test
	void removesAVethLeftWithoutItsNamespace() throws IOException {
		halfDoneClone("app-1", "10.199.0.10");
		this.registry.remove("app-1");
		// the namespace went, its veth stayed (deleted by hand, half-way)
		this.host.run(List.of("ip", "netns", "pids", "cse-app-1")).output().lines()
			.forEach((pid) -> this.host.killExternally(Long.parseLong(pid)));
		this.host.withBridge("cse0v11", null);
		this.registry.claims().claim(new Instance("gone", Kind.CLONE, State.RUNNING, null, null, null,
				new Network("cse-gone", "cse0v11", "cse0"), ProcessId.NONE, ProcessId.NONE, ProcessId.NONE, null,
				null, null));

		ReconcileReport report = this.node.reconcile();

		assertThat(report.findings()).extracting(Finding::what, Finding::name).containsExactly(
				tuple(What.ORPHAN_NAMESPACE, "cse-app-1"), tuple(What.ORPHAN_VETH, "cse0v11"));
		assertThat(this.host.links()).containsExactly("cse0");
	}

	@Test
	void turnsOffTheZramSwapASqueezeTurnedOnOnceNoServiceIsLeft() throws IOException {
		this.host.run(List.of("swapon", "/dev/zram0"));
		Files.createDirectories(this.registry.stateDir());
		Files.writeString(this.registry.stateDir().resolve(ZramSwap.MARKER), "/dev/zram0\n");

		ReconcileReport report = this.node.reconcile();

		assertThat(report.findings()).extracting(Finding::what, Finding::name, Finding::action)
			.containsExactly(tuple(What.ZRAM_SWAP, "zram swap",
					"turned off: the swap a squeeze turned on, with no service left that needs it"));
		assertThat(this.host.commandLines()).contains("swapoff /dev/zram0");
		assertThat(this.host.writes()).contains("/sys/block/zram0/reset <- 1");
		assertThat(this.registry.stateDir().resolve(ZramSwap.MARKER)).doesNotExist();
	}

	@Test
	void aSecondReconcileFindsOnlyWhatRuns() throws IOException {
		runApp();
		halfDoneClone("app-1", "10.199.0.10");
		assertThat(this.node.reconcile().findings()).hasSize(2);
		assertThat(this.node.reconcile().findings()).extracting(Finding::what)
			.containsExactly(What.RUNNING_INSTANCE);
	}

	private Started runApp() {
		return this.node.run("app", 8081, List.of("/usr/bin/java", "-jar", "app.jar"),
				Deadline.in(Duration.ofSeconds(5)));
	}

	/**
	 * A clone as an agent killed during its restore leaves it: reserved, its namespace and
	 * veth made, its launcher started and recorded, not answering yet.
	 */
	private Instance halfDoneClone(String name, String address) throws IOException {
		Path image = TestImages.template(this.temp.resolve("images"), "tpl", 4242, 8080);
		new Bridge(this.host, "cse0").up(null);
		String namespace = NetworkNamespace.nameFor(name);
		String veth = NetworkNamespace.hostInterfaceFor("cse0", Subnet.DEFAULT, address);
		Instance reserved = new Instance(name, Kind.CLONE, State.STARTING, null, new Source(image.toString(), "tpl"),
				new Endpoint(address, 8080, "/"), new Network(namespace, veth, "cse0"), ProcessId.NONE,
				ProcessId.NONE, KILLED_AGENT, null, Instant.now().toString(), this.registry.logDir(name).toString());
		this.registry.save(reserved);
		Path logDir = LogDirs.prepare(this.registry, name);
		new NetworkNamespace(this.host, namespace, veth, "cse0", Subnet.DEFAULT, address).create();
		long launcher = this.host.start(List.of("setsid", "nsenter", "--net=/run/netns/" + namespace, "--", "unshare", "--pid",
				"--fork", "--kill-child", "--mount-proc", "criu", "restore", "-D", image.toString(), "--work-dir",
				logDir.toString()), logDir.resolve("launcher.log"));
		Instance launched = reserved
			.withLauncher(new ProcessId(launcher, this.host.process(launcher).orElseThrow().startTicks()));
		this.registry.save(launched);
		return launched;
	}

}
