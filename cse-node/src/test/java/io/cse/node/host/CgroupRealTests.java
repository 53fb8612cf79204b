package io.cse.node.host;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.cse.node.linux.Cgroup;
import io.cse.node.linux.CgroupVersion;
import io.cse.node.linux.LocalHost;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The cgroups of this kernel, driven by {@link Cgroup} with a {@code sleep} in them: the
 * groups {@code cse run} would use on this host, and a cgroup v2 group: on a v2 host the
 * one {@code cse run} would use, on a hybrid host (v1 controllers) a group of the empty
 * hierarchy at {@code /sys/fs/cgroup/unified}, which freezes the same way but has no
 * {@code memory} files. Needs root.
 */
@Timeout(30)
class CgroupRealTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	@TempDir
	Path logs;

	@Test
	void aProcessInTheGroupsOfThisHostIsFrozenSqueezedThawedAndTheGroupsRemoved() throws Exception {
		LocalHost host = new LocalHost();
		assumeTrue(host.isRoot(), "needs root");
		Cgroup cgroup = Cgroup.of(host, "realtest" + ProcessHandle.current().pid());
		cgroup.create();
		long pid = host.start(cgroup.wrap(List.of("sleep", "60")), this.logs.resolve("sleep.log"));
		try {
			await().atMost(TIMEOUT).until(() -> cgroup.pids().contains(pid));
			assertThat(Files.readString(cgroup.memory().resolve("cgroup.procs"))).contains(Long.toString(pid));
			cgroup.freeze(TIMEOUT);
			assertThat(cgroup.state()).isEqualTo(Cgroup.FROZEN);
			long limit = cgroup.limit().orElseThrow();
			long charged = cgroup.usage().orElseThrow();
			assertThat(charged).isPositive();
			// a limit above what is charged: the kernel takes it at once, on either version
			cgroup.limit(charged + 64L * 1024 * 1024);
			assertThat(cgroup.limit()).hasValue(charged + 64L * 1024 * 1024);
			cgroup.limit(limit);
			cgroup.thaw(TIMEOUT);
			assertThat(cgroup.state()).isEqualTo(Cgroup.THAWED);
		}
		finally {
			host.run(List.of("kill", "-s", "KILL", Long.toString(pid)));
			await().atMost(TIMEOUT).until(cgroup::remove);
		}
		assertThat(cgroup.exists()).isFalse();
	}

	@Test
	void aProcessInAV2GroupIsFrozenAndThawedAndTheGroupRemoved() throws Exception {
		LocalHost host = new LocalHost();
		assumeTrue(host.isRoot(), "needs root");
		Path unified = Cgroup.ROOT.resolve("unified");
		boolean v2Host = Files.exists(Cgroup.ROOT.resolve("cgroup.controllers"))
				&& Cgroup.requireUsable(host) == CgroupVersion.V2;
		assumeTrue(v2Host || Files.exists(unified.resolve("cgroup.procs")), "needs a cgroup v2 hierarchy");
		String name = "v2test" + ProcessHandle.current().pid();
		Cgroup cgroup;
		if (v2Host) {
			cgroup = Cgroup.of(host, name);
			cgroup.create();
		}
		else {
			Path group = unified.resolve(Cgroup.PARENT).resolve(name);
			host.createDirectory(group.getParent());
			host.createDirectory(group);
			cgroup = new Cgroup(host, group, group);
		}
		assertThat(cgroup.version()).isEqualTo(CgroupVersion.V2);
		long pid = host.start(cgroup.wrap(List.of("sleep", "60")), this.logs.resolve("sleep.log"));
		try {
			await().atMost(TIMEOUT).until(() -> cgroup.pids().contains(pid));
			cgroup.freeze(TIMEOUT);
			assertThat(Files.readString(cgroup.freezer().resolve("cgroup.events"))).contains("frozen 1");
			assertThat(cgroup.state()).isEqualTo(Cgroup.FROZEN);
			cgroup.thaw(TIMEOUT);
			assertThat(Files.readString(cgroup.freezer().resolve("cgroup.events"))).contains("frozen 0");
			assertThat(cgroup.state()).isEqualTo(Cgroup.THAWED);
			if (v2Host) {
				assertThat(cgroup.usage()).isPresent();
				assertThat(cgroup.limit()).hasValue(Cgroup.UNLIMITED);
			}
		}
		finally {
			host.run(List.of("kill", "-s", "KILL", Long.toString(pid)));
			await().atMost(TIMEOUT).until(cgroup::remove);
		}
		assertThat(cgroup.exists()).isFalse();
	}

}
