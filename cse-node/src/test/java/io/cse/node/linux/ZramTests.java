package io.cse.node.linux;

import java.nio.file.Path;

import io.cse.node.FakeHost;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link Zram} on a fake host.
 */
class ZramTests {

	private static final Path SYSFS = Path.of("/sys/block/zram0");

	@Test
	void choosesLz4BeforeTheSizeWhenTheKernelOffersIt() {
		FakeHost host = device("[lzo-rle] lzo lz4\n");
		assertThat(new Zram(host).ensureSwap()).isTrue();
		assertThat(host.writes()).containsExactly(SYSFS.resolve("comp_algorithm") + " <- lz4",
				SYSFS.resolve("disksize") + " <- " + Zram.DEFAULT_DISK_SIZE);
	}

	@Test
	void keepsTheKernelsAlgorithmWhenLz4IsMissing() {
		FakeHost host = device("[lzo-rle] lzo\n");
		assertThat(new Zram(host).ensureSwap()).isTrue();
		assertThat(host.writes()).containsExactly(SYSFS.resolve("disksize") + " <- " + Zram.DEFAULT_DISK_SIZE);
	}

	@Test
	void leavesADeviceThatHasASizeAsItIs() {
		FakeHost host = device("lzo-rle lzo [lz4]\n").withFile(SYSFS.resolve("disksize"), "1073741824\n");
		assertThat(new Zram(host).ensureSwap()).isTrue();
		assertThat(host.writes()).isEmpty();
		assertThat(host.commandLines()).containsExactly("mkswap /dev/zram0", "swapon /dev/zram0");
	}

	private static FakeHost device(String algorithms) {
		return new FakeHost().withFile(Path.of("/dev/zram0"), "")
			.withDirectory(SYSFS)
			.withFile(SYSFS.resolve("disksize"), "0\n")
			.withFile(SYSFS.resolve("comp_algorithm"), algorithms)
			.withFile(Path.of("/proc/swaps"), "Filename\tType\tSize\tUsed\tPriority\n");
	}

}
