package io.cse.snapshot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;

import io.cse.snapshot.ImageManifest.Application;
import io.cse.snapshot.ImageManifest.Kind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link ImageRetention} on real image folders.
 */
class ImageRetentionTests {

	private static final Instant NOW = Instant.parse("2026-12-03T02:00:00Z");

	@TempDir
	Path root;

	@Test
	void deletesTheOldestBeyondTheCountKeepingTheNewOne() throws IOException {
		Path oldest = image(this.root, "a-oldest", NOW.minusSeconds(300));
		Path older = image(this.root, "b-older", NOW.minusSeconds(200));
		Path old = image(this.root, "c-old", NOW.minusSeconds(100));
		Path taken = image(this.root, "d-new", NOW);
		assertThat(new ImageRetention(2, null).prune(this.root, "d-new", NOW)).containsExactly(oldest, older);
		assertThat(oldest).doesNotExist();
		assertThat(older).doesNotExist();
		assertThat(old).isDirectory();
		assertThat(taken).isDirectory();
	}

	@Test
	void ordersByTheManifestsTimeNotByName() throws IOException {
		Path newer = image(this.root, "a", NOW.minusSeconds(10));
		Path older = image(this.root, "z", NOW.minusSeconds(20));
		image(this.root, "new", NOW);
		assertThat(new ImageRetention(2, null).prune(this.root, "new", NOW)).containsExactly(older);
		assertThat(newer).isDirectory();
	}

	@Test
	void deletesImagesOlderThanTheAge() throws IOException {
		Path weekOld = image(this.root, "week-old", NOW.minus(Duration.ofDays(8)));
		Path dayOld = image(this.root, "day-old", NOW.minus(Duration.ofDays(1)));
		assertThat(new ImageRetention(0, Duration.ofDays(7)).prune(this.root, "new", NOW)).containsExactly(weekOld);
		assertThat(dayOld).isDirectory();
	}

	@Test
	void neverDeletesTheImageJustTaken() throws IOException {
		Path taken = image(this.root, "taken", NOW.minus(Duration.ofDays(30)));
		assertThat(new ImageRetention(1, Duration.ofDays(1)).prune(this.root, "taken", NOW)).isEmpty();
		assertThat(taken).isDirectory();
	}

	@Test
	void leavesFoldersWithoutAReadableManifestAlone() throws IOException {
		// A snapshot under way (no manifest yet), and something that is not an image.
		Path underWay = Files.createDirectory(this.root.resolve("under-way"));
		ImageManifest.builder()
			.imageId("under-way")
			.kind(Kind.DUMP)
			.engine("criu", "4.2.1")
			.createdAt(NOW.minus(Duration.ofDays(30)))
			.application(new Application("app", 8080, "/"))
			.identity(new ImageIdentity("i", 0))
			.build()
			.writePending(underWay);
		Path other = Files.createDirectory(this.root.resolve("other"));
		Files.writeString(other.resolve(ImageManifest.FILE_NAME), "not json");
		image(this.root, "new", NOW);
		assertThat(new ImageRetention(1, Duration.ofDays(1)).prune(this.root, "new", NOW)).isEmpty();
		assertThat(underWay).isDirectory();
		assertThat(other).isDirectory();
	}

	@Test
	void keepsEverythingWithoutLimits() throws IOException {
		image(this.root, "old", NOW.minus(Duration.ofDays(3650)));
		assertThat(ImageRetention.KEEP_ALL.isLimited()).isFalse();
		assertThat(ImageRetention.KEEP_ALL.prune(this.root, "new", NOW)).isEmpty();
	}

	@Test
	void refusesANegativeCount() {
		assertThatIllegalArgumentException().isThrownBy(() -> new ImageRetention(-1, null))
			.withMessage("cse.images.max-count must be 0 (keep every image) or more, not -1");
	}

	@Test
	void refusesAnAgeThatIsNotPositive() {
		assertThatIllegalArgumentException().isThrownBy(() -> new ImageRetention(0, Duration.ZERO))
			.withMessage("cse.images.max-age must be longer than 0 (for example 7d), or unset to keep images of "
					+ "any age, not PT0S");
		assertThatIllegalArgumentException().isThrownBy(() -> new ImageRetention(0, Duration.ofHours(-1)))
			.withMessageContaining("not PT-1H");
	}

	/**
	 * A complete image, as the CRIU engine leaves it: one file and a sealed manifest.
	 */
	static Path image(Path root, String id, Instant createdAt) throws IOException {
		Path folder = Files.createDirectory(root.resolve(id),
				PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
		Files.writeString(folder.resolve("inventory.img"), id);
		ImageManifest.builder()
			.imageId(id)
			.kind(Kind.DUMP)
			.engine("criu", "4.2.1")
			.createdAt(createdAt)
			.application(new Application("app", 8080, "/"))
			.identity(new ImageIdentity("i", 0))
			.build()
			.writePending(folder);
		ImageSealer.seal(folder);
		return folder;
	}

}
