package io.cse.node.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.cse.node.CseRun;
import io.cse.node.FakeHost;
import io.cse.node.FakeProbe;
import io.cse.node.TestImages;
import io.cse.node.instance.Instance;
import io.cse.node.instance.NodeContext;
import io.cse.node.instance.Registry;
import io.cse.snapshot.ImageManifest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code cse clone} on a {@link FakeHost}.
 */
class CloneCommandTests {

	@TempDir
	Path temp;

	private final FakeHost host = new FakeHost();

	private final FakeProbe probe = new FakeProbe();

	private Path image;

	@BeforeEach
	void image() throws IOException {
		this.image = TestImages.template(this.temp, "tpl-1", 4242, 8080);
	}

	private CseRun cse(String... args) {
		List<String> all = new ArrayList<>(List.of(args));
		all.addAll(List.of("--state-dir", this.temp.resolve("state").toString()));
		return CseRun.of(new NodeContext(this.host, this.probe), all.toArray(String[]::new));
	}

	private Registry registry() {
		return new Registry(this.temp.resolve("state"));
	}

	@Test
	void oneCloneGetsNamespacesAVethAndAnAttachedRestore() {
		CseRun run = cse("clone", this.image.toString(), "--count", "1", "--name-prefix", "t");
		assertThat(run.exitCode()).as(run.toString()).isZero();
		String workDir = this.temp.resolve("state/logs/t-1").toAbsolutePath().toString();
		assertThat(this.host.commandLines()).containsSubsequence("ip link add name cse0 type bridge",
				"ip addr add 10.199.0.1/24 dev cse0", "ip link set dev cse0 up", "ip netns add cse-t-1",
				"ip link add cse0v10 type veth peer name eth0 netns cse-t-1", "ip link set dev cse0v10 master cse0",
				"ip link set dev cse0v10 up", "ip -n cse-t-1 link set dev lo up",
				"ip -n cse-t-1 addr add 10.199.0.10/24 dev eth0", "ip -n cse-t-1 link set dev eth0 up",
				"ip -n cse-t-1 route add default via 10.199.0.1",
				"setsid nsenter --net=/run/netns/cse-t-1 -- unshare --pid --fork --kill-child --mount-proc /opt/cse/criu/bin/criu "
						+ "restore -D " + this.image.toAbsolutePath() + " --shell-job --tcp-close --manage-cgroups=ignore --work-dir "
						+ workDir + " -o restore.log");
		assertThat(this.host.commandLines()).noneMatch((line) -> line.contains("--restore-detached"));
		Instance clone = registry().find("t-1").orElseThrow();
		assertThat(clone.kind()).isEqualTo(Instance.Kind.CLONE);
		assertThat(clone.endpoint().address()).isEqualTo("10.199.0.10");
		assertThat(clone.state()).isEqualTo(Instance.State.RUNNING);
		assertThat(clone.instanceId()).isEqualTo("id-10.199.0.10");
		// the pid shown is the namespace's init (the launcher's child), not the launcher
		assertThat(clone.process().pid()).isEqualTo(clone.launcher().pid() + 1);
		assertThat(run.out()).contains("t-1", "10.199.0.10:8080", Long.toString(clone.process().pid()), "id-10.199.0.10",
				"1 clone of image tpl-1 answer 200");
	}

	@Test
	void clonesOfAnImageThatCarriesAnEndpointTokenAreCalledWithItAndItGoesWithThem() throws IOException {
		Path withToken = TestImages.withEndpointToken(this.temp, "tpl-token", 4242, 8080, "t0ken-of-the-template");
		CseRun run = cse("clone", withToken.toString(), "--count", "2", "--name-prefix", "t");
		assertThat(run.exitCode()).as(run.toString()).isZero();
		assertThat(registry().endpointToken("t-1")).isEqualTo("t0ken-of-the-template");
		assertThat(registry().endpointToken("t-2")).isEqualTo("t0ken-of-the-template");
		// Only the endpoint gets the token; the health path (here /) gets none
		assertThat(this.probe.gets()).contains("10.199.0.10:8080/ none",
				"10.199.0.10:8080/actuator/cse t0ken-of-the-template", "10.199.0.11:8080/actuator/cse t0ken-of-the-template");
		assertThat(cse("stop", "--all").exitCode()).isZero();
		assertThat(this.temp.resolve("state/tokens/t-1")).doesNotExist();
		assertThat(this.temp.resolve("state/tokens/t-2")).doesNotExist();
	}

	@Test
	void clonesOfAServiceWithAManagementPortAreProbedAndCalledThere() throws IOException {
		Path managed = TestImages.write(this.temp, "tpl-managed", ImageManifest.Kind.TEMPLATE, 4242,
				new ImageManifest.Application("hello-web", 8080, "/manage/actuator/health", 9090, 9090,
						"/manage/actuator/cse"));
		CseRun run = cse("clone", managed.toString(), "--count", "1", "--name-prefix", "t");
		assertThat(run.exitCode()).as(run.toString()).isZero();
		assertThat(this.probe.gets()).containsExactly("10.199.0.10:9090/manage/actuator/health none",
				"10.199.0.10:9090/manage/actuator/cse none");
		Instance clone = registry().find("t-1").orElseThrow();
		assertThat(clone.endpoint().port()).as("the application's port, as ps shows it").isEqualTo(8080);
		assertThat(clone.instanceId()).isEqualTo("id-10.199.0.10");
	}

	@Test
	void anImageWhoseTokenWasChangedIsNotRestored() throws IOException {
		Path withToken = TestImages.withEndpointToken(this.temp, "tpl-token", 4242, 8080, "t0ken-of-the-template");
		Files.writeString(withToken.resolve("endpoint-token"), "a-token-of-someone-else\n");
		CseRun run = cse("clone", withToken.toString(), "--count", "1", "--name-prefix", "t");
		assertThat(run.exitCode()).isEqualTo(6);
		assertThat(run.err()).contains("endpoint-token");
		assertNothingLeft();
	}

	@Test
	void stopDeletesNoInterfaceOrNamespaceThatAChangedEntryNames() throws IOException {
		assertThat(cse("clone", this.image.toString(), "--count", "1", "--name-prefix", "t").exitCode()).isZero();
		Path entry = this.temp.resolve("state/instances/t-1.json");
		Files.writeString(entry, Files.readString(entry)
			.replace("\"cse0v10\"", "\"enp0s3\"")
			.replace("\"cse-t-1\"", "\"--all\""));
		assertThat(cse("stop", "t-1").exitCode()).isZero();
		assertThat(this.host.commandLines()).noneMatch((line) -> line.contains("enp0s3") || line.contains("--all"))
			.contains("ip netns del cse-t-1");
		assertThat(this.host.namespaces()).isEmpty();
	}

	@Test
	void clonesGetTheLowestFreeAddressesAcrossCommands() {
		assertThat(cse("clone", this.image.toString(), "--count", "3", "--name-prefix", "t").exitCode()).isZero();
		assertThat(cse("clone", this.image.toString(), "--count", "2", "--name-prefix", "t").exitCode()).isZero();
		assertThat(registry().list()).extracting(Instance::name, (instance) -> instance.endpoint().address())
			.containsExactly(org.assertj.core.groups.Tuple.tuple("t-1", "10.199.0.10"),
					org.assertj.core.groups.Tuple.tuple("t-2", "10.199.0.11"),
					org.assertj.core.groups.Tuple.tuple("t-3", "10.199.0.12"),
					org.assertj.core.groups.Tuple.tuple("t-4", "10.199.0.13"),
					org.assertj.core.groups.Tuple.tuple("t-5", "10.199.0.14"));
		assertThat(cse("stop", "t-2").exitCode()).isZero();
		assertThat(cse("clone", this.image.toString(), "--count", "1", "--name-prefix", "u").exitCode()).isZero();
		assertThat(registry().find("u-1").orElseThrow().endpoint().address()).isEqualTo("10.199.0.11");
		assertThat(this.host.namespaces()).hasSize(5);
	}

	@Test
	void concurrentCloneCommandsNeverCollide() throws Exception {
		ExecutorService executor = Executors.newFixedThreadPool(3);
		CountDownLatch start = new CountDownLatch(1);
		try {
			List<Future<CseRun>> runs = new ArrayList<>();
			for (String prefix : List.of("a", "b", "c")) {
				Callable<CseRun> clone = () -> {
					start.await();
					return cse("clone", this.image.toString(), "--count", "4", "--name-prefix", prefix);
				};
				runs.add(executor.submit(clone));
			}
			start.countDown();
			for (Future<CseRun> run : runs) {
				assertThat(run.get().exitCode()).as(run.get().toString()).isZero();
			}
		}
		finally {
			executor.shutdownNow();
		}
		List<Instance> clones = registry().list();
		assertThat(clones).hasSize(12);
		assertThat(clones).extracting((instance) -> instance.endpoint().address()).doesNotHaveDuplicates();
		assertThat(clones).extracting((instance) -> instance.network().hostInterface()).doesNotHaveDuplicates();
		assertThat(this.host.namespaces()).hasSize(12);
	}

	@Test
	void whenTheSecondOfThreeFailsEverythingIsUndone() {
		this.host.failing((command) -> String.join(" ", command).startsWith("ip -n cse-t-2 addr add"));
		CseRun run = cse("clone", this.image.toString(), "--count", "3", "--name-prefix", "t", "--parallel", "3");
		assertThat(run.exitCode()).isEqualTo(1);
		assertThat(run.err()).contains("clone 2 of 3 (t-2) failed: could not give cse-t-2 the address 10.199.0.11",
				"stopped the other instances this command started and removed everything they used");
		assertNothingLeft();
	}

	@Test
	void whenTheSecondOfThreeFailsInSequenceTheFirstIsStoppedAndTheThirdNeverStarts() {
		this.host.failing((command) -> String.join(" ", command).startsWith("ip -n cse-t-2 addr add"));
		CseRun run = cse("clone", this.image.toString(), "--count", "3", "--name-prefix", "t", "--parallel", "1");
		assertThat(run.exitCode()).isEqualTo(1);
		assertThat(this.host.commandLines()).contains("ip netns del cse-t-1")
			.noneMatch((line) -> line.equals("ip netns add cse-t-3"));
		assertNothingLeft();
	}

	@Test
	void whenCriuFailsInTheSecondCloneItsLogIsQuoted() {
		this.host.failingStarts((command) -> command.contains("--net=/run/netns/cse-t-2"));
		CseRun run = cse("clone", this.image.toString(), "--count", "3", "--name-prefix", "t");
		assertThat(run.exitCode()).isEqualTo(1);
		assertThat(run.err()).contains("clone 2 of 3 (t-2) failed", "Restoring FAILED (injected)");
		assertNothingLeft();
	}

	@Test
	void whenAClonesNeverAnswersItTimesOutAndAllAreUndone() {
		this.probe.silent("10.199.0.12");
		CseRun run = cse("clone", this.image.toString(), "--count", "3", "--name-prefix", "t", "--timeout", "200ms");
		assertThat(run.exitCode()).isEqualTo(1);
		assertThat(run.err()).contains("clone 3 of 3 (t-3) failed: t-3 did not answer 200 on http://10.199.0.12:8080/");
		assertNothingLeft();
	}

	@Test
	void aBridgeThatWasThereStaysAfterAFailure() {
		this.host.withBridge("cse0", "10.199.0.1/24");
		this.host.failingStarts((command) -> command.contains("--net=/run/netns/cse-t-1"));
		assertThat(cse("clone", this.image.toString(), "--count", "1", "--name-prefix", "t").exitCode()).isEqualTo(1);
		assertThat(this.host.links()).containsExactly("cse0");
		assertThat(this.host.namespaces()).isEmpty();
	}

	@Test
	void refusesToCloneADumpOfOneInstance() throws IOException {
		Path dump = TestImages.write(this.temp, "dump-1", ImageManifest.Kind.DUMP, 4242, 8080, "/");
		CseRun run = cse("clone", dump.toString(), "--count", "2");
		assertThat(run.exitCode()).isEqualTo(1);
		assertThat(run.err()).contains("is a dump of one instance (kind 'dump')", "cse restore");
		assertThat(this.host.commandLines()).noneMatch((line) -> line.startsWith("ip "));
	}

	@Test
	void refusesAnIncompleteImage() throws IOException {
		Path incomplete = TestImages.incomplete(this.temp, "tpl-2");
		CseRun run = cse("clone", incomplete.toString(), "--count", "2");
		assertThat(run.exitCode()).isEqualTo(6);
		assertThat(run.err()).contains("image tpl-2 is incomplete (no manifest.json): its dump did not finish; delete it");
		assertNothingLeft();
	}

	@Test
	void neverTakesANamespaceOrInterfaceItDidNotMake() {
		// left by a crash, or by the instances of another state folder
		this.host.run(List.of("ip", "link", "add", "name", "cse0", "type", "bridge"));
		this.host.run(List.of("ip", "addr", "add", "10.199.0.1/24", "dev", "cse0"));
		this.host.run(List.of("ip", "netns", "add", "cse-t-1"));
		this.host.run(List.of("ip", "link", "add", "cse0v10", "type", "veth", "peer", "name", "eth0", "netns",
				"cse-t-1"));
		CseRun run = cse("clone", this.image.toString(), "--count", "1", "--name-prefix", "t");
		assertThat(run.exitCode()).as(run.toString()).isZero();
		Instance clone = registry().list().get(0);
		assertThat(clone.name()).isEqualTo("t-2");
		assertThat(clone.endpoint().address()).isEqualTo("10.199.0.11");
		assertThat(cse("stop", "--all").exitCode()).isZero();
		assertThat(this.host.namespaces()).containsExactly("cse-t-1");
		assertThat(this.host.links()).contains("cse0v10");
		CseRun named = cse("restore", this.image.toString(), "--namespace", "--name", "t-1");
		assertThat(named.exitCode()).isEqualTo(6);
		assertThat(named.err()).contains("network namespace cse-t-1 exists already", "ip netns del cse-t-1");
		assertThat(this.host.namespaces()).containsExactly("cse-t-1");
	}

	private void assertNothingLeft() {
		assertThat(this.host.namespaces()).as("network namespaces").isEmpty();
		assertThat(this.host.links()).as("links (bridge created by the command, veth pairs)").isEmpty();
		assertThat(this.host.livePids()).as("processes").isEmpty();
		assertThat(registry().list()).as("registry").isEmpty();
	}

}
