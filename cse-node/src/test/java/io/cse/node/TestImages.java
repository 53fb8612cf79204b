package io.cse.node;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;

import io.cse.snapshot.ImageAttachment;
import io.cse.snapshot.ImageIdentity;
import io.cse.snapshot.ImageManifest;
import io.cse.snapshot.ImageManifest.Kind;
import io.cse.snapshot.ImageSealer;

/**
 * Image folders for tests: an empty CRIU inventory and a manifest, written and sealed the
 * way the starter does, for the JDK that runs the tests.
 */
public final class TestImages {

	private TestImages() {
	}

	public static Path template(Path root, String id, long pid, int port) throws IOException {
		return write(root, id, Kind.TEMPLATE, pid, port, "/");
	}

	public static Path write(Path root, String id, Kind kind, long pid, int port, String healthPath)
			throws IOException {
		return write(root, id, kind, pid, new ImageManifest.Application("hello-web", port, healthPath));
	}

	public static Path write(Path root, String id, Kind kind, long pid, ImageManifest.Application application)
			throws IOException {
		Path dir = incomplete(root, id);
		manifest(id, kind, pid, application).writePending(dir);
		ImageSealer.seal(dir);
		return dir;
	}

	/**
	 * A template that carries the token its instances' endpoint wants, as the starter
	 * attaches it with {@code cse.endpoint.token-file}.
	 */
	public static Path withEndpointToken(Path root, String id, long pid, int port, String token) throws IOException {
		Path dir = incomplete(root, id);
		Files.writeString(dir.resolve(ImageAttachment.ENDPOINT_TOKEN), token + "\n");
		Files.setPosixFilePermissions(dir.resolve(ImageAttachment.ENDPOINT_TOKEN),
				PosixFilePermissions.fromString("rw-------"));
		manifest(id, Kind.TEMPLATE, pid, port, "/").writePending(dir);
		ImageSealer.seal(dir);
		return dir;
	}

	public static Path incomplete(Path root, String id) throws IOException {
		Path dir = root.resolve(id);
		Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
		Files.writeString(dir.resolve("inventory.img"), "");
		return dir;
	}

	public static ImageManifest manifest(String id, Kind kind, long pid, int port, String healthPath) {
		return manifest(id, kind, pid, new ImageManifest.Application("hello-web", port, healthPath));
	}

	public static ImageManifest manifest(String id, Kind kind, long pid, ImageManifest.Application application) {
		return ImageManifest.builder()
			.imageId(id)
			.kind(kind)
			.engine("criu", "4.2.1")
			.createdAt(Instant.parse("2026-11-27T10:00:00Z"))
			.application(application)
			.process(pid, 167000000)
			.java(System.getProperty("java.version"), System.getProperty("java.home"))
			.host(null, System.getProperty("os.version"))
			.identity(new ImageIdentity("original", 0))
			.build();
	}

}
