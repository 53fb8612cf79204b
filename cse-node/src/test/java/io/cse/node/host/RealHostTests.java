package io.cse.node.host;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import io.cse.node.CseRun;
import io.cse.node.host.PythonService.Template;
import io.cse.node.instance.Instance;
import io.cse.node.instance.NodeContext;
import io.cse.node.instance.Registry;
import io.cse.node.linux.LocalHost;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The node agent on this machine: real bridges, namespaces, CRIU restores of a real image
 * (a small Python HTTP service, dumped once for the class). Needs root; see
 * {@link RootOnly}. The tests use a bridge and subnet of their own ({@value #BRIDGE},
 * {@value #SUBNET}), so that they never disturb a real {@code cse0}.
 */
@Timeout(60)
class RealHostTests {

	static final String BRIDGE = "csetest";

	static final String SUBNET = "10.199.250.0/24";

	static final String GATEWAY = "10.199.250.1";

	@TempDir
	static Path images;

	static Template template;

	@TempDir
	Path state;

	private final String prefix = "it" + Integer.toHexString(new Random().nextInt(0x1000, 0x10000));

	@BeforeAll
	static void dumpTemplate() throws Exception {
		RootOnly.require();
		template = PythonService.dumpTemplate(images, "python-template");
	}

	@BeforeEach
	void gate() {
		RootOnly.require();
	}

	@AfterEach
	void cleanUp() {
		// Only if a test failed half-way: what passed has nothing left.
		cse("stop", "--all", "--timeout", "0s");
		cse("net", "down", "--bridge", BRIDGE);
	}

	private CseRun cse(String... args) {
		List<String> all = new ArrayList<>(List.of(args));
		all.addAll(List.of("--state-dir", this.state.toString()));
		return CseRun.of(NodeContext.local(), all.toArray(String[]::new));
	}

	@Test
	void netUpCreatesTheBridgeAndNetDownRemovesIt() throws Exception {
		CseRun up = cse("net", "up", "--bridge", BRIDGE, "--subnet", SUBNET);
		assertThat(up.exitCode()).as(up.toString()).isZero();
		assertThat(PythonService.run("ip", "-o", "-4", "addr", "show", "dev", BRIDGE).output())
			.contains("inet " + GATEWAY + "/24");
		assertThat(PythonService.run("ip", "-o", "link", "show", "dev", BRIDGE).output()).contains(",UP");
		CseRun again = cse("net", "up", "--bridge", BRIDGE);
		assertThat(again.exitCode()).isZero();
		assertThat(again.out()).contains("it was there already");
		CseRun down = cse("net", "down", "--bridge", BRIDGE);
		assertThat(down.exitCode()).as(down.toString()).isZero();
		assertThat(PythonService.run("ip", "-o", "link", "show", "dev", BRIDGE).exitCode()).isNotZero();
	}

	@Test
	void netUpWithTheDefaultsMakesCse0On10_199_0_1() throws Exception {
		assumeTrue(PythonService.run("ip", "-o", "link", "show", "dev", "cse0").exitCode() != 0,
				"cse0 exists on this machine already: left alone");
		try {
			assertThat(cse("net", "up").exitCode()).isZero();
			assertThat(PythonService.run("ip", "-o", "-4", "addr", "show", "dev", "cse0").output())
				.contains("inet 10.199.0.1/24");
		}
		finally {
			assertThat(cse("net", "down").exitCode()).isZero();
		}
		assertThat(PythonService.run("ip", "-o", "link", "show", "dev", "cse0").exitCode()).isNotZero();
	}

	@Test
	void clonesTwoInstancesThatAnswerOnTheirOwnAddressesAndLeavesNothingBehind() throws Exception {
		boolean netnsMountedBefore = netnsMounted();
		assertThat(cse("net", "up", "--bridge", BRIDGE, "--subnet", SUBNET).exitCode()).isZero();
		CseRun clone = cse("clone", template.dir().toString(), "--count", "2", "--name-prefix", this.prefix,
				"--bridge", BRIDGE, "--timeout", "30s");
		assertThat(clone.exitCode()).as(clone.toString()).isZero();
		List<Instance> clones = new Registry(this.state).list();
		assertThat(clones).extracting((instance) -> instance.endpoint().address()).containsExactly("10.199.250.10", "10.199.250.11");
		assertThat(clone.out()).contains(this.prefix + "-1", this.prefix + "-2", "py-" + template.pid(),
				"2 clones of image python-template answer 200");
		for (Instance instance : clones) {
			URI root = URI.create("http://" + instance.endpoint().address() + ":" + template.port() + "/");
			// inside its PID namespace the clone has the pid it was dumped with
			assertThat(PythonService.body(root)).contains("\"pid\": " + template.pid());
			assertThat(new LocalHost().process(instance.process().pid())).hasValueSatisfying(
					(init) -> assertThat(init.isNamespaceInit()).isTrue());
		}
		assertClonesReachTheHost(clones);

		CseRun ps = cse("ps");
		assertThat(ps.out())
			.containsPattern(this.prefix + "-1 +clone +\\d+ +10\\.199\\.250\\.10:\\d+ +python-template +alive")
			.containsPattern(this.prefix + "-2 +clone +\\d+ +10\\.199\\.250\\.11:\\d+ +python-template +alive");

		CseRun stop = cse("stop", "--all");
		assertThat(stop.exitCode()).as(stop.toString()).isZero();
		for (Instance instance : clones) {
			assertThat(new LocalHost().process(instance.process().pid()).filter((init) -> !init.isZombie())).isEmpty();
		}
		assertThat(PythonService.run("ip", "netns", "list").output()).doesNotContain("cse-" + this.prefix);
		assertThat(PythonService.run("ip", "-o", "link", "show").output()).doesNotContain(BRIDGE + "v");
		assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).doesNotContain("netns/cse-" + this.prefix);
		if (!netnsMountedBefore) {
			// iproute2's own mount of /run/netns, made by the first 'ip netns add', goes too
			assertThat(netnsMounted()).isFalse();
		}
		assertThat(new Registry(this.state).list()).isEmpty();
		assertThat(cse("net", "down", "--bridge", BRIDGE).exitCode()).isZero();
	}

	private static boolean netnsMounted() throws IOException {
		return Files.readString(Path.of("/proc/self/mountinfo")).contains(" /run/netns ");
	}

	private void assertClonesReachTheHost(List<Instance> clones) throws Exception {
		try (ServerSocket onTheBridge = new ServerSocket()) {
			onTheBridge.bind(new InetSocketAddress(InetAddress.getByName(GATEWAY), 0));
			for (Instance instance : clones) {
				PythonService.CommandOutput connect = PythonService.run("ip", "netns", "exec", instance.network().namespace(),
						RootOnly.python(), "-c", "import socket; socket.create_connection(('" + GATEWAY + "', "
								+ onTheBridge.getLocalPort() + "), 5).close()");
				assertThat(connect.exitCode()).as(instance.name() + " reaches the host: " + connect.output()).isZero();
			}
		}
	}

	@Test
	void restoresInTheHostsNamespacesOnTheOriginalPid() throws Exception {
		await().atMost(Duration.ofSeconds(10)).until(() -> new LocalHost().process(template.pid()).isEmpty());
		CseRun restore = cse("restore", template.dir().toString(), "--name", this.prefix, "--timeout", "30s");
		assertThat(restore.exitCode()).as(restore.toString()).isZero();
		assertThat(restore.out()).contains("pid       " + template.pid(), "address   127.0.0.1:" + template.port(),
				"instance  py-" + template.pid());
		URI root = URI.create("http://127.0.0.1:" + template.port() + "/");
		assertThat(PythonService.body(root)).contains("\"pid\": " + template.pid());
		assertThat(cse("ps").out())
			.containsPattern(this.prefix + " +restore +" + template.pid() + " +127\\.0\\.0\\.1:\\d+ +python-template +alive");

		// CRIU finds its kernel probe cached for this boot, whatever /run is on this host
		// (CRIU would have removed a cache it found stale).
		assertThat(Path.of("/run/criu.kdat")).isNotEmptyFile();
		if (!"tmpfs".equals(Files.getFileStore(Path.of("/run")).type())) {
			assertThat(Path.of("/run/criu.kdat.cse-stamp")).content()
				.startsWith(Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).strip() + " criu 4.");
		}

		CseRun taken = cse("restore", template.dir().toString(), "--name", this.prefix + "b");
		assertThat(taken.exitCode()).isEqualTo(6);
		assertThat(taken.err()).contains("PID " + template.pid() + " is still taken (by python3)");

		CseRun stop = cse("stop", this.prefix);
		assertThat(stop.exitCode()).as(stop.toString()).isZero();
		assertThat(new LocalHost().process(template.pid()).filter((process) -> !process.isZombie())).isEmpty();
		assertThat(PythonService.status(root)).isEqualTo(-1);
		assertThat(new Registry(this.state).list()).isEmpty();
	}

	@Test
	void restoresInNamespacesOfItsOwn() throws IOException {
		assertThat(cse("net", "up", "--bridge", BRIDGE, "--subnet", SUBNET).exitCode()).isZero();
		CseRun restore = cse("restore", template.dir().toString(), "--namespace", "--name", this.prefix, "--bridge",
				BRIDGE, "--timeout", "30s");
		assertThat(restore.exitCode()).as(restore.toString()).isZero();
		Instance instance = new Registry(this.state).find(this.prefix).orElseThrow();
		assertThat(instance.endpoint().address()).isEqualTo("10.199.250.10");
		assertThat(PythonService.body(URI.create("http://" + instance.endpoint().address() + ":" + template.port() + "/")))
			.contains("\"pid\": " + template.pid());
		assertThat(cse("stop", this.prefix).exitCode()).isZero();
		assertThat(cse("net", "down", "--bridge", BRIDGE).exitCode()).isZero();
	}

}
