package io.cse.node.linux;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.cse.node.CseException;
import io.cse.node.FakeHost;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * {@link Cgroup} and {@link CgroupVersion} on a {@link FakeHost} laid out as a cgroup v2
 * host, a cgroup v1 host, a hybrid one, and hosts cse cannot use. The root is not
 * {@code /sys/fs/cgroup}, so that nothing here depends on where it is mounted.
 */
class CgroupTests {

	private static final Path ROOT = Path.of("/mnt/cgroup");

	private static final Path GROUP = ROOT.resolve("cse/app");

	private static final Duration TIMEOUT = Duration.ofSeconds(5);

	private static final long MB = 1024 * 1024;

	private final FakeHost host = new FakeHost();

	private FakeHost unified(String controllers) {
		return this.host.withDirectory(ROOT)
			.withFile(ROOT.resolve("cgroup.controllers"), controllers + "\n")
			.withFile(ROOT.resolve("cgroup.subtree_control"), "cpu\n")
			.withFile(ROOT.resolve("cgroup.procs"), "1\n");
	}

	private FakeHost v1(String... hierarchies) {
		this.host.withDirectory(ROOT);
		for (String hierarchy : hierarchies) {
			this.host.withDirectory(ROOT.resolve(hierarchy)).withFile(ROOT.resolve(hierarchy).resolve("cgroup.procs"),
					"1\n");
		}
		return this.host;
	}

	private Cgroup createdV2() {
		unified("cpu io memory pids");
		Cgroup cgroup = Cgroup.of(this.host, ROOT, "app");
		cgroup.create();
		return cgroup;
	}

	@Test
	void aUnifiedHierarchyWithTheMemoryControllerIsV2() {
		unified("cpu io memory pids");
		assertThat(CgroupVersion.detect(this.host, ROOT)).isEqualTo(CgroupVersion.V2);
		Cgroup cgroup = Cgroup.of(this.host, ROOT, "app");
		assertThat(cgroup.version()).isEqualTo(CgroupVersion.V2);
		assertThat(cgroup.freezer()).isEqualTo(GROUP);
		assertThat(cgroup.memory()).isEqualTo(GROUP);
		assertThat(cgroup).hasToString(GROUP.toString());
	}

	@Test
	void theV1HierarchiesAreUsedWhereTheyExistEvenBesideAUnifiedOne() {
		v1("freezer", "memory", "unified").withFile(ROOT.resolve("unified/cgroup.controllers"), "\n");
		Cgroup cgroup = Cgroup.of(this.host, ROOT, "app");
		assertThat(cgroup.version()).isEqualTo(CgroupVersion.V1);
		assertThat(cgroup.freezer()).isEqualTo(ROOT.resolve("freezer/cse/app"));
		assertThat(cgroup.memory()).isEqualTo(ROOT.resolve("memory/cse/app"));
	}

	@Test
	void aUnifiedHierarchyWithoutTheMemoryControllerIsRefusedSayingSo() {
		unified("cpu io pids");
		assertThatExceptionOfType(CseException.class).isThrownBy(() -> Cgroup.of(this.host, ROOT, "app"))
			.withMessageContaining("unified cgroup v2 hierarchy at " + ROOT + " has no 'memory' controller")
			.withMessageContaining("cgroup.controllers: 'cpu io pids'");
	}

	@Test
	void aHostWithNeitherSaysWhatIsMissing() {
		v1("freezer", "unified").withFile(ROOT.resolve("unified/cgroup.controllers"), "\n");
		assertThatExceptionOfType(CseException.class).isThrownBy(() -> CgroupVersion.detect(this.host, ROOT))
			.withMessageContaining("no cgroup hierarchy cse can drive")
			.withMessageContaining(ROOT + " is not a cgroup v2 mount")
			.withMessageContaining("no cgroup v1 'memory' hierarchy at " + ROOT.resolve("memory"))
			.withMessageNotContaining("'freezer' hierarchy")
			.withMessageContaining("holds no controllers")
			.withMessageContaining("mount -t cgroup");
		assertThat(this.host.writes()).isEmpty();
	}

	@Test
	void theSameFolderTwiceIsAV2Group() {
		assertThat(new Cgroup(this.host, GROUP, GROUP).version()).isEqualTo(CgroupVersion.V2);
		assertThat(new Cgroup(this.host, ROOT.resolve("freezer/cse/app"), ROOT.resolve("memory/cse/app")).version())
			.isEqualTo(CgroupVersion.V1);
	}

	@Test
	void createEnablesTheMemoryControllerOnTheWayDown() {
		Cgroup cgroup = createdV2();
		assertThat(this.host.writes()).containsExactly(ROOT.resolve("cgroup.subtree_control") + " <- +memory",
				ROOT.resolve("cse/cgroup.subtree_control") + " <- +memory");
		assertThat(this.host.directories()).contains(ROOT.resolve("cse"), GROUP);
		assertThat(cgroup.exists()).isTrue();
		assertThat(cgroup.state()).isEqualTo(Cgroup.THAWED);
		assertThat(cgroup.usage()).hasValue(200 * MB);
		assertThat(cgroup.limit()).hasValue(Cgroup.UNLIMITED);
	}

	@Test
	void createWritesNoControllerThatIsOnAlready() {
		unified("cpu memory").withFile(ROOT.resolve("cgroup.subtree_control"), "cpu memory\n");
		Cgroup.of(this.host, ROOT, "app").create();
		assertThat(this.host.writes()).containsExactly(ROOT.resolve("cse/cgroup.subtree_control") + " <- +memory");
	}

	@Test
	void createRefusesAGroupThatExistsAlready() {
		unified("memory").withDirectory(ROOT.resolve("cse")).withDirectory(GROUP);
		Cgroup cgroup = Cgroup.of(this.host, ROOT, "app");
		assertThatExceptionOfType(CseException.class).isThrownBy(cgroup::create)
			.withMessageContaining("cgroup " + GROUP + " exists already")
			.withMessageContaining("rmdir " + GROUP);
		assertThat(this.host.directories()).contains(GROUP);
		assertThat(this.host.writes()).isEmpty();
	}

	@Test
	void aKernelWithoutTheV2FreezerIsRefusedAndLeavesNoGroup() {
		unified("memory");
		this.host.withoutCgroupV2Freezer();
		Cgroup cgroup = Cgroup.of(this.host, ROOT, "app");
		assertThatExceptionOfType(CseException.class).isThrownBy(cgroup::create)
			.withMessageContaining("cgroup " + GROUP + " has no cgroup.freeze")
			.withMessageContaining("Linux 5.2");
		assertThat(this.host.directories()).doesNotContain(GROUP, ROOT.resolve("cse"));
	}

	@Test
	void wrapEntersTheOneGroup() {
		Cgroup cgroup = createdV2();
		assertThat(cgroup.wrap(List.of("java", "-jar", "app.jar"))).containsExactly("sh", "-c",
				"echo $$ > \"$1/cgroup.procs\" && shift && exec \"$@\"", "cse-run", GROUP.toString(), "java", "-jar",
				"app.jar");
		long pid = this.host.start(cgroup.wrap(List.of("java", "-jar", "app.jar")), Path.of("/dev/null"));
		assertThat(cgroup.pids()).containsExactly(pid);
	}

	@Test
	void freezeAndThawWaitForCgroupEvents() {
		Cgroup cgroup = createdV2();
		cgroup.freeze(TIMEOUT);
		assertThat(this.host.file(GROUP.resolve("cgroup.events")).orElseThrow()).contains("frozen 1");
		assertThat(cgroup.state()).isEqualTo(Cgroup.FROZEN);
		cgroup.thaw(TIMEOUT);
		assertThat(cgroup.state()).isEqualTo(Cgroup.THAWED);
		assertThat(this.host.writes()).endsWith(GROUP.resolve("cgroup.freeze") + " <- 1",
				GROUP.resolve("cgroup.freeze") + " <- 0");
	}

	@Test
	void aGroupThatDoesNotFreezeInTimeIsThawedAgain() {
		Cgroup cgroup = createdV2();
		this.host.freezerStuck();
		assertThatExceptionOfType(CseException.class).isThrownBy(() -> cgroup.freeze(Duration.ofMillis(50)))
			.withMessageContaining("cgroup " + GROUP + " did not freeze within 50 ms (state FREEZING");
		assertThat(this.host.writes()).endsWith(GROUP.resolve("cgroup.freeze") + " <- 1",
				GROUP.resolve("cgroup.freeze") + " <- 0");
		assertThat(this.host.file(GROUP.resolve("cgroup.freeze"))).hasValue("0");
	}

	@Test
	void aLowerLimitIsMemoryHighAndMaxLiftsIt() {
		Cgroup cgroup = createdV2();
		cgroup.limit(50 * MB);
		assertThat(cgroup.limit()).hasValue(50 * MB);
		assertThat(cgroup.usage()).hasValue(50 * MB);
		assertThat(this.host.file(GROUP.resolve("memory.max"))).hasValue("max\n");
		cgroup.limit(Cgroup.UNLIMITED);
		assertThat(this.host.file(GROUP.resolve("memory.high"))).hasValue("max");
		assertThat(cgroup.limit()).hasValue(Cgroup.UNLIMITED);
	}

	@Test
	void aLimitTheKernelCannotReachIsRefusedAndThePreviousOnePutBack() {
		Cgroup cgroup = createdV2();
		this.host.unreclaimable(30 * MB);
		cgroup.limit(60 * MB);
		assertThatExceptionOfType(CseException.class).isThrownBy(() -> cgroup.limit(20 * MB))
			.withMessageContaining("could not get cgroup " + GROUP + " under " + 20 * MB + " bytes")
			.withMessageContaining("the limit stays " + 60 * MB);
		assertThat(cgroup.limit()).hasValue(60 * MB);
		assertThat(this.host.writes()).endsWith(GROUP.resolve("memory.high") + " <- " + 20 * MB,
				GROUP.resolve("memory.high") + " <- " + 60 * MB);
	}

	@Test
	void removeTakesTheParentAlongOnceEmpty() {
		Cgroup cgroup = createdV2();
		Cgroup other = Cgroup.of(this.host, ROOT, "other");
		other.create();
		assertThat(cgroup.remove()).isTrue();
		assertThat(this.host.directories()).contains(ROOT.resolve("cse")).doesNotContain(GROUP);
		assertThat(cgroup.exists()).isFalse();
		assertThat(cgroup.state()).isEqualTo("GONE");
		assertThat(cgroup.usage()).isEmpty();
		assertThat(other.remove()).isTrue();
		assertThat(this.host.directories()).doesNotContain(ROOT.resolve("cse"));
	}

	@Test
	void aGroupWithProcessesStays() {
		Cgroup cgroup = createdV2();
		this.host.start(cgroup.wrap(List.of("java")), Path.of("/dev/null"));
		assertThat(this.host.file(GROUP.resolve("cgroup.events")).orElseThrow()).contains("populated 1");
		assertThat(cgroup.remove()).isFalse();
		assertThat(cgroup.exists()).isTrue();
	}

}
