package io.cse.criu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

import io.cse.linux.ProcFs;
import io.cse.snapshot.EngineStatus;
import io.cse.snapshot.ImageFile;
import io.cse.snapshot.ImageIdentity;
import io.cse.snapshot.ImageManifest;
import io.cse.snapshot.ImageSealer;
import io.cse.snapshot.SnapshotException;
import io.cse.SnapshotOutcome;
import io.cse.snapshot.SnapshotSpec;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link CriuEngine}, with a fake {@code /proc} and the commands replaced through
 * the engine's seam.
 */
class CriuEngineTests {

	@TempDir
	Path temp;

	private Path proc;

	private Path criu;

	private final List<List<String>> started = new ArrayList<>();

	private String versionOutput = "Version: 4.2.1\n";

	private Consumer<List<String>> onStart = (command) -> {
	};

	private boolean sharedPerfData;

	private final List<List<String>> ran = new ArrayList<>();

	private volatile String nftTables = "";

	private boolean nftMissing;

	@BeforeEach
	void fakeHost() throws IOException {
		this.proc = this.temp.resolve("proc");
		stat(100);
		Files.writeString(this.proc.resolve("self/status"), "Uid:\t0\t0\t0\t0\nCapEff:\t000001ffffffffff\n");
		this.criu = this.temp.resolve("criu");
		Files.writeString(this.criu, "#!/bin/sh\n");
		this.criu.toFile().setExecutable(true);
	}

	@Test
	void availableWithCriu42AsRoot() {
		EngineStatus status = engine().getStatus();
		assertThat(status.available()).isTrue();
		assertThat(status.version()).isEqualTo("4.2.1");
	}

	@Test
	void missingCriuSaysWhatToInstall() {
		CriuEngine engine = new CriuEngine(List.of(this.temp.resolve("absent")), new ProcFs(this.proc), commands(),
				Duration.ofSeconds(5), () -> false);
		assertThat(engine.getStatus().available()).isFalse();
		assertThat(engine.getStatus().reason()).contains("CRIU was not found").contains("scripts/install-criu.sh")
			.contains("criuPath");
	}

	@Test
	void oldCriuIsRefused() {
		this.versionOutput = "Version: 4.1.1\n";
		assertThat(engine().getStatus().reason()).contains("CRIU 4.1.1").contains("too old").contains("4.2");
	}

	@Test
	void sessionLedFromAnotherPidNamespaceIsRefusedWithTheFix() throws IOException {
		Files.writeString(this.proc.resolve("self/stat"), "152 (java) S 0 0 0 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 100 0 0\n");
		EngineStatus status = engine().getStatus();
		assertThat(status.available()).isFalse();
		assertThat(status.reason()).contains("session leader is outside its PID namespace").contains("setsid");
	}

	@Test
	void unprivilegedProcessIsRefused() throws IOException {
		Files.writeString(this.proc.resolve("self/status"), "Uid:\t1000\t1000\t1000\t1000\nCapEff:\t0000000000000000\n");
		assertThat(engine().getStatus().reason()).contains("root").contains("CAP_CHECKPOINT_RESTORE");
	}

	@Test
	void jvmThatSharesItsPerfDataFileIsRefused() {
		this.sharedPerfData = true;
		assertThat(engine().getStatus().reason()).contains("hsperfdata").contains("-XX:-UsePerfData");
	}

	@Test
	void versionsAreParsedAndCompared() {
		assertThat(CriuEngine.version("Version: 4.2\n")).isEqualTo("4.2");
		assertThat(CriuEngine.version("Version: 3.17.1\nGitID: v3.17")).isEqualTo("3.17.1");
		assertThat(CriuEngine.version("nonsense")).isNull();
		assertThat(CriuEngine.atLeastMinimum("4.2.1")).isTrue();
		assertThat(CriuEngine.atLeastMinimum("5.0")).isTrue();
		assertThat(CriuEngine.atLeastMinimum("4.1.1")).isFalse();
		assertThat(CriuEngine.atLeastMinimum("3.17.1")).isFalse();
	}

	@Test
	void dumpRunsCriuDetachedOutsideTheProcessTree() throws Exception {
		Path folder = imageFolder();
		this.onStart = (command) -> exit(folder, 0);
		assertThat(engine().snapshot(spec(folder, true))).isEqualTo(SnapshotOutcome.CONTINUED);
		List<String> command = this.started.get(0);
		assertThat(command.subList(0, 4)).containsExactly("setsid", "--fork", "/bin/sh", "-c");
		assertThat(command.get(4)).isEqualTo(CriuEngine.DUMP_SCRIPT).contains("--tcp-established")
			.contains("--leave-running");
		assertThat(command.subList(6, 13)).containsExactly(this.criu.toString(),
				Long.toString(ProcessHandle.current().pid()), folder.toString(),
				folder.resolveSibling("image.criu-exit").toString(), "1",
				Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				folder.resolveSibling(".image.sealer").toString());
		assertThat(folder.resolveSibling(".image.sealer/io/cse/snapshot/ImageSealer.class")).exists();
		assertThat(folder.resolve(ImageManifest.PENDING_FILE_NAME)).hasContent(manifest(true).toJson());
		assertThat(folder.resolve(ImageManifest.FILE_NAME)).doesNotExist();
		assertThat(folder.resolveSibling("image.criu-exit")).doesNotExist();
	}

	@Test
	void dumpScriptSealsTheImageAfterASuccessfulDumpOnly() throws Exception {
		Path folder = imageFolder();
		manifest(true).writePending(folder);
		Path status = this.temp.resolve("image.criu-exit");
		// The sealer runs in a JVM of its own with only the classes the engine copies out:
		// this proves that they are all it needs.
		Path sealer = ImageSealer.installClasses(this.temp.resolve(".image.sealer"));
		assertThat(runDumpScript(fakeCriu(0), folder, status, sealer)).isZero();
		assertThat(folder.resolve(ImageManifest.PENDING_FILE_NAME)).doesNotExist();
		ImageManifest sealed = ImageManifest.read(folder);
		assertThat(sealed).isEqualTo(manifest(true).withFiles(sealed.files()));
		assertThat(sealed.files()).containsOnlyKeys("inventory.img", "dump.log");
		assertThat(sealed.files().get("inventory.img")).isEqualTo(ImageFile.of(folder.resolve("inventory.img")));
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(folder))).isEqualTo("rwx------");
		try (Stream<Path> files = Files.list(folder)) {
			assertThat(files).allSatisfy((file) -> assertThat(
					PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).as(file.toString())
				.isEqualTo("rw-------"));
		}
		assertThat(sealer).doesNotExist();
		assertThat(status).hasContent("0");
	}

	@Test
	void dumpScriptLeavesAnImageItCannotSealWithoutManifest() throws Exception {
		Path folder = imageFolder();
		manifest(true).writePending(folder);
		Path status = this.temp.resolve("image.criu-exit");
		Path sealer = Files.createDirectories(this.temp.resolve(".image.sealer"));
		assertThat(runDumpScript(fakeCriu(0), folder, status, sealer)).isZero();
		assertThat(folder.resolve(ImageManifest.FILE_NAME)).doesNotExist();
		assertThat(status).hasContent("97");
		assertThat(sealer).doesNotExist();
	}

	@Test
	void dumpScriptLeavesAFailedImageWithoutManifest() throws Exception {
		Path folder = imageFolder();
		manifest(true).writePending(folder);
		Path status = this.temp.resolve("image.criu-exit");
		assertThat(runDumpScript(fakeCriu(1), folder, status, this.temp.resolve(".image.sealer"))).isZero();
		assertThat(folder.resolve(ImageManifest.FILE_NAME)).doesNotExist();
		assertThat(status).hasContent("1");
	}

	@Test
	void dumpScriptNeitherEditsNorRewritesTheManifest() {
		assertThat(CriuEngine.DUMP_SCRIPT).doesNotContain("sed").doesNotContain("du ")
			.contains("io.cse.snapshot.ImageSealer \"$dir\"");
	}

	@Test
	void failedDumpThrowsWithCriusOwnError() throws Exception {
		Path folder = imageFolder();
		Files.writeString(folder.resolve("dump.log"), "(00.01) Error (criu/util.c:1534): rlimit: Can't setup RLIMIT_NOFILE\n"
				+ "(00.20) Error (criu/sk-inet.c:123): inet: Can't dump a socket\n");
		this.onStart = (command) -> exit(folder, 1);
		assertThatExceptionOfType(SnapshotException.class).isThrownBy(() -> engine().snapshot(spec(folder, false)))
			.withMessageContaining("exit code 1")
			.withMessageContaining("Can't dump a socket")
			.withMessageNotContaining("RLIMIT_NOFILE");
	}

	@Test
	void processWhoseStartTimeChangedWasRestored() throws Exception {
		Path folder = imageFolder();
		this.onStart = (command) -> {
			// What a restore looks like from inside: the same memory, a new start time, and
			// the exit code of the dump that produced the image already written.
			stat(200);
			exit(folder, 0);
		};
		assertThat(engine().snapshot(spec(folder, false))).isEqualTo(SnapshotOutcome.RESTORED);
	}

	@Test
	void dumpThatNeverEndsTimesOutKillsCriuAndRemovesTheNetworkLockItLeft() throws Exception {
		Path folder = imageFolder();
		this.onStart = (command) -> {
			// The dump script writes the process group it leads, and CRIU locks the network
			write(this.temp.resolve("image.criu-exit.pid"), "4242\n");
			this.nftTables = "table inet CRIU-another-dump\ntable inet CRIU-a92b70c9-28b1-4240-84\n";
		};
		this.nftTables = "table inet CRIU-another-dump\ntable ip filter\n";
		CriuEngine engine = new CriuEngine(List.of(this.criu), new ProcFs(this.proc), commands(), Duration.ofMillis(200),
				() -> false);
		assertThatExceptionOfType(SnapshotException.class).isThrownBy(() -> engine.snapshot(spec(folder, false)))
			.withMessageContaining("criuDumpTimeout");
		assertThat(this.ran).contains(List.of("kill", "-KILL", "--", "-4242"))
			.anySatisfy((command) -> assertThat(command).endsWith("delete", "table", "inet", "CRIU-a92b70c9-28b1-4240-84"))
			.noneSatisfy((command) -> assertThat(command).contains("CRIU-another-dump"));
		assertThat(this.temp.resolve("image.criu-exit.pid")).doesNotExist();
	}

	@Test
	void dumpThatTimesOutSaysWhatItCouldNotCleanUp() throws Exception {
		Path folder = imageFolder();
		this.onStart = (command) -> write(this.temp.resolve("image.criu-exit.pid"), "4242\n");
		this.nftMissing = true;
		CriuEngine engine = new CriuEngine(List.of(this.criu), new ProcFs(this.proc), commands(), Duration.ofMillis(200),
				() -> false);
		assertThatExceptionOfType(SnapshotException.class).isThrownBy(() -> engine.snapshot(spec(folder, false)))
			.withMessageContaining("criuDumpTimeout")
			.withMessageContaining("could not look for the network lock CRIU may have left (nft cannot be run): "
					+ "install nftables (scripts/install-nftables.sh)");
		assertThat(this.ran).contains(List.of("kill", "-KILL", "--", "-4242"));
	}

	@Test
	void unavailableEngineRefusesToSnapshot() throws Exception {
		this.versionOutput = "Version: 3.17\n";
		Path folder = imageFolder();
		assertThatExceptionOfType(SnapshotException.class).isThrownBy(() -> engine().snapshot(spec(folder, false)))
			.withMessageContaining("too old");
		assertThat(this.started).isEmpty();
	}

	private CriuEngine engine() {
		return new CriuEngine(List.of(this.criu), new ProcFs(this.proc), commands(), Duration.ofSeconds(10),
				() -> this.sharedPerfData);
	}

	private CommandRunner commands() {
		return new CommandRunner() {

			@Override
			public String run(List<String> command, Duration timeout) throws IOException {
				CriuEngineTests.this.ran.add(command);
				if (command.get(0).endsWith("nft")) {
					if (CriuEngineTests.this.nftMissing) {
						throw new IOException("Cannot run program \"nft\": error=2, No such file or directory");
					}
					return command.contains("list") ? CriuEngineTests.this.nftTables : "";
				}
				return command.contains("--version") ? CriuEngineTests.this.versionOutput : "";
			}

			@Override
			public void startDetached(List<String> command) {
				CriuEngineTests.this.started.add(command);
				CriuEngineTests.this.onStart.accept(command);
			}

		};
	}

	private Path imageFolder() throws IOException {
		return Files.createDirectory(this.temp.resolve("image"));
	}

	private SnapshotSpec spec(Path folder, boolean leaveRunning) {
		return new SnapshotSpec("image", folder, leaveRunning, manifest(leaveRunning));
	}

	private static ImageManifest manifest(boolean leaveRunning) {
		return ImageManifest.builder()
			.imageId("image")
			.kind(leaveRunning ? ImageManifest.Kind.TEMPLATE : ImageManifest.Kind.DUMP)
			.engine("criu", "4.2.1")
			.createdAt(Instant.parse("2026-11-27T10:00:00Z"))
			.application(new ImageManifest.Application("app", 8080, "/"))
			.process(1, 1000)
			.java("17", "/jdk")
			.identity(new ImageIdentity("id", 0))
			.build();
	}

	/**
	 * A criu that writes one image file into its {@code -D} folder and exits with the
	 * given code.
	 */
	private Path fakeCriu(int exitCode) throws IOException {
		Path criu = this.temp.resolve("criu-exit-" + exitCode);
		Files.writeString(criu, "#!/bin/sh\necho inventory > \"$5/inventory.img\"\necho dumped > \"$5/dump.log\"\nexit "
				+ exitCode + "\n");
		criu.toFile().setExecutable(true);
		return criu;
	}

	/**
	 * Run the dump script as the engine would, but in the foreground, for a process that
	 * does not exist (the script waits for none of its children).
	 */
	private static int runDumpScript(Path criu, Path folder, Path status, Path sealer) throws Exception {
		Process script = new ProcessBuilder("/bin/sh", "-c", CriuEngine.DUMP_SCRIPT, "cse-criu-dump", criu.toString(),
				Integer.toString(Integer.MAX_VALUE), folder.toString(), status.toString(), "1",
				Path.of(System.getProperty("java.home"), "bin", "java").toString(), sealer.toString())
			.redirectErrorStream(true)
			.start();
		assertThat(script.waitFor(30, TimeUnit.SECONDS)).as("the dump script ends").isTrue();
		return script.exitValue();
	}

	private void stat(long startTime) {
		try {
			Files.createDirectories(this.proc.resolve("self"));
			Files.writeString(this.proc.resolve("self/stat"), "1 (java) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 "
					+ startTime + " 0 0\n");
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static void write(Path file, String content) {
		try {
			Files.writeString(file, content);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static void exit(Path folder, int code) {
		try {
			Files.writeString(folder.resolveSibling("image.criu-exit"), code + "\n");
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
