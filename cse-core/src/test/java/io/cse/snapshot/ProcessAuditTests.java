package io.cse.snapshot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

import io.cse.linux.ProcFs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ProcessAudit}, on a {@code /proc} laid out as Linux lays it out.
 */
class ProcessAuditTests {

	private static final String TCP_HEADER = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt"
			+ "   uid  timeout inode\n";

	@TempDir
	Path proc;

	@Test
	void cloneTemplateListeningOnTheLoopbackOnlyIsToldItsClonesAreUnreachable() throws IOException {
		listen("0100007F:1F90", 12345); // 127.0.0.1:8080
		assertThat(audit(true)).anySatisfy((finding) -> assertThat(finding)
			.startsWith("listening on the loopback only (127.0.0.1:8080)")
			.contains("server.address=0.0.0.0"));
	}

	@Test
	void cloneTemplateListeningOnTheLoopbackThroughAnIpv6SocketIsToldToo() throws IOException {
		// What a JVM's server socket bound to 127.0.0.1 looks like: IPv4 mapped into IPv6.
		listen6("0000000000000000FFFF00000100007F:1F90", 12345);
		assertThat(audit(true)).anySatisfy((finding) -> assertThat(finding)
			.startsWith("listening on the loopback only ([0000:0000:0000:0000:0000:FFFF:7F00:0001]:8080)"));
	}

	@Test
	void cloneTemplateListeningOnEveryIpv6AddressIsNotWarned() throws IOException {
		listen6("00000000000000000000000000000000:1F90", 12345);
		assertThat(audit(true)).noneSatisfy((finding) -> assertThat(finding).contains("loopback"));
	}

	@Test
	void cloneTemplateListeningOnEveryAddressIsNotWarned() throws IOException {
		listen("00000000:1F90", 12345); // 0.0.0.0:8080
		assertThat(audit(true)).contains("listening on 0.0.0.0:8080 (web server) (restored listening)")
			.noneSatisfy((finding) -> assertThat(finding).contains("loopback"));
	}

	@Test
	void dumpOfAServiceOnTheLoopbackIsNotWarned() throws IOException {
		listen("0100007F:1F90", 12345);
		assertThat(audit(false)).noneSatisfy((finding) -> assertThat(finding).contains("loopback"));
	}

	private List<String> audit(boolean keepsRunning) {
		try {
			return new ProcessAudit(new ProcFs(this.proc), () -> 8080, true).audit(keepsRunning);
		}
		catch (SnapshotException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private void listen(String localAddress, long inode) throws IOException {
		socket("tcp", localAddress, "00000000:0000", inode);
	}

	private void listen6(String localAddress, long inode) throws IOException {
		socket("tcp6", localAddress, "00000000000000000000000000000000:0000", inode);
	}

	private void socket(String table, String localAddress, String remoteAddress, long inode) throws IOException {
		Path self = Files.createDirectories(this.proc.resolve("self/net"));
		Files.writeString(self.resolve(table), TCP_HEADER + "   0: " + localAddress + " " + remoteAddress
				+ " 0A 00000000:00000000 00:00000000 00000000     0        0 " + inode + " 1\n");
		Path fd = Files.createDirectories(this.proc.resolve("self/fd"));
		Files.createSymbolicLink(fd.resolve("3"), Paths.get("socket:[" + inode + "]"));
	}

}
