package io.cse.linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.cse.linux.TcpSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ProcFs}, on files written the way Linux writes them and on this
 * process's own {@code /proc}.
 */
class ProcFsTests {

	@TempDir
	Path proc;

	@Test
	void startTimeIsField22EvenWhenTheCommandNameHasSpacesAndParentheses() throws IOException {
		write("self/stat", "4242 (java (main) x) S 1 4242 4242 0 -1 4194560 1 0 0 0 1 2 0 0 20 0 33 0 109018 "
				+ "5000000 100 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n");
		assertThat(new ProcFs(this.proc).startTime()).isEqualTo(109018);
	}

	@Test
	void sessionIdIsField6AndZeroWhenItsLeaderIsInAnotherPidNamespace() throws IOException {
		write("self/stat", "4242 (java (main) x) S 1 4242 4243 0 -1 4194560 1 0 0 0 1 2 0 0 20 0 33 0 109018\n");
		assertThat(new ProcFs(this.proc).sessionId()).isEqualTo(4243);
		write("self/stat", "152 (java) S 0 0 0 0 -1 4194560 1 0 0 0 1 2 0 0 20 0 33 0 109018\n");
		assertThat(new ProcFs(this.proc).sessionId()).isZero();
	}

	@Test
	void privilegesComeFromTheStatusFile() throws IOException {
		write("self/status", "Name:\tjava\nUid:\t1000\t0\t0\t0\nCapEff:\t0000010000000000\nVmRSS:\t  2048 kB\n");
		ProcFs procFs = new ProcFs(this.proc);
		assertThat(procFs.effectiveUid()).isZero();
		assertThat(procFs.hasCapability(40)).isTrue();
		assertThat(procFs.hasCapability(21)).isFalse();
		assertThat(procFs.residentBytes()).isEqualTo(2048 * 1024);
	}

	@Test
	void residentBytesAreUnknownWhenTheStatusFileHasNoVmRss() throws IOException {
		// Kernel threads have no VmRSS line.
		write("self/status", "Name:\tkthreadd\nThreads:\t1\n");
		assertThat(new ProcFs(this.proc).residentBytes()).isEqualTo(-1);
	}

	@Test
	void writableBytesCountOnlyTheReadWriteMappingsWithinTheRange() throws IOException {
		// A G1 heap reserved at f0000000-100000000, 6 MB of it committed in two pieces.
		write("self/maps", "f0000000-f0200000 rw-p 00000000 00:00 0 \n"
				+ "f0200000-ff700000 ---p 00000000 00:00 0 \n"
				+ "ff700000-ffb00000 rw-p 00000000 00:00 0 \n"
				+ "ffb00000-100000000 ---p 00000000 00:00 0 \n"
				+ "100000000-100100000 rw-p 00000000 00:00 0 \n"
				+ "7f364f000000-7f364fbc7000 r--p 00000000 fe:01 1234   /usr/lib/jvm/classes.jsa\n");
		ProcFs procFs = new ProcFs(this.proc);
		assertThat(procFs.writableBytes(0xf0000000L, 0x100000000L)).isEqualTo(6L * 1024 * 1024);
		assertThat(procFs.writableBytes(0xf0100000L, 0xf0200000L)).isEqualTo(1024 * 1024);
	}

	@Test
	void tcpSocketsAreDecoded() throws IOException {
		write("self/net/tcp", "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
				+ "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 12345 1\n"
				+ "   1: 0100007F:1F90 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 12346 1\n");
		assertThat(new ProcFs(this.proc).tcpSockets()).containsExactly(
				new TcpSocket("127.0.0.1:8080", "0.0.0.0:0", 10, 12345),
				new TcpSocket("127.0.0.1:8080", "127.0.0.1:54321", 1, 12346));
	}

	@Test
	void missingFilesMeanUnknown() {
		ProcFs procFs = new ProcFs(this.proc.resolve("absent"));
		assertThat(procFs.isAvailable()).isFalse();
		assertThat(procFs.writableBytes(0, Long.MAX_VALUE)).isEqualTo(-1);
		assertThat(procFs.startTime()).isEqualTo(-1);
		assertThat(procFs.effectiveUid()).isEqualTo(-1);
		assertThat(procFs.openFiles()).isEmpty();
		assertThat(procFs.residentBytes()).isEqualTo(-1);
		assertThat(procFs.tcpSockets()).isEmpty();
	}

	@Test
	@EnabledOnOs(OS.LINUX)
	void thisProcessHasAStartTimeAndOpenFiles() {
		ProcFs procFs = new ProcFs();
		assertThat(procFs.startTime()).isPositive();
		assertThat(procFs.startTime()).isEqualTo(procFs.startTime());
		assertThat(procFs.openFiles()).isNotEmpty();
		assertThat(procFs.residentBytes()).isPositive();
	}

	private void write(String path, String content) throws IOException {
		Path file = this.proc.resolve(path);
		Files.createDirectories(file.getParent());
		Files.writeString(file, content);
	}

}
