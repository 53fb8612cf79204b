package io.cse.node.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import io.cse.node.CseException;
import io.cse.node.TestImages;
import io.cse.snapshot.ImageManifest.Kind;
import io.cse.snapshot.ImageSealer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ImageTests {

	@TempDir
	Path root;

	@Test
	void readsTheManifestTheStarterWrites() throws IOException {
		Path dir = TestImages.write(this.root, "img-1", Kind.TEMPLATE, 4242, 8080, "/actuator/cse");
		Image image = Image.open(dir);
		assertThat(image.id()).isEqualTo("img-1");
		assertThat(image.isTemplate()).isTrue();
		assertThat(image.pid()).isEqualTo(4242);
		assertThat(image.port()).isEqualTo(8080);
		assertThat(image.healthPath()).isEqualTo("/actuator/cse");
		assertThat(image.manifest().files()).containsOnlyKeys("inventory.img");
		assertThat(image.manifest()).isEqualTo(TestImages.manifest("img-1", Kind.TEMPLATE, 4242, 8080, "/actuator/cse")
			.withFiles(image.manifest().files()));
	}

	@Test
	void refusesAnImageWrittenBeforeTheManifestListedItsFiles() throws IOException {
		Path dir = TestImages.incomplete(this.root, "img-8");
		Files.writeString(dir.resolve("manifest.json"), """
				{
				  "imageId": "img-8",
				  "kind": "dump",
				  "engine": "criu",
				  "criuVersion": "4.2.1",
				  "createdAt": "2026-11-27T10:00:00Z",
				  "application": "hello-web",
				  "pid": 4242,
				  "port": 8080,
				  "healthPath": "/",
				  "javaVersion": "17.0.15",
				  "javaHome": "/usr/lib/jvm/java-17-openjdk-amd64",
				  "identity": { "instanceId": "original", "generation": 0 },
				  "residentBytes": 167000000,
				  "imageBytes": 141000000
				}
				""");
		// Readable, but nothing tells whether it was changed since.
		assertThatThrownBy(() -> Image.open(dir)).isInstanceOf(CseException.class)
			.hasMessage("image img-8 cannot be restored: " + dir.resolve("manifest.json").toAbsolutePath()
					+ " lists no files with their SHA-256 (it was written by an older CSE, or by the crac engine), so "
					+ "nothing tells whether the image was changed: dump the service again with this CSE");
	}

	@Test
	void refusesAnImageWhoseFileChangedNamingTheFile() throws IOException {
		Path dir = TestImages.write(this.root, "img-13", Kind.DUMP, 4242, 8080, "/");
		Path inventory = dir.resolve("inventory.img").toAbsolutePath();
		Files.writeString(inventory, "changed");
		assertThatThrownBy(() -> Image.open(dir)).isInstanceOf(CseException.class)
			.hasMessageStartingWith("image img-13 cannot be restored: " + inventory + " has 7 bytes, and the image's "
					+ "manifest says 0");
	}

	@Test
	void refusesAnImageWithAFileAddedNamingTheFile() throws IOException {
		Path dir = TestImages.write(this.root, "img-14", Kind.DUMP, 4242, 8080, "/");
		Path added = Files.writeString(dir.resolve("pages-9.img"), "added").toAbsolutePath();
		assertThatThrownBy(() -> Image.open(dir)).isInstanceOf(CseException.class)
			.hasMessageStartingWith("image img-14 cannot be restored: " + added + " is not listed in ");
	}

	@Test
	void computesItsSizeFromItsFiles() throws IOException {
		Path dir = TestImages.incomplete(this.root, "img-9");
		Files.write(dir.resolve("pages-1.img"), new byte[4096]);
		Files.write(dir.resolve("pages-2.img"), new byte[100]);
		TestImages.manifest("img-9", Kind.DUMP, 4242, 8080, "/").writePending(dir);
		ImageSealer.seal(dir);
		long manifest = Files.size(dir.resolve("manifest.json"));
		assertThat(Image.open(dir).bytes()).isEqualTo(manifest + 4096 + 100);
	}

	@Test
	void findsAnImageByIdUnderTheRoot() throws IOException {
		TestImages.write(this.root, "img-2", Kind.DUMP, 4242, 8080, "/");
		Image image = Image.find("img-2", this.root);
		assertThat(image.dir()).isEqualTo(this.root.resolve("img-2").toAbsolutePath());
		assertThat(image.isTemplate()).isFalse();
	}

	@Test
	void refusesAnImageWithoutManifest() throws IOException {
		Path dir = TestImages.incomplete(this.root, "img-3");
		assertThatThrownBy(() -> Image.open(dir)).isInstanceOf(CseException.class)
			.hasMessageStartingWith("image img-3 is incomplete (no manifest.json): its dump did not finish; delete it");
	}

	@Test
	void refusesAFolderThatIsNoImageWithoutOfferingToDeleteIt() throws IOException {
		// what "../../etc" leads to: no manifest, and nothing a dump writes
		Path dir = Files.createDirectories(this.root.resolve("etc"));
		Files.writeString(dir.resolve("passwd"), "root:x:0:0::/root:/bin/sh\n");
		assertThatThrownBy(() -> Image.open(dir)).isInstanceOf(CseException.class)
			.hasMessage("no image at " + dir.toAbsolutePath() + ": it has no manifest.json and nothing a dump writes; "
					+ "pass the folder of an image that a dump or a clone wrote, or its id");
	}

	@Test
	void refusesAHalfWrittenManifest() throws IOException {
		Path dir = TestImages.incomplete(this.root, "img-4");
		Files.writeString(dir.resolve("manifest.json"), "{\"imageId\": \"img-4\", \"kind\": ");
		assertThatThrownBy(() -> Image.open(dir)).isInstanceOf(CseException.class)
			.hasMessageStartingWith("image img-4 cannot be restored: " + dir.resolve("manifest.json").toAbsolutePath()
					+ " is not valid JSON")
			.hasMessageEndingWith("delete the image and take it again");
	}

	@Test
	void refusesAManifestOfANewerSchema() throws IOException {
		Path dir = TestImages.incomplete(this.root, "img-10");
		Files.writeString(dir.resolve("manifest.json"), TestImages.manifest("img-10", Kind.DUMP, 1, 8080, "/")
			.toJson()
			.replace("\"schemaVersion\": 2", "\"schemaVersion\": 3"));
		assertThatThrownBy(() -> Image.open(dir)).isInstanceOf(CseException.class)
			.hasMessageContaining("image img-10 cannot be restored")
			.hasMessageContaining("schema version 3");
	}

	@Test
	void refusesImagesOfOtherEnginesOrKinds() throws IOException {
		Path crac = TestImages.incomplete(this.root, "img-5");
		Files.writeString(crac.resolve("manifest.json"),
				TestImages.manifest("img-5", Kind.DUMP, 1, 8080, "/").toJson().replace("\"criu\",", "\"crac\","));
		assertThatThrownBy(() -> Image.open(crac)).hasMessageContaining("engine 'crac'")
			.hasMessageContaining("-XX:CRaCRestoreFrom");
		Path odd = TestImages.incomplete(this.root, "img-6");
		Files.writeString(odd.resolve("manifest.json"), TestImages.manifest("img-6", Kind.DUMP, 1, 8080, "/")
			.toJson()
			.replace("\"dump\"", "\"snapshot\""));
		assertThatThrownBy(() -> Image.open(odd)).hasMessageContaining("kind 'snapshot'");
	}

	@Test
	void refusesAnImageWithoutPortOrPid() throws IOException {
		Path noPort = TestImages.write(this.root, "img-11", Kind.DUMP, 4242, -1, "/");
		assertThatThrownBy(() -> Image.open(noPort)).hasMessageContaining("image img-11 has no valid port");
		Path noPid = TestImages.write(this.root, "img-12", Kind.DUMP, -1, 8080, "/");
		assertThatThrownBy(() -> Image.open(noPid)).hasMessageContaining("image img-12 has no valid pid");
	}

	@Test
	void refusesAnImageOthersMayChange() throws IOException {
		Path dir = TestImages.write(this.root, "img-7", Kind.TEMPLATE, 1, 8080, "/");
		Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
		assertThatThrownBy(() -> Image.open(dir)).isInstanceOf(CseException.class)
			.hasMessageContaining("can be changed by other users")
			.hasMessageContaining("chmod 700");
	}

	@Test
	void saysWhereItLookedForAMissingImage() {
		assertThatThrownBy(() -> Image.find("nope", this.root)).isInstanceOf(CseException.class)
			.hasMessageContaining("no image at " + this.root.resolve("nope"))
			.hasMessageContaining("--images-root");
	}

}
