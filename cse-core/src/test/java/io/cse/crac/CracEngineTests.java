package io.cse.crac;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.cse.CheckpointCoordinator;
import io.cse.InstanceIdentity;
import io.cse.SnapshotOutcome;
import io.cse.snapshot.ImageIdentity;
import io.cse.snapshot.ImageManifest;
import io.cse.snapshot.SnapshotException;
import io.cse.snapshot.SnapshotSpec;
import org.crac.Resource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link CracEngine}, with a stand-in for the JDK's checkpoint that looks at the
 * image folder at the moment the JDK would take the image.
 */
class CracEngineTests {

	@TempDir
	Path checkpointTo;

	private ImageManifest atCheckpoint;

	private boolean pendingAtCheckpoint;

	@Test
	void manifestIsInPlaceWholeWhenTheJdkCheckpoints() throws Exception {
		CracEngine engine = engine(null);
		assertThat(engine.snapshot(spec())).isEqualTo(SnapshotOutcome.RESTORED);
		assertThat(this.atCheckpoint).isEqualTo(manifest());
		assertThat(this.pendingAtCheckpoint).isFalse();
	}

	@Test
	void checkpointFolderAndManifestArePrivateWhenTheJdkCheckpoints() throws Exception {
		Files.setPosixFilePermissions(this.checkpointTo, PosixFilePermissions.fromString("rwxr-xr-x"));
		engine(null).snapshot(spec());
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(this.checkpointTo))).isEqualTo("rwx------");
		assertThat(PosixFilePermissions.toString(
				Files.getPosixFilePermissions(this.checkpointTo.resolve(ImageManifest.FILE_NAME))))
			.isEqualTo("rw-------");
	}

	@Test
	void failedCheckpointLeavesNoManifest() {
		CracEngine engine = engine(new IllegalStateException("no CRIU in this JDK"));
		assertThatExceptionOfType(SnapshotException.class).isThrownBy(() -> engine.snapshot(spec()))
			.withMessageContaining("no CRIU in this JDK");
		assertThat(this.checkpointTo.resolve(ImageManifest.FILE_NAME)).doesNotExist();
		assertThat(this.checkpointTo.resolve(ImageManifest.PENDING_FILE_NAME)).doesNotExist();
	}

	private CracEngine engine(Exception checkpointFailure) {
		CheckpointCoordinator coordinator = new CheckpointCoordinator(List.of(), new InstanceIdentity(Clock.systemUTC()),
				null, Duration.ofSeconds(10), Clock.systemUTC());
		CracJdkAdapter.CracRuntime runtime = new CracJdkAdapter.CracRuntime() {

			@Override
			public boolean isCracJdk() {
				return true;
			}

			@Override
			public void register(Resource resource) {
			}

			@Override
			public void checkpointRestore() throws Exception {
				CracEngineTests.this.atCheckpoint = ImageManifest.read(CracEngineTests.this.checkpointTo);
				CracEngineTests.this.pendingAtCheckpoint = Files
					.exists(CracEngineTests.this.checkpointTo.resolve(ImageManifest.PENDING_FILE_NAME));
				if (checkpointFailure != null) {
					throw checkpointFailure;
				}
			}

		};
		return new CracEngine(new CracJdkAdapter(coordinator, null, runtime), this.checkpointTo.toString());
	}

	private SnapshotSpec spec() {
		// The JDK writes where -XX:CRaCCheckpointTo says, not into the spec's folder.
		return new SnapshotSpec("image", this.checkpointTo.resolveSibling("unused"), false, manifest());
	}

	private static ImageManifest manifest() {
		return ImageManifest.builder()
			.imageId("image")
			.kind(ImageManifest.Kind.DUMP)
			.engine("crac", "17.0.15+6")
			.createdAt(Instant.parse("2026-11-27T10:00:00Z"))
			.application(new ImageManifest.Application("app", 8080, "/"))
			.process(1, 1000)
			.identity(new ImageIdentity("id", 0))
			.build();
	}

}
