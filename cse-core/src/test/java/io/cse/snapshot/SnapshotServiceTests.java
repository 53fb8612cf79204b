package io.cse.snapshot;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.sun.net.httpserver.HttpServer;
import io.cse.CheckpointContext.Operation;
import io.cse.CheckpointCoordinator;
import io.cse.InstanceIdentity;
import io.cse.InstanceState;
import io.cse.OperationRejectedException;
import io.cse.OperationReport;
import io.cse.OperationReport.Outcome;
import io.cse.RecordingListener;
import io.cse.RecordingParticipant;
import io.cse.SnapshotOutcome;
import io.cse.linux.ProcFs;
import io.cse.snapshot.SnapshotService.Ticket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link SnapshotService}, with a real coordinator and the engine replaced.
 */
class SnapshotServiceTests {

	@TempDir
	Path temp;

	private final RecordingListener listener = new RecordingListener();

	private final RecordingParticipant participant = new RecordingParticipant("recording", 100);

	private final InstanceIdentity identity = new InstanceIdentity(Clock.systemUTC());

	private final CheckpointCoordinator coordinator = coordinator();

	private FakeEngine engine = new FakeEngine(SnapshotOutcome.CONTINUED, null);

	private boolean allowChildren;

	@Test
	void prepareCreatesAPrivateImageFolderUnderTheRoot() throws IOException {
		Ticket ticket = service().prepare(Operation.CLONE, "first");
		assertThat(ticket.folder()).isEqualTo(root().resolve("first"));
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(ticket.folder()))).isEqualTo("rwx------");
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(root()))).isEqualTo("rwx------");
		ticket.cancel();
		assertThat(ticket.folder()).doesNotExist();
	}

	@Test
	void prepareGeneratesANameWhenNoneIsGiven() {
		Ticket ticket = service().prepare(Operation.DUMP, null);
		assertThat(ticket.imageId()).startsWith("app-dump-");
		ticket.cancel();
	}

	@Test
	void rootOpenToOtherUsersIsRefusedAndLeftAsItWas() throws IOException {
		Files.createDirectories(root());
		Files.setPosixFilePermissions(root(), PosixFilePermissions.fromString("rwxr-xr-x"));
		assertThatExceptionOfType(InvalidImageException.class)
			.isThrownBy(() -> service().prepare(Operation.DUMP, "first"))
			.withMessageContaining(root().toString())
			.withMessageContaining("run 'chmod 700 " + root() + "'");
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(root()))).isEqualTo("rwxr-xr-x");
		try (Stream<Path> images = Files.list(root())) {
			assertThat(images).isEmpty();
		}
		assertThat(this.coordinator.getState()).isEqualTo(InstanceState.RUNNING);
		// Nothing stayed reserved.
		Files.setPosixFilePermissions(root(), PosixFilePermissions.fromString("rwx------"));
		service().prepare(Operation.DUMP, "fine").cancel();
	}

	@Test
	void imageNamesCannotLeaveTheRoot() {
		for (String name : List.of("../escape", "/etc", "a/b", "..", ".hidden", "")) {
			if (name.isEmpty()) {
				continue;
			}
			assertThatExceptionOfType(InvalidImageException.class)
				.isThrownBy(() -> service().prepare(Operation.DUMP, name))
				.withMessageContaining(name);
		}
		assertThat(root()).doesNotExist();
		assertThat(this.coordinator.getState()).isEqualTo(InstanceState.RUNNING);
		// Nothing stayed reserved.
		service().prepare(Operation.DUMP, "fine").cancel();
	}

	@Test
	void existingImageIsNotOverwritten() {
		service().prepare(Operation.DUMP, "taken").reservation().cancel();
		assertThatExceptionOfType(InvalidImageException.class)
			.isThrownBy(() -> service().prepare(Operation.DUMP, "taken"))
			.withMessageContaining("already exists");
		service().prepare(Operation.DUMP, "other").cancel();
	}

	@Test
	void unavailableEngineSaysWhy() {
		this.engine = new FakeEngine(null, "install CRIU");
		assertThatExceptionOfType(EngineUnavailableException.class)
			.isThrownBy(() -> service().prepare(Operation.DUMP, "x"))
			.withMessage("install CRIU");
		assertThat(root().resolve("x")).doesNotExist();
	}

	@Test
	void secondSnapshotWhileOneIsReservedIsRejected() {
		Ticket ticket = service().prepare(Operation.DUMP, "one");
		assertThatExceptionOfType(OperationRejectedException.class)
			.isThrownBy(() -> service().prepare(Operation.CLONE, "two"));
		assertThatExceptionOfType(OperationRejectedException.class).isThrownBy(this.coordinator::freeze);
		ticket.cancel();
	}

	@Test
	void cloneKeepsTheInstanceRunningAndTheImage() {
		SnapshotService service = service();
		OperationReport report = service.run(service.prepare(Operation.CLONE, "template"));
		assertThat(report.outcome()).isEqualTo(Outcome.SUCCESS);
		assertThat(report.operation()).isEqualTo(OperationReport.Type.CLONE);
		assertThat(report.notes()).anyMatch((note) -> note.contains("open file(s)"))
			.anyMatch((note) -> note.contains("image template is complete"));
		assertThat(calls()).containsExactly("quiesce CLONE", "resume THAW");
		assertThat(this.coordinator.getState()).isEqualTo(InstanceState.RUNNING);
		assertThat(root().resolve("template")).isDirectory();
		assertThat(this.engine.spec.leaveRunning()).isTrue();
		ImageManifest manifest = this.engine.spec.manifest();
		assertThat(manifest.imageId()).isEqualTo("template");
		assertThat(manifest.kind()).isEqualTo(ImageManifest.Kind.TEMPLATE);
		assertThat(manifest.engine()).isEqualTo("fake");
		assertThat(manifest.engineVersion()).isEqualTo("1.0");
		assertThat(manifest.application()).isEqualTo(new ImageManifest.Application("app", 8080, "/"));
		assertThat(manifest.pid()).isEqualTo(ProcessHandle.current().pid());
		assertThat(manifest.residentBytes()).isPositive();
		assertThat(manifest.javaVersion()).isEqualTo(System.getProperty("java.version"));
		assertThat(manifest.identity().instanceId()).isEqualTo(this.identity.getInstanceId());
		assertThat(manifest.identity().generation()).isZero();
		assertThat(this.identity.getGeneration()).isZero();
	}

	@Test
	void theFirstProbesOfEveryRestoreAreServedOnceBeforeTheSnapshot() throws IOException {
		// what the application's server saw, and whether the participants were quiesced then
		List<String> served = new CopyOnWriteArrayList<>();
		HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
		server.createContext("/", (exchange) -> {
			served.add(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " "
					+ exchange.getRequestHeaders().getFirst("Authorization") + " quiesced " + !calls().isEmpty());
			exchange.sendResponseHeaders(200, -1);
			exchange.close();
		});
		server.start();
		try {
			int port = server.getAddress().getPort();
			ImageManifest.Application application = new ImageManifest.Application("app", port,
					"/actuator/health/liveness", port, port, "/actuator/cse");
			ProcFs procFs = new ProcFs();
			SnapshotService service = new SnapshotService(this.coordinator, this.engine, root(),
					new ProcessAudit(procFs, () -> port, false), null, procFs, () -> application, Clock.systemUTC());
			service.setAttachments(() -> List.of(new ImageAttachment(ImageAttachment.ENDPOINT_TOKEN,
					"s3cret\n".getBytes(StandardCharsets.US_ASCII))));
			assertThat(service.run(service.prepare(Operation.CLONE, "template")).outcome()).isEqualTo(Outcome.SUCCESS);
			// the token goes to the endpoint only, never to the health path
			assertThat(served).containsExactly("GET /actuator/health/liveness null quiesced false",
					"GET /actuator/cse Bearer s3cret quiesced false");
			// and no connection is left for the image to carry
			await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(establishedOn(port)).isZero());
		}
		finally {
			server.stop(0);
		}
	}

	/**
	 * The established TCP connections from or to a port, as the kernel lists them.
	 */
	private static long establishedOn(int port) throws IOException {
		String hexPort = String.format(":%04X", port);
		long count = 0;
		for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
			for (String line : Files.readAllLines(Path.of(table))) {
				String[] fields = line.trim().split("\\s+");
				boolean onPort = fields.length > 3 && (fields[1].endsWith(hexPort) || fields[2].endsWith(hexPort));
				if (onPort && "01".equals(fields[3])) {
					count++;
				}
			}
		}
		return count;
	}

	@Test
	void aSnapshotBeyondTheRateLimitIsRefusedAndChangesNothing() {
		SnapshotService service = service();
		service.setRateLimit(new SnapshotRateLimit(2, Clock.systemUTC()));
		// A refused request (a name taken) counts for nothing
		assertThat(service.run(service.prepare(Operation.CLONE, "one")).outcome()).isEqualTo(Outcome.SUCCESS);
		assertThatExceptionOfType(InvalidImageException.class).isThrownBy(() -> service.prepare(Operation.CLONE, "one"));
		assertThat(service.run(service.prepare(Operation.CLONE, "two")).outcome()).isEqualTo(Outcome.SUCCESS);
		assertThatExceptionOfType(SnapshotRateLimitedException.class)
			.isThrownBy(() -> service.prepare(Operation.CLONE, "three"))
			.withMessageContaining("2 snapshot(s) started in the last minute, the most snapshotRateLimit allows");
		assertThat(root().resolve("three")).doesNotExist();
		assertThat(this.coordinator.getState()).isEqualTo(InstanceState.RUNNING);
		assertThat(calls()).containsExactly("quiesce CLONE", "resume THAW", "quiesce CLONE", "resume THAW");
	}

	@Test
	void attachmentsArePrivateFilesOfTheImageThatItsManifestLists() throws IOException {
		SnapshotService service = service();
		byte[] token = "the-endpoint-token-of-this-instance\n".getBytes(StandardCharsets.UTF_8);
		service.setAttachments(() -> List.of(new ImageAttachment(ImageAttachment.ENDPOINT_TOKEN, token)));
		assertThat(service.run(service.prepare(Operation.CLONE, "template")).outcome()).isEqualTo(Outcome.SUCCESS);
		Path attached = root().resolve("template").resolve(ImageAttachment.ENDPOINT_TOKEN);
		assertThat(attached).hasBinaryContent(token);
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(attached))).isEqualTo("rw-------");
		assertThat(ImageManifest.read(root().resolve("template")).files()).containsKey(ImageAttachment.ENDPOINT_TOKEN);
	}

	@Test
	void attachmentNamesCannotLeaveTheFolderOrTakeTheManifestsPlace() {
		for (String name : new String[] { "../token", "manifest.json", "Token", "a/b", "" }) {
			assertThatIllegalArgumentException().as(name)
				.isThrownBy(() -> new ImageAttachment(name, new byte[0]))
				.withMessageContaining("cannot name an image attachment");
		}
	}

	@Test
	void successfulCloneDeletesTheOldestImagesBeyondTheRetention() throws IOException {
		Files.createDirectories(root(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
		Path oldest = ImageRetentionTests.image(root(), "oldest", Instant.now().minusSeconds(200));
		Path old = ImageRetentionTests.image(root(), "old", Instant.now().minusSeconds(100));
		SnapshotService service = service();
		service.setRetention(new ImageRetention(2, null));
		assertThat(service.run(service.prepare(Operation.CLONE, "template")).outcome()).isEqualTo(Outcome.SUCCESS);
		assertThat(oldest).doesNotExist();
		assertThat(old).isDirectory();
		assertThat(root().resolve("template/manifest.json")).isRegularFile();
	}

	@Test
	void restoredCloneDeletesNoImage() throws IOException {
		// Many clones may be restored at once: the template's process keeps the root tidy.
		this.engine = new FakeEngine(SnapshotOutcome.RESTORED, null);
		Files.createDirectories(root(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
		Path oldest = ImageRetentionTests.image(root(), "oldest", Instant.now().minusSeconds(200));
		SnapshotService service = service();
		service.setRetention(new ImageRetention(1, null));
		service.run(service.prepare(Operation.CLONE, "template"));
		assertThat(oldest).isDirectory();
	}

	@Test
	void failingEngineRollsBackAndLeavesNoImage() {
		this.engine = new FakeEngine(null, null);
		SnapshotService service = service();
		OperationReport report = service.run(service.prepare(Operation.DUMP, "broken"));
		assertThat(report.outcome()).isEqualTo(Outcome.ROLLED_BACK);
		assertThat(report.error()).contains("criu exploded").contains("RUNNING");
		assertThat(calls()).containsExactly("quiesce DUMP", "resume ROLLBACK");
		assertThat(this.coordinator.getState()).isEqualTo(InstanceState.RUNNING);
		assertThat(root().resolve("broken")).doesNotExist();
		assertThat(this.coordinator.getLastReport()).isSameAs(report);
		// The instance is free for the next operation.
		assertThat(this.coordinator.freeze().outcome()).isEqualTo(Outcome.SUCCESS);
	}

	@Test
	void childProcessesAreRefusedWithAMessageThatSaysWhatToDo() throws Exception {
		Process child = new ProcessBuilder("sleep", "60").start();
		try {
			SnapshotService service = service();
			OperationReport report = service.run(service.prepare(Operation.DUMP, "with-child"));
			assertThat(report.outcome()).isEqualTo(Outcome.ROLLED_BACK);
			assertThat(report.error()).contains("child process").contains(Long.toString(child.pid()))
				.contains("allowChildProcesses");
			assertThat(this.engine.spec).isNull();
			assertThat(root().resolve("with-child")).doesNotExist();
		}
		finally {
			child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
		}
	}

	@Test
	void childProcessesCanBeAllowed() throws Exception {
		this.allowChildren = true;
		Process child = new ProcessBuilder("sleep", "60").start();
		try {
			SnapshotService service = service();
			OperationReport report = service.run(service.prepare(Operation.CLONE, "with-child"));
			assertThat(report.outcome()).isEqualTo(Outcome.SUCCESS);
			assertThat(report.notes()).anyMatch((note) -> note.startsWith("child process " + child.pid()));
		}
		finally {
			child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
		}
	}

	@Test
	void cloneTemplateCannotHoldAFileItKeepsWritingWithoutAppend() throws Exception {
		Path log = this.temp.resolve("service.log");
		try (var writer = Files.newOutputStream(log)) {
			SnapshotService service = service();
			OperationReport report = service.run(service.prepare(Operation.CLONE, "template"));
			assertThat(report.outcome()).isEqualTo(Outcome.ROLLED_BACK);
			assertThat(report.error()).contains(log.toString()).contains("without O_APPEND").contains(">>");
			assertThat(root().resolve("template")).doesNotExist();
		}
		try (var appender = Files.newOutputStream(log, java.nio.file.StandardOpenOption.APPEND)) {
			SnapshotService service = service();
			assertThat(service.run(service.prepare(Operation.CLONE, "template")).outcome()).isEqualTo(Outcome.SUCCESS);
		}
	}

	@Test
	void dumpNotesAFileWrittenWithoutAppend() throws Exception {
		Path log = this.temp.resolve("service.log");
		try (var writer = Files.newOutputStream(log)) {
			this.engine = new FakeEngine(SnapshotOutcome.RESTORED, null);
			SnapshotService service = service();
			service.run(service.prepare(Operation.DUMP, "dump"));
			assertThat(this.coordinator.getState()).isEqualTo(InstanceState.RUNNING);
			assertThat(calls()).containsExactly("quiesce DUMP", "resume RESTORE");
		}
	}

	@Test
	void restoreOfACloneTemplateGetsANewIdentity() {
		this.engine = new FakeEngine(SnapshotOutcome.RESTORED, null);
		String parent = this.identity.getInstanceId();
		SnapshotService service = service();
		OperationReport report = service.run(service.prepare(Operation.CLONE, "template"));
		assertThat(report.operation()).isEqualTo(OperationReport.Type.CLONE_RESTORE);
		assertThat(this.identity.getInstanceId()).isNotEqualTo(parent);
		assertThat(this.identity.getGeneration()).isEqualTo(1);
		assertThat(this.identity.getParentId()).isEqualTo(parent);
		assertThat(this.identity.getImageId()).isEqualTo("template");
		assertThat(calls()).containsExactly("quiesce CLONE", "resume CLONE");
		assertThat(this.listener.restores()).containsExactly("CLONE template " + this.identity.getInstanceId());
		assertThat(this.coordinator.getState()).isEqualTo(InstanceState.RUNNING);
	}

	@Test
	void restoreOfADumpIsTheSameInstance() {
		this.engine = new FakeEngine(SnapshotOutcome.RESTORED, null);
		String id = this.identity.getInstanceId();
		SnapshotService service = service();
		OperationReport report = service.run(service.prepare(Operation.DUMP, "dump"));
		assertThat(report.operation()).isEqualTo(OperationReport.Type.RESTORE);
		assertThat(this.identity.getInstanceId()).isEqualTo(id);
		assertThat(this.identity.getGeneration()).isZero();
		assertThat(calls()).containsExactly("quiesce DUMP", "resume RESTORE");
		assertThat(this.engine.spec.manifest().kind()).isEqualTo(ImageManifest.Kind.DUMP);
	}

	@Test
	void manifestDescribesTheInstanceAsItIsWhenTheSnapshotStarts() {
		this.engine = new FakeEngine(SnapshotOutcome.RESTORED, null);
		SnapshotService service = service();
		service.run(service.prepare(Operation.CLONE, "template"));
		String clone = this.identity.getInstanceId();
		this.engine = new FakeEngine(SnapshotOutcome.CONTINUED, null);
		service = service();
		service.run(service.prepare(Operation.CLONE, "template-of-a-clone"));
		assertThat(this.engine.spec.manifest().identity()).isEqualTo(new ImageIdentity(clone, 1));
	}

	private CheckpointCoordinator coordinator() {
		CheckpointCoordinator coordinator = new CheckpointCoordinator(List.of(this.participant), this.identity, null,
				Duration.ofSeconds(10), Clock.systemUTC());
		coordinator.addListener(this.listener);
		return coordinator;
	}

	private SnapshotService service() {
		ProcFs procFs = new ProcFs();
		ImageManifest.Application application = new ImageManifest.Application("app", 8080, "/");
		return new SnapshotService(this.coordinator, this.engine, root(),
				new ProcessAudit(procFs, () -> 8080, this.allowChildren), null, procFs, () -> application,
				Clock.systemUTC());
	}

	private Path root() {
		return this.temp.resolve("images");
	}

	// What the participant was asked: "quiesce OPERATION" and "resume RESUMPTION"
	private List<String> calls() {
		return this.participant.contexts()
			.stream()
			.map((context) -> (context.resumption() != null) ? "resume " + context.resumption()
					: "quiesce " + context.operation())
			.toList();
	}

	private static final class FakeEngine implements SnapshotEngine {

		private final SnapshotOutcome outcome;

		private final String unavailable;

		private volatile SnapshotSpec spec;

		FakeEngine(SnapshotOutcome outcome, String unavailable) {
			this.outcome = outcome;
			this.unavailable = unavailable;
		}

		@Override
		public String getName() {
			return "fake";
		}

		@Override
		public EngineStatus getStatus() {
			return (this.unavailable != null) ? EngineStatus.unavailable("fake", this.unavailable)
					: EngineStatus.available("fake", "1.0");
		}

		@Override
		public boolean canLeaveRunning() {
			return true;
		}

		@Override
		public SnapshotOutcome snapshot(SnapshotSpec spec) throws SnapshotException {
			this.spec = spec;
			if (this.outcome == null) {
				throw new SnapshotException("criu exploded");
			}
			// A complete image, as the CRIU engine leaves one.
			try {
				Files.writeString(spec.folder().resolve("inventory.img"), spec.imageId());
				spec.manifest().writePending(spec.folder());
				ImageSealer.seal(spec.folder());
			}
			catch (IOException ex) {
				throw new SnapshotException("cannot write the image", ex);
			}
			return this.outcome;
		}

	}

}
