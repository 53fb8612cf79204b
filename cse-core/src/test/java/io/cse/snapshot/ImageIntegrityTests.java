package io.cse.snapshot;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import io.cse.snapshot.ImageManifest.Application;
import io.cse.snapshot.ImageManifest.Kind;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNoException;

/**
 * Tests for {@link ImageSealer} and {@link ImageVerifier} on real image folders: a sealed
 * image is private and verifies; every way of changing it afterwards is refused, naming
 * the file.
 */
class ImageIntegrityTests {

	private static final String KERNEL = System.getProperty("os.version");

	private static final String JAVA_VERSION = System.getProperty("java.version");

	private static final String BOOT = "this-boot";

	@TempDir
	Path temp;

	private Path folder;

	private final ImageVerifier verifier = new ImageVerifier(KERNEL, BOOT, true, new ImageFileDigests());

	@BeforeEach
	void image() throws IOException {
		// What CRIU leaves, with the umask of a service: world-readable files.
		this.folder = Files.createDirectory(this.temp.resolve("img-1"));
		Files.setPosixFilePermissions(this.folder, PosixFilePermissions.fromString("rwxr-xr-x"));
		Files.write(this.folder.resolve("inventory.img"), new byte[] { 1, 2, 3, 4 });
		byte[] pages = new byte[300_000];
		for (int i = 0; i < pages.length; i++) {
			pages[i] = (byte) i;
		}
		Files.write(this.folder.resolve("pages-1.img"), pages);
		Files.writeString(this.folder.resolve("dump.log"), "(00.01) Dumping finished successfully\n");
		for (Path file : files()) {
			Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
		}
		manifest(KERNEL, System.getProperty("java.home")).writePending(this.folder);
	}

	@Test
	void sealedImageIsPrivateListsEveryFileAndVerifies() throws IOException {
		ImageManifest sealed = ImageSealer.seal(this.folder);
		assertThat(sealed.files()).containsOnlyKeys("inventory.img", "pages-1.img", "dump.log");
		assertThat(sealed.files().get("pages-1.img").size()).isEqualTo(300_000);
		assertThat(this.folder.resolve(ImageManifest.PENDING_FILE_NAME)).doesNotExist();
		assertThat(this.folder.resolve(ImageManifest.TEMPORARY_FILE_NAME)).doesNotExist();
		assertThat(ImageManifest.read(this.folder)).isEqualTo(sealed);
		assertThat(mode(this.folder)).isEqualTo("rwx------");
		assertThat(files()).hasSize(4).allSatisfy((file) -> assertThat(mode(file)).as(file.toString())
			.isEqualTo("rw-------"));
		assertThatNoException().isThrownBy(() -> this.verifier.verify(this.folder, ImageManifest.read(this.folder)));
	}

	@Test
	void hashIsTheSha256OfTheFile() throws IOException {
		Files.writeString(this.folder.resolve("inventory.img"), "abc");
		ImageSealer.seal(this.folder);
		assertThat(ImageManifest.read(this.folder).files().get("inventory.img"))
			.isEqualTo(new ImageFile(3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
	}

	@Test
	void truncatedFileIsRefusedNamingIt() throws IOException {
		ImageSealer.seal(this.folder);
		Path pages = this.folder.resolve("pages-1.img");
		try (FileChannel channel = FileChannel.open(pages, StandardOpenOption.WRITE)) {
			channel.truncate(4096);
		}
		assertThat(refusal()).isEqualTo(pages + " has 4096 bytes, and the image's manifest says 300000: it was "
				+ "truncated after the image was taken; do not restore it; delete it and dump the service again");
	}

	@Test
	void flippedByteIsRefusedNamingTheFile() throws IOException {
		ImageSealer.seal(this.folder);
		Path pages = this.folder.resolve("pages-1.img");
		try (RandomAccessFile file = new RandomAccessFile(pages.toFile(), "rw")) {
			file.seek(150_000);
			int value = file.read();
			file.seek(150_000);
			file.write(value ^ 0x01);
		}
		assertThat(refusal()).startsWith(pages + " does not match its SHA-256 in the image's manifest: it was changed");
		assertThat(refusedFile()).isEqualTo(pages);
	}

	@Test
	void fileChangedAfterAnEarlierCheckIsRefusedEvenWithItsModificationTimePutBack() throws IOException {
		ImageSealer.seal(this.folder);
		// The first check reads the files; the same verifier remembers what it read
		assertThatNoException().isThrownBy(() -> this.verifier.verify(this.folder, ImageManifest.read(this.folder)));
		Path pages = this.folder.resolve("pages-1.img");
		FileTime modified = Files.getLastModifiedTime(pages);
		try (RandomAccessFile file = new RandomAccessFile(pages.toFile(), "rw")) {
			file.seek(1_000);
			int value = file.read();
			file.seek(1_000);
			file.write(value ^ 0x01);
		}
		Files.setLastModifiedTime(pages, modified);
		assertThat(refusal()).startsWith(pages + " does not match its SHA-256 in the image's manifest: it was changed");
	}

	@Test
	void addedFileIsRefusedNamingIt() throws IOException {
		ImageSealer.seal(this.folder);
		Path added = Files.writeString(this.folder.resolve("pages-2.img"), "more");
		assertThat(refusal()).startsWith(added + " is not listed in " + this.folder.resolve("manifest.json")
				+ ": something was added to the image after it was taken");
		assertThat(refusedFile()).isEqualTo(added);
	}

	@Test
	void addedFolderIsRefusedNamingIt() throws IOException {
		ImageSealer.seal(this.folder);
		Path added = Files.createDirectory(this.folder.resolve("extra"));
		assertThat(refusedFile()).isEqualTo(added);
	}

	@Test
	void removedFileIsRefusedNamingIt() throws IOException {
		ImageSealer.seal(this.folder);
		Path inventory = this.folder.resolve("inventory.img");
		Files.delete(inventory);
		assertThat(refusal()).startsWith(inventory + " is missing, and the image's manifest lists it");
	}

	@Test
	void fileReplacedBySymbolicLinkIsRefusedNamingIt() throws IOException {
		ImageSealer.seal(this.folder);
		Path inventory = this.folder.resolve("inventory.img");
		Path elsewhere = Files.move(inventory, this.temp.resolve("inventory.img"));
		Files.createSymbolicLink(inventory, elsewhere);
		assertThat(refusal()).startsWith(inventory + " is missing (there is something there, but not a regular file)");
	}

	@Test
	void manifestThatListsAFileOutsideTheFolderIsRefused() throws IOException {
		ImageManifest sealed = ImageSealer.seal(this.folder);
		Files.writeString(this.temp.resolve("outside.img"), "x");
		Map<String, ImageFile> files = new TreeMap<>(sealed.files());
		files.put("../outside.img", ImageFile.of(this.temp.resolve("outside.img")));
		sealed.withFiles(files).writeComplete(this.folder);
		assertThat(refusal()).isEqualTo(this.folder.resolve("manifest.json") + " lists '../outside.img', which is not "
				+ "a file of the image folder; do not restore it; delete it and dump the service again");
	}

	@Test
	void manifestWithoutFilesIsRefusedSayingToDumpAgain() throws IOException {
		ImageManifest.publish(this.folder);
		assertThat(refusal()).isEqualTo(this.folder.resolve("manifest.json") + " lists no files with their SHA-256 "
				+ "(it was written by an older CSE, or by the crac engine), so nothing tells whether the image was "
				+ "changed: dump the service again with this CSE");
	}

	@Test
	void imageOfAnotherKernelIsRefused() throws IOException {
		manifest("4.19.0-other", System.getProperty("java.home")).writePending(this.folder);
		ImageSealer.seal(this.folder);
		assertThat(refusal()).contains("was taken on kernel 4.19.0-other, and this host runs kernel " + KERNEL)
			.contains("dump the service again on this host");
	}

	@Test
	void imageOfAJdkThatIsNotHereIsRefused() throws IOException {
		manifest(KERNEL, "/nowhere/jdk-17").writePending(this.folder);
		ImageSealer.seal(this.folder);
		assertThat(refusal()).contains("was taken by the JDK at /nowhere/jdk-17, which is not on this host");
	}

	@Test
	void imageOfAnotherVersionOfTheJdkIsRefused() throws IOException {
		Path jdk = Files.createDirectories(this.temp.resolve("jdk"));
		Files.writeString(jdk.resolve("release"), "IMPLEMENTOR=\"Eclipse Adoptium\"\nJAVA_VERSION=\"1.0.0\"\n");
		manifest(KERNEL, jdk.toString()).writePending(this.folder);
		ImageSealer.seal(this.folder);
		assertThat(refusal()).contains("was taken by Java " + JAVA_VERSION + ", and the JDK at " + jdk + " is now Java 1.0.0");
	}

	@Test
	void imageOfAnEarlyAccessJdkIsRestoredOnThatJdk() throws IOException {
		// java.version carries the pre-release part (Debian's OpenJDK 11 is 11.0.33-ea), the
		// JDK's release file does not
		Path jdk = Files.createDirectories(this.temp.resolve("jdk"));
		Files.writeString(jdk.resolve("release"), "JAVA_VERSION=\"11.0.33\"\n");
		manifest(KERNEL, "11.0.33-ea", jdk.toString()).writePending(this.folder);
		ImageSealer.seal(this.folder);
		assertThatNoException().isThrownBy(() -> this.verifier.verify(this.folder, ImageManifest.read(this.folder)));
	}

	@Test
	void imageOfAnEarlierBootIsRestoredWhereTheKernelHasTimeNamespaces() throws IOException {
		// Restoring after a reboot is what images are for: CRIU restores the process in a
		// time namespace in which its monotonic clock goes on from the dump.
		ImageSealer.seal(this.folder);
		assertThat(ImageManifest.read(this.folder).bootId()).isEqualTo("an-earlier-boot");
		assertThatNoException().isThrownBy(() -> this.verifier.verify(this.folder, ImageManifest.read(this.folder)));
	}

	@Test
	void imageOfAnEarlierBootIsRefusedWhereTheKernelHasNoTimeNamespaces() throws IOException {
		ImageVerifier withoutTimeNamespaces = new ImageVerifier(KERNEL, BOOT, false, new ImageFileDigests());
		ImageSealer.seal(this.folder);
		assertThatExceptionOfType(ImageIntegrityException.class)
			.isThrownBy(() -> withoutTimeNamespaces.verify(this.folder, ImageManifest.read(this.folder)))
			.withMessageContaining("was taken before this host last booted (boot an-earlier-boot, and this is boot "
					+ BOOT + "), and this kernel has no time namespaces")
			.withMessageContaining("Restore it on a kernel with time namespaces (Linux 5.6 or later, CONFIG_TIME_NS=y), "
					+ "or dump the service again in this boot");
	}

	@Test
	void imageOfThisBootIsRestoredWhereTheKernelHasNoTimeNamespaces() throws IOException {
		// Within one boot the monotonic clock only went on while the image waited: timers
		// that came due fire at once, none waits longer than it asked for
		ImageVerifier withoutTimeNamespaces = new ImageVerifier(KERNEL, "an-earlier-boot", false,
				new ImageFileDigests());
		ImageSealer.seal(this.folder);
		assertThatNoException()
			.isThrownBy(() -> withoutTimeNamespaces.verify(this.folder, ImageManifest.read(this.folder)));
	}

	@Test
	void sealerRefusesAFolderThatHoldsMoreThanFiles() throws IOException {
		Files.createDirectory(this.folder.resolve("nested"));
		assertThatExceptionOfType(IOException.class).isThrownBy(() -> ImageSealer.seal(this.folder))
			.withMessageContaining(this.folder.resolve("nested") + " is not a regular file");
		assertThat(this.folder.resolve(ImageManifest.FILE_NAME)).doesNotExist();
	}

	private ImageManifest manifest(String kernel, String javaHome) {
		return manifest(kernel, JAVA_VERSION, javaHome);
	}

	private ImageManifest manifest(String kernel, String javaVersion, String javaHome) {
		return ImageManifest.builder()
			.imageId("img-1")
			.kind(Kind.DUMP)
			.engine("criu", "4.2.1")
			.createdAt(Instant.parse("2026-12-03T01:00:00Z"))
			.application(new Application("hello-web", 8080, "/"))
			.process(4242, 1000)
			.java(javaVersion, javaHome)
			.host("an-earlier-boot", kernel)
			.identity(new ImageIdentity("original", 0))
			.build();
	}

	private String refusal() {
		return refused().getMessage();
	}

	private Path refusedFile() {
		return refused().getFile();
	}

	private ImageIntegrityException refused() {
		try {
			this.verifier.verify(this.folder, ImageManifest.read(this.folder));
		}
		catch (ImageIntegrityException ex) {
			return ex;
		}
		catch (IOException ex) {
			throw new AssertionError("not an integrity failure", ex);
		}
		throw new AssertionError("verified without error");
	}

	private Path[] files() throws IOException {
		try (Stream<Path> files = Files.list(this.folder)) {
			return files.toArray(Path[]::new);
		}
	}

	private static String mode(Path path) {
		try {
			return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
