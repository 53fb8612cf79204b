package io.cse.node.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import io.cse.node.CseException;
import io.cse.node.TestImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ImageTests {

	@TempDir
	Path root;

	@Test
	void readsTheManifestAndIgnoresUnknownFields() throws IOException {
		Path dir = TestImages.write(this.root, "img-1", "template", 4242, 8080, "/actuator/cse");
		Image image = Image.open(dir);
		assertThat(image.id()).isEqualTo("img-1");
		assertThat(image.isTemplate()).isTrue();
		assertThat(image.pid()).isEqualTo(4242);
		assertThat(image.port()).isEqualTo(8080);
		assertThat(image.healthPath()).isEqualTo("/actuator/cse");
		assertThat(image.manifest().application()).isEqualTo("hello-web");
		assertThat(image.manifest().identity().instanceId()).isEqualTo("original");
		assertThat(image.manifest().residentBytes()).isEqualTo(167000000L);
	}

	@Test
	void findsAnImageByIdUnderTheRoot() throws IOException {
		TestImages.write(this.root, "img-2", "dump", 4242, 8080, "/");
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
	void refusesAHalfWrittenManifest() throws IOException {
		Path dir = TestImages.incomplete(this.root, "img-4");
		Files.writeString(dir.resolve("manifest.json"), "{\"imageId\": \"img-4\", \"kind\": ");
		assertThatThrownBy(() -> Image.open(dir)).isInstanceOf(CseException.class)
			.hasMessageContaining("image img-4 has an unreadable manifest.json")
			.hasMessageContaining("delete it");
	}

	@Test
	void refusesImagesOfOtherEnginesOrKinds() throws IOException {
		Path crac = TestImages.incomplete(this.root, "img-5");
		Files.writeString(crac.resolve("manifest.json"),
				TestImages.manifest("img-5", "dump", 1, 8080, "/").replace("\"criu\",", "\"crac\","));
		assertThatThrownBy(() -> Image.open(crac)).hasMessageContaining("engine 'crac'")
			.hasMessageContaining("-XX:CRaCRestoreFrom");
		Path odd = TestImages.write(this.root, "img-6", "snapshot", 1, 8080, "/");
		assertThatThrownBy(() -> Image.open(odd)).hasMessageContaining("kind 'snapshot'");
	}

	@Test
	void refusesAnImageOthersMayChange() throws IOException {
		Path dir = TestImages.write(this.root, "img-7", "template", 1, 8080, "/");
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
