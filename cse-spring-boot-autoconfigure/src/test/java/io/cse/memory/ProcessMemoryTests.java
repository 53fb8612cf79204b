package io.cse.memory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ProcessMemory}, reading status files written the way Linux writes
 * {@code /proc/self/status}.
 */
class ProcessMemoryTests {

	@TempDir
	Path directory;

	@Test
	void residentBytesAreReadFromVmRss() throws IOException {
		Path status = Files.writeString(this.directory.resolve("status"), """
				Name:\tjava
				State:\tS (sleeping)
				VmPeak:\t 9000000 kB
				VmSize:\t 8000000 kB
				VmHWM:\t  300000 kB
				VmRSS:\t  123456 kB
				RssAnon:\t  100000 kB
				Threads:\t42
				""");
		assertThat(new ProcessMemory(status).residentBytes()).isEqualTo(123456L * 1024);
	}

	@Test
	void residentBytesAreUnknownWhenTheStatusFileIsMissing() {
		assertThat(new ProcessMemory(this.directory.resolve("missing")).residentBytes()).isEqualTo(-1);
	}

	@Test
	void residentBytesAreUnknownWhenTheStatusFileHasNoVmRss() throws IOException {
		// Kernel threads have no VmRSS line.
		Path status = Files.writeString(this.directory.resolve("status"), "Name:\tkthreadd\nThreads:\t1\n");
		assertThat(new ProcessMemory(status).residentBytes()).isEqualTo(-1);
	}

}
