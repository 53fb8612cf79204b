package io.cse.node.linux;

import java.nio.file.Path;
import java.util.List;

import io.cse.node.CseException;
import io.cse.node.FakeHost;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CriuTests {

	@Test
	void usesTheInstalledWrapperFirst() {
		FakeHost host = new FakeHost().withExecutable("criu");
		Criu criu = Criu.locate(host, null);
		assertThat(criu.executable()).isEqualTo(Criu.DEFAULT_PATH);
		assertThat(criu.version()).isEqualTo("4.2.1");
		assertThat(host.commandLines()).containsExactly("/opt/cse/criu/bin/criu --version");
	}

	@Test
	void fallsBackToCriuOnPath() {
		FakeHost host = new FakeHost().withoutExecutable("/opt/cse/criu/bin/criu").withExecutable("criu");
		assertThat(Criu.locate(host, null).executable()).isEqualTo(Path.of("criu"));
	}

	@Test
	void saysHowToInstallWhenMissing() {
		FakeHost host = new FakeHost().withoutExecutable("/opt/cse/criu/bin/criu");
		assertThatThrownBy(() -> Criu.locate(host, null)).isInstanceOf(CseException.class)
			.hasMessageContaining("CRIU not found")
			.hasMessageContaining("install it with scripts/install-criu.sh");
		assertThatThrownBy(() -> Criu.locate(host, Path.of("/usr/local/bin/criu")))
			.hasMessageContaining("CRIU not found at /usr/local/bin/criu")
			.hasMessageContaining("install it with scripts/install-criu.sh");
	}

	@Test
	void refusesCriuOlderThan4_2() {
		FakeHost host = new FakeHost().criuVersion("Version: 3.17.1\n");
		assertThatThrownBy(() -> Criu.locate(host, null)).isInstanceOf(CseException.class)
			.hasMessageContaining("version 3.17.1")
			.hasMessageContaining("4.2 or later")
			.hasMessageContaining("install it with scripts/install-criu.sh");
	}

	@Test
	void acceptsNewerVersions() {
		assertThat(Criu.locate(new FakeHost().criuVersion("Version: 4.10\n"), null).version()).isEqualTo("4.10");
		assertThat(Criu.locate(new FakeHost().criuVersion("Version: 5.0\nGitID: v5.0\n"), null).version())
			.isEqualTo("5.0");
	}

	@Test
	void kernelFeatureCacheIsStampedWithTheBootAndCriuVersion() {
		FakeHost host = new FakeHost().withFile(Path.of("/proc/sys/kernel/random/boot_id"), "7f1c-boot\n");
		Criu criu = Criu.locate(host, null);
		assertThat(criu.cacheKernelFeatures(host)).isTrue();
		assertThat(host.commands()).contains(List.of("sh", "-c", Criu.KERNEL_CACHE_SCRIPT, "cse-criu-cache",
				"/opt/cse/criu/bin/criu", "7f1c-boot criu 4.2.1"));
	}

	@Test
	void kernelFeatureCacheIsLeftAloneWithoutABootId() {
		FakeHost host = new FakeHost();
		Criu criu = Criu.locate(host, null);
		assertThat(criu.cacheKernelFeatures(host)).isFalse();
		assertThat(host.commandLines()).containsExactly("/opt/cse/criu/bin/criu --version");
	}

	@Test
	void restoreCommandsShareTheImageAndLogIntoTheirOwnWorkDir() {
		Criu criu = Criu.locate(new FakeHost(), null);
		assertThat(criu.restoreCommand(Path.of("/images/a"), Path.of("/run/logs/x"), true)).containsExactly(
				"/opt/cse/criu/bin/criu", "restore", "-D", "/images/a", "--shell-job", "--tcp-close", "--manage-cgroups=ignore", "--work-dir",
				"/run/logs/x", "-o", "restore.log", "--restore-detached");
		assertThat(criu.restoreCommand(Path.of("/images/a"), Path.of("/run/logs/x"), false))
			.doesNotContain("--restore-detached");
	}

}
