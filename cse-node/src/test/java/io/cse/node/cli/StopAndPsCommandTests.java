package io.cse.node.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.cse.node.CseRun;
import io.cse.node.FakeHost;
import io.cse.node.FakeProbe;
import io.cse.node.TestImages;
import io.cse.node.instance.Instance;
import io.cse.node.instance.NodeContext;
import io.cse.node.instance.Registry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code cse ps}, {@code cse stop} and {@code cse net} on a {@link FakeHost}.
 */
class StopAndPsCommandTests {

	@TempDir
	Path temp;

	private final FakeHost host = new FakeHost();

	private Path image;

	@BeforeEach
	void image() throws IOException {
		this.image = TestImages.template(this.temp, "tpl-1", 4242, 8080);
	}

	private CseRun cse(String... args) {
		List<String> all = new ArrayList<>(List.of(args));
		all.addAll(List.of("--state-dir", this.temp.resolve("state").toString()));
		return CseRun.of(new NodeContext(this.host, new FakeProbe()), all.toArray(String[]::new));
	}

	@Test
	void psShowsAliveAndDeadInstances() {
		assertThat(cse("clone", this.image.toString(), "--count", "2", "--name-prefix", "t").exitCode()).isZero();
		Instance second = new Registry(this.temp.resolve("state")).find("t-2").orElseThrow();
		this.host.killExternally(second.process().pid());
		CseRun ps = cse("ps");
		assertThat(ps.exitCode()).isZero();
		assertThat(ps.out().lines().toList()).hasSize(3);
		assertThat(ps.out()).containsPattern("NAME +KIND +PID +ADDRESS +IMAGE +STATE")
			.containsPattern("t-1 +clone +\\d+ +10\\.199\\.0\\.10:8080 +tpl-1 +alive")
			.containsPattern("t-2 +clone +\\d+ +10\\.199\\.0\\.11:8080 +tpl-1 +dead");
	}

	@Test
	void psWithoutInstances() {
		CseRun ps = cse("ps");
		assertThat(ps.exitCode()).isZero();
		assertThat(ps.out()).startsWith("No instances");
	}

	@Test
	void stopAllLeavesNothing() {
		assertThat(cse("clone", this.image.toString(), "--count", "3", "--name-prefix", "t").exitCode()).isZero();
		CseRun stop = cse("stop", "--all", "--purge");
		assertThat(stop.exitCode()).as(stop.toString()).isZero();
		assertThat(stop.out()).contains("Stopped t-1", "Stopped t-2", "Stopped t-3").doesNotContain("logs are kept");
		assertThat(this.host.namespaces()).isEmpty();
		assertThat(this.host.links()).containsExactly("cse0");
		assertThat(this.host.livePids()).isEmpty();
		assertThat(new Registry(this.temp.resolve("state")).list()).isEmpty();
		assertThat(this.temp.resolve("state/logs/t-1")).doesNotExist();
	}

	@Test
	void stopKeepsTheLogsUnlessAskedToPurgeThem() throws IOException {
		assertThat(cse("clone", this.image.toString(), "--count", "2", "--name-prefix", "t").exitCode()).isZero();
		Path logs = this.temp.resolve("state/logs/t-1");
		Files.writeString(logs.resolve("service.log"), "why it stopped");
		CseRun stop = cse("stop", "t-1");
		assertThat(stop.exitCode()).as(stop.toString()).isZero();
		assertThat(stop.out()).contains("Stopped t-1; its logs are kept in " + logs);
		assertThat(logs.resolve("service.log")).hasContent("why it stopped");
		assertThat(cse("stop", "t-2", "--purge").exitCode()).isZero();
		assertThat(this.temp.resolve("state/logs/t-2")).doesNotExist();
	}

	@Test
	void stopAsksTheServiceFirst() {
		assertThat(cse("clone", this.image.toString(), "--count", "1", "--name-prefix", "t").exitCode()).isZero();
		Instance clone = new Registry(this.temp.resolve("state")).find("t-1").orElseThrow();
		long service = this.host.children(clone.process().pid()).get(0);
		assertThat(cse("stop", "t-1").exitCode()).isZero();
		assertThat(this.host.commandLines()).contains("kill -s TERM " + service)
			.doesNotContain("kill -s KILL " + clone.process().pid());
	}

	@Test
	void stopIsIdempotentOnDeadInstances() {
		assertThat(cse("clone", this.image.toString(), "--count", "1", "--name-prefix", "t").exitCode()).isZero();
		Instance clone = new Registry(this.temp.resolve("state")).find("t-1").orElseThrow();
		this.host.killExternally(clone.process().pid());
		// Half of it is gone already: the namespace, but not the veth pair.
		this.host.run(List.of("ip", "netns", "del", "cse-t-1"));
		this.host.run(List.of("ip", "link", "add", "cse0v10", "type", "veth", "peer", "name", "eth0", "netns",
				"cse-t-1"));
		CseRun stop = cse("stop", "t-1");
		assertThat(stop.exitCode()).as(stop.toString()).isZero();
		assertThat(stop.out()).contains("Stopped t-1 (it was dead already)");
		assertThat(this.host.namespaces()).isEmpty();
		assertThat(new Registry(this.temp.resolve("state")).list()).isEmpty();
	}

	@Test
	void stopNeverSignalsAProcessThatReusedThePid() {
		assertThat(cse("restore", this.image.toString(), "--name", "web").exitCode()).isZero();
		this.host.killExternally(4242);
		// another process now has pid 4242, with another start time
		Registry registry = new Registry(this.temp.resolve("state"));
		Instance web = registry.find("web").orElseThrow();
		assertThat(web.process().startTicks()).isEqualTo(42420);
		registry.save(web.withProcess(new Instance.ProcessId(4242, 7)));
		this.host.withProcess(4242, "bash");
		assertThat(cse("stop", "web").exitCode()).isZero();
		assertThat(this.host.commandLines()).noneMatch((line) -> line.startsWith("kill"));
		assertThat(this.host.livePids()).contains(4242L);
	}

	@Test
	void stopOfAnUnknownNameFails() {
		CseRun stop = cse("stop", "nobody");
		assertThat(stop.exitCode()).isEqualTo(3);
		assertThat(stop.err()).contains("no instance named nobody (see 'cse ps')");
	}

	@Test
	void stopNeedsRoot() {
		this.host.root(false);
		CseRun stop = cse("stop", "--all");
		assertThat(stop.exitCode()).isEqualTo(5);
		assertThat(stop.err()).contains("run as root");
	}

	@Test
	void netUpAndDown() {
		CseRun up = cse("net", "up");
		assertThat(up.exitCode()).as(up.toString()).isZero();
		assertThat(up.out()).contains("Bridge cse0 is up with 10.199.0.1/24 (created)");
		assertThat(cse("net", "up").out()).contains("it was there already");
		assertThat(this.host.links()).containsExactly("cse0");
		CseRun down = cse("net", "down");
		assertThat(down.exitCode()).as(down.toString()).isZero();
		assertThat(this.host.links()).isEmpty();
		assertThat(cse("net", "down").out()).contains("No bridge cse0");
	}

	@Test
	void netUpWithAnotherSubnet() {
		CseRun up = cse("net", "up", "--subnet", "10.198.0.0/24");
		assertThat(up.out()).contains("10.198.0.1/24");
		assertThat(cse("clone", this.image.toString(), "--count", "1", "--name-prefix", "t").exitCode()).isZero();
		assertThat(new Registry(this.temp.resolve("state")).find("t-1").orElseThrow().endpoint().address())
			.isEqualTo("10.198.0.10");
	}

	@Test
	void netDownRefusesWhileClonesRun() {
		assertThat(cse("clone", this.image.toString(), "--count", "2", "--name-prefix", "t").exitCode()).isZero();
		CseRun down = cse("net", "down");
		assertThat(down.exitCode()).isEqualTo(6);
		assertThat(down.err()).contains("bridge cse0 is used by 2 instances (t-1, t-2)", "cse stop --all");
		assertThat(this.host.links()).contains("cse0");
	}

	@Test
	void netDownRefusesWhileInterfacesUnknownToTheRegistryHangOnTheBridge() {
		assertThat(cse("net", "up").exitCode()).isZero();
		this.host.run(List.of("ip", "netns", "add", "other"));
		this.host.run(List.of("ip", "link", "add", "cse0v99", "type", "veth", "peer", "name", "eth0", "netns", "other"));
		this.host.run(List.of("ip", "link", "set", "dev", "cse0v99", "master", "cse0"));
		CseRun down = cse("net", "down");
		assertThat(down.exitCode()).isEqualTo(1);
		assertThat(down.err()).contains("still has interfaces attached (cse0v99)");
	}

}
