package io.cse.snapshot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

import io.cse.snapshot.ImageManifest.Application;
import io.cse.snapshot.ImageManifest.Kind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Tests for {@link ImageManifest}: what it writes is what it reads, and what it cannot read
 * is refused with a message that names the file.
 */
class ImageManifestTests {

	private static final Path FILE = Path.of("/images/img-1/manifest.json");

	@TempDir
	Path temp;

	@Test
	void writesEveryFieldWithItsSchemaVersion() {
		assertThat(manifest("hello-web").toJson()).isEqualTo("""
				{
				  "schemaVersion": 2,
				  "imageId": "img-1",
				  "kind": "template",
				  "engine": "criu",
				  "engineVersion": "4.2.1",
				  "createdAt": "2026-11-27T10:00:00Z",
				  "application": "hello-web",
				  "port": 8080,
				  "healthPath": "/actuator/health",
				  "healthPort": 8080,
				  "endpointPort": 8080,
				  "endpointPath": "/actuator/cse",
				  "pid": 4242,
				  "javaVersion": "17.0.15",
				  "javaHome": "/usr/lib/jvm/java-17",
				  "javaVendor": "Eclipse Adoptium",
				  "bootId": "0f3c5d2e-8a41-4b7e-9c1d-2e6f7a8b9c0d",
				  "kernelRelease": "6.8.0-45-generic",
				  "identity": {
				    "instanceId": "original",
				    "generation": 2
				  },
				  "residentBytes": 167000000,
				  "files": {
				    "dump.log": {
				      "size": 10230,
				      "sha256": "5f2b1e0c9d8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c"
				    },
				    "pages-1.img": {
				      "size": 141000000,
				      "sha256": "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d"
				    }
				  }
				}
				""");
	}

	@Test
	void snapshotsGuideShowsWhatTheWriterWrites() throws IOException {
		String guide = Files.readString(Path.of("..", "docs", "snapshots.md"));
		assertThat(guide).contains("```json\n" + manifest("hello-web").toJson() + "```\n");
	}

	@Test
	void readsWhatItWrites() throws IOException {
		ImageManifest manifest = manifest("hello-web");
		assertThat(ManifestReader.fromJson(manifest.toJson(), FILE)).isEqualTo(manifest);
	}

	@Test
	void readsTheManagementPortOfAnApplicationThatHasOne() throws IOException {
		Application application = new Application("orders", 8080, "/manage/actuator/health", 9090, 9090,
				"/manage/actuator/cse");
		ImageManifest manifest = ImageManifest.builder()
			.imageId("img-1")
			.kind(ImageManifest.Kind.DUMP)
			.engine("criu", "4.2.1")
			.createdAt(Instant.parse("2026-11-27T10:00:00Z"))
			.application(application)
			.process(4242, 167000000)
			.identity(new ImageIdentity("original", 0))
			.build();
		ImageManifest read = ManifestReader.fromJson(manifest.toJson(), FILE);
		assertThat(read.application()).isEqualTo(application);
		assertThat(read.application().endpointPort()).isEqualTo(9090);
		assertThat(read.application().healthPort()).isEqualTo(9090);
		assertThat(read.application().endpointPath()).isEqualTo("/manage/actuator/cse");
	}

	@Test
	void readsWhatItWritesWithNullsAndNoHttp() throws IOException {
		ImageManifest manifest = ImageManifest.builder()
			.imageId("img-2")
			.kind(Kind.DUMP)
			.engine("crac", null)
			.createdAt(Instant.parse("2026-11-27T10:00:00.123456789Z"))
			.application(new Application(null, -1, null))
			.identity(new ImageIdentity("original", 0))
			.build();
		ImageManifest read = ManifestReader.fromJson(manifest.toJson(), FILE);
		assertThat(read).isEqualTo(manifest);
		assertThat(read.pid()).isEqualTo(-1);
		assertThat(read.residentBytes()).isEqualTo(-1);
		assertThat(read.javaHome()).isNull();
	}

	@Test
	void escapesWhatJsonMustEscapeAndReadsItBack() throws IOException {
		String name = "quote \" backslash \\ slash / tab \t newline \n return \r bell \u0007 é 漢 \uD83D\uDE00";
		ImageManifest manifest = manifest(name);
		String json = manifest.toJson();
		assertThat(json).contains("\"quote \\\" backslash \\\\ slash / tab \\t newline \\n return \\r bell \\u0007 é 漢 ");
		assertThat(ManifestReader.fromJson(json, FILE).application().name()).isEqualTo(name);
	}

	@Test
	void readsEveryEscapeJsonAllows() throws IOException {
		String json = manifest("x").toJson()
			.replace("\"application\": \"x\"", "\"application\": \"\\u0041\\/\\b\\f\\uD83D\\uDE00\\\"\"");
		assertThat(ManifestReader.fromJson(json, FILE).application().name()).isEqualTo("A/\b\f\uD83D\uDE00\"");
	}

	@Test
	void readsTheNestedIdentity() throws IOException {
		ImageManifest read = ManifestReader.fromJson(manifest("hello-web").toJson(), FILE);
		assertThat(read.identity().instanceId()).isEqualTo("original");
		assertThat(read.identity().generation()).isEqualTo(2);
	}

	@Test
	void ignoresFieldsItDoesNotKnow() throws IOException {
		String json = manifest("hello-web").toJson()
			.replace("\"residentBytes\"", "\"newer\": {\"nested\": {\"deeper\": [1, 2.5e3, -0.5, true, false, null, "
					+ "\"text\", {}, []]}},\n  \"flag\": false,\n  \"residentBytes\"")
			.replace("\"generation\": 2", "\"generation\": 2, \"parentId\": \"p\"");
		assertThat(ManifestReader.fromJson(json, FILE)).isEqualTo(manifest("hello-web"));
	}

	@Test
	void readsAnImageWrittenBeforeTheSchemaHadAVersionAsVersionOne() throws IOException {
		// What the starter wrote before: no schemaVersion, a criuVersion and an imageBytes
		// patched in after the dump, the identity on one line.
		String json = """
				{
				  "imageId": "img-1",
				  "kind": "template",
				  "engine": "criu",
				  "criuVersion": "4.2.1",
				  "engineVersion": "4.2.1",
				  "createdAt": "2026-11-27T10:00:00Z",
				  "application": "hello-web",
				  "pid": 4242,
				  "port": 8080,
				  "healthPath": "/actuator/health",
				  "javaVersion": "17.0.15",
				  "javaHome": "/usr/lib/jvm/java-17",
				  "identity": {"instanceId": "original", "generation": 2},
				  "residentBytes": 167000000,
				  "imageBytes": 141000000
				}
				""";
		ImageManifest read = ManifestReader.fromJson(json, FILE);
		assertThat(read).isEqualTo(versionOne());
		assertThat(read.files()).as("version 1 lists no files: a restore refuses it").isNull();
	}

	@Test
	void readsTheFilesOfTheImage() throws IOException {
		ImageManifest read = ManifestReader.fromJson(manifest("hello-web").toJson(), FILE);
		assertThat(read.files()).containsOnlyKeys("dump.log", "pages-1.img");
		assertThat(read.files().get("pages-1.img").size()).isEqualTo(141000000);
		assertThat(read.kernelRelease()).isEqualTo("6.8.0-45-generic");
		assertThat(read.bootId()).isEqualTo("0f3c5d2e-8a41-4b7e-9c1d-2e6f7a8b9c0d");
		assertThat(read.javaVendor()).isEqualTo("Eclipse Adoptium");
	}

	@Test
	void refusesAFileEntryThatIsNoHash() {
		String json = manifest("hello-web").toJson().replace("\"sha256\": \"5f2b", "\"sha256\": \"5F2B");
		assertThat(formatError(json)).isEqualTo(FILE + ": \"files.dump.log.sha256\" is not a SHA-256 in lower-case hex: "
				+ "delete the image and take it again");
	}

	@Test
	void refusesANewerSchemaVersion() {
		String json = manifest("hello-web").toJson().replace("\"schemaVersion\": 2", "\"schemaVersion\": 3");
		assertThatExceptionOfType(ImageFormatException.class).isThrownBy(() -> ManifestReader.fromJson(json, FILE))
			.withMessageStartingWith(FILE.toString())
			.withMessageContaining("schema version 3")
			.withMessageContaining("reads up to version 2")
			.satisfies((ex) -> assertThat(ex.getFile()).isEqualTo(FILE));
	}

	@Test
	void refusesHalfADocumentSayingWhere() {
		String json = "{\"imageId\": \"img-1\", \"kind\": ";
		assertThatExceptionOfType(ImageFormatException.class).isThrownBy(() -> ManifestReader.fromJson(json, FILE))
			.withMessage(FILE + " is not valid JSON (expected a value at the end of the document): delete the image "
					+ "and take it again");
	}

	@Test
	void refusesMalformedDocumentsSayingWhere() {
		assertThat(syntaxError("{\"imageId\": \"img-1\"\n  \"kind\": \"dump\"}"))
			.contains("expected ',' or '}' at line 2, column 3");
		assertThat(syntaxError("{\"imageId\": 'img-1'}")).contains("expected a value at line 1, column 13");
		assertThat(syntaxError("[1, 2]")).contains("expected '{' at line 1, column 1");
		assertThat(syntaxError("{} {}")).contains("expected the end of the document at line 1, column 4");
		assertThat(syntaxError("{\"a\": 1, \"a\": 2}")).contains("duplicate field \"a\"");
		assertThat(syntaxError("{\"a\": \"line\nbreak\"}")).contains("control character in a string");
		assertThat(syntaxError("{\"a\": \"\\x\"}")).contains("invalid escape at line 1, column 9");
		assertThat(syntaxError("{\"a\": \"\\u12\"}")).contains("invalid \\u escape");
		assertThat(syntaxError("{\"a\": 01}")).contains("expected ',' or '}'");
		assertThat(syntaxError("{\"a\": 1.}")).contains("expected a digit after '.'");
		assertThat(syntaxError("{\"a\": 99999999999999999999}")).contains("out of range");
		assertThat(syntaxError("{\"a\": tru}")).contains("expected a value");
		assertThat(syntaxError("{\"a\": [1 2]}")).contains("expected ',' or ']'");
		assertThat(syntaxError("{\"a\": \"open")).contains("unterminated string");
		assertThat(syntaxError("{\"a\": " + "[".repeat(100) + "]".repeat(100) + "}"))
			.contains("nested deeper than 32 levels");
		assertThat(syntaxError("")).contains("expected '{' at the end of the document");
	}

	@Test
	void refusesMissingOrMistypedFieldsNamingThem() {
		String json = manifest("hello-web").toJson();
		assertThat(formatError(json.replace("\"pid\": 4242,", ""))).isEqualTo(FILE + " has no \"pid\": delete the "
				+ "image and take it again");
		assertThat(formatError(json.replace("\"pid\": 4242", "\"pid\": \"4242\"")))
			.isEqualTo(FILE + ": \"pid\" is not a whole number: delete the image and take it again");
		assertThat(formatError(json.replace("\"port\": 8080", "\"port\": 80.5"))).contains("\"port\" is not a whole number");
		assertThat(formatError(json.replace("\"port\": 8080", "\"port\": 4294967296"))).contains("\"port\" is out of range");
		assertThat(formatError(json.replace("\"instanceId\": \"original\"", "\"instanceId\": null")))
			.contains("has no \"identity.instanceId\"");
		assertThat(formatError(json.replace("\"imageId\": \"img-1\"", "\"imageId\": 1")))
			.contains("\"imageId\" is not a string");
		assertThat(formatError(json.replace("\"createdAt\": \"2026-11-27T10:00:00Z\"", "\"createdAt\": \"yesterday\"")))
			.contains("\"createdAt\" is not an ISO-8601 instant");
		assertThat(formatError(json.replace("\"kind\": \"template\"", "\"kind\": \"snapshot\"")))
			.isEqualTo(FILE + " has kind 'snapshot', expected 'dump' or 'template': delete the image and take it again");
		assertThat(formatError(json.replace("\"schemaVersion\": 2", "\"schemaVersion\": 0")))
			.contains("\"schemaVersion\" is 0");
	}

	@Test
	void pendingManifestIsMovedIntoPlaceWhole() throws IOException {
		ImageManifest manifest = manifest("hello-web");
		Path pending = manifest.writePending(this.temp);
		assertThat(pending).isEqualTo(this.temp.resolve("manifest.json.pending"));
		assertThat(this.temp.resolve("manifest.json")).doesNotExist();
		assertThat(ImageManifest.publish(this.temp)).isEqualTo(this.temp.resolve("manifest.json"));
		assertThat(pending).doesNotExist();
		assertThat(ImageManifest.read(this.temp)).isEqualTo(manifest);
	}

	@Test
	void readNamesTheFileOfAnUnreadableManifest() throws IOException {
		Files.writeString(this.temp.resolve("manifest.json"), "{\"imageId\": ");
		assertThatExceptionOfType(ImageFormatException.class).isThrownBy(() -> ImageManifest.read(this.temp))
			.withMessageStartingWith(this.temp.resolve("manifest.json") + " is not valid JSON");
	}

	@Test
	void builderSaysWhatIsMissing() {
		assertThatIllegalStateException().isThrownBy(() -> ImageManifest.builder().imageId("img-1").build())
			.withMessage("An image manifest needs its kind");
	}

	private static String syntaxError(String json) {
		String message = formatError(json);
		assertThat(message).startsWith(FILE + " is not valid JSON (").endsWith("): delete the image and take it again");
		return message;
	}

	private static String formatError(String json) {
		try {
			ManifestReader.fromJson(json, FILE);
		}
		catch (ImageFormatException ex) {
			return ex.getMessage();
		}
		throw new AssertionError("read without error: " + json);
	}

	private static ImageManifest manifest(String application) {
		return ImageManifest.builder()
			.imageId("img-1")
			.kind(Kind.TEMPLATE)
			.engine("criu", "4.2.1")
			.createdAt(Instant.parse("2026-11-27T10:00:00Z"))
			.application(new Application(application, 8080, "/actuator/health"))
			.process(4242, 167000000)
			.java("17.0.15", "/usr/lib/jvm/java-17")
			.javaVendor("Eclipse Adoptium")
			.host("0f3c5d2e-8a41-4b7e-9c1d-2e6f7a8b9c0d", "6.8.0-45-generic")
			.identity(new ImageIdentity("original", 2))
			.files(Map.of("pages-1.img",
					new ImageFile(141000000, "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d"),
					"dump.log", new ImageFile(10230, "5f2b1e0c9d8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c")))
			.build();
	}

	private static ImageManifest versionOne() {
		return ImageManifest.builder()
			.imageId("img-1")
			.kind(Kind.TEMPLATE)
			.engine("criu", "4.2.1")
			.createdAt(Instant.parse("2026-11-27T10:00:00Z"))
			.application(new Application("hello-web", 8080, "/actuator/health"))
			.process(4242, 167000000)
			.java("17.0.15", "/usr/lib/jvm/java-17")
			.identity(new ImageIdentity("original", 2))
			.build();
	}

}
