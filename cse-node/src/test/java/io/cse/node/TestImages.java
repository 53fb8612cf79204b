package io.cse.node;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Image folders for tests: a manifest and an empty CRIU inventory.
 */
public final class TestImages {

	private TestImages() {
	}

	public static Path template(Path root, String id, long pid, int port) throws IOException {
		return write(root, id, "template", pid, port, "/");
	}

	public static Path write(Path root, String id, String kind, long pid, int port, String healthPath)
			throws IOException {
		Path dir = incomplete(root, id);
		Files.writeString(dir.resolve("manifest.json"), manifest(id, kind, pid, port, healthPath));
		return dir;
	}

	public static Path incomplete(Path root, String id) throws IOException {
		Path dir = root.resolve(id);
		Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
		Files.writeString(dir.resolve("inventory.img"), "");
		return dir;
	}

	public static String manifest(String id, String kind, long pid, int port, String healthPath) {
		return """
				{
				  "imageId": "%s",
				  "kind": "%s",
				  "engine": "criu",
				  "criuVersion": "4.2.1",
				  "createdAt": "2026-11-27T10:00:00Z",
				  "application": "hello-web",
				  "pid": %d,
				  "port": %d,
				  "healthPath": "%s",
				  "javaVersion": "17.0.15",
				  "javaHome": "/usr/lib/jvm/java-17-openjdk-amd64",
				  "identity": { "instanceId": "original", "generation": 0 },
				  "residentBytes": 167000000,
				  "imageBytes": 141000000,
				  "somethingNewer": { "ignored": true }
				}
				""".formatted(id, kind, pid, port, healthPath);
	}

}
