package io.cse.snapshot;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;

import io.cse.linux.ProcFs;

/**
 * Checks, before a restore, that an image is the one its manifest describes and that it
 * was taken for this host. Whoever restores an image runs it, as root for CRIU: every
 * reader that restores one checks it here first.
 * <p>
 * Refused, with {@link ImageIntegrityException} naming the file: a file the manifest lists
 * that is missing, of another size or another SHA-256; a file it does not list; a
 * manifest that lists no files (schema version 1); an image taken on another kernel
 * release; an image whose JDK is not at its recorded home, or is another version there.
 * <p>
 * An image of an earlier boot of this host is restored (that is what images are for):
 * CRIU restores every process in a time namespace of its own, in which the monotonic clock
 * goes on from where the dump left it, so the service's timers and pools, which count on
 * that clock, neither fire all at once nor wait for a clock that restarted at the boot. On
 * a kernel without time namespaces such an image is refused, naming both boots.
 */
public final class ImageVerifier {

	private static final String DUMP_AGAIN = "do not restore it; delete it and dump the service again";

	private static final Path TIME_NAMESPACE = Paths.get("/proc/self/ns/time");

	private final String kernelRelease;

	private final String bootId;

	private final boolean timeNamespaces;

	private final ImageFileDigests digests;

	/**
	 * Create a verifier for this host that reads every file of an image on every check.
	 */
	public ImageVerifier() {
		this(new ImageFileDigests());
	}

	/**
	 * Create a verifier for this host that reads each version of a file once.
	 * @param digests the digests of the files read so far, shared by every check of a
	 * resident reader
	 */
	public ImageVerifier(ImageFileDigests digests) {
		this(System.getProperty("os.version"), new ProcFs().bootId(), Files.exists(TIME_NAMESPACE), digests);
	}

	/**
	 * Create a verifier for a host.
	 * @param kernelRelease the host's kernel release ({@code uname -r})
	 * @param bootId the id of the host's running boot, or {@code null} if unknown
	 * @param timeNamespaces whether the host's kernel has time namespaces
	 * @param digests the digests of the files read so far
	 */
	ImageVerifier(String kernelRelease, String bootId, boolean timeNamespaces, ImageFileDigests digests) {
		this.kernelRelease = kernelRelease;
		this.bootId = bootId;
		this.timeNamespaces = timeNamespaces;
		this.digests = digests;
	}

	/**
	 * Check an image folder against its manifest, and the manifest against this host.
	 * Reads every file of the image that changed since this verifier last read it.
	 * @param folder the image folder
	 * @param manifest its manifest, as {@link ImageManifest#read} read it
	 * @throws ImageIntegrityException if the image must not be restored: the message
	 * names the file and says what to do
	 * @throws IOException if the folder cannot be read
	 */
	public void verify(Path folder, ImageManifest manifest) throws IOException {
		Path manifestFile = folder.resolve(ImageManifest.FILE_NAME);
		verifyHost(manifestFile, manifest);
		Map<String, ImageFile> files = manifest.files();
		if (files == null) {
			throw new ImageIntegrityException(manifestFile, manifestFile + " lists no files with their SHA-256 (it was "
					+ "written by an older CSE, or by the crac engine), so nothing tells whether the image was changed: "
					+ "dump the service again with this CSE");
		}
		for (Map.Entry<String, ImageFile> listed : files.entrySet()) {
			verifyFile(folder, listed.getKey(), listed.getValue());
		}
		try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder)) {
			for (Path entry : entries) {
				String name = entry.getFileName().toString();
				if (!name.equals(ImageManifest.FILE_NAME) && !files.containsKey(name)) {
					throw new ImageIntegrityException(entry, entry + " is not listed in " + manifestFile
							+ ": something was added to the image after it was taken; " + DUMP_AGAIN
							+ " (or remove that file if you put it there)");
				}
			}
		}
	}

	private void verifyHost(Path manifestFile, ImageManifest manifest) throws ImageIntegrityException {
		String takenOn = manifest.kernelRelease();
		if (takenOn != null && !takenOn.equals(this.kernelRelease)) {
			throw new ImageIntegrityException(manifestFile, "The image of " + manifestFile + " was taken on kernel "
					+ takenOn + ", and this host runs kernel " + this.kernelRelease
					+ ": CSE restores an image on the kernel that took it only; dump the service again on this host");
		}
		String takenIn = manifest.bootId();
		if (!this.timeNamespaces && takenIn != null && this.bootId != null && !takenIn.equals(this.bootId)) {
			throw new ImageIntegrityException(manifestFile, "The image of " + manifestFile
					+ " was taken before this host last booted (boot " + takenIn + ", and this is boot " + this.bootId
					+ "), and this kernel has no time namespaces: restored outside one, the service's monotonic "
					+ "clock would start again near zero, behind every deadline its timers and pools computed, and "
					+ "they would wait that long. Restore it on a kernel with time namespaces (Linux 5.6 or later, "
					+ "CONFIG_TIME_NS=y), or dump the service again in this boot");
		}
		String javaHome = manifest.javaHome();
		if (javaHome == null) {
			return;
		}
		// The restored process maps the JDK's files from where it ran: they must be there,
		// and be the same JDK.
		Path home = Paths.get(javaHome);
		if (!Files.isDirectory(home)) {
			throw new ImageIntegrityException(manifestFile, "The image of " + manifestFile + " was taken by the JDK at "
					+ javaHome + ", which is not on this host: install that JDK ("
					+ manifest.javaVersion() + ") there, or dump the service again on this host");
		}
		String installed = releaseVersion(home);
		String recorded = manifest.javaVersion();
		if (installed != null && recorded != null && !installed.equals(versionNumber(recorded))) {
			throw new ImageIntegrityException(manifestFile, "The image of " + manifestFile + " was taken by Java "
					+ recorded + ", and the JDK at " + javaHome + " is now Java " + installed
					+ ": dump the service again on this JDK");
		}
	}

	/**
	 * The version number of a {@code java.version}, as a JDK's {@code release} file gives it:
	 * without the pre-release part ({@code 11.0.33-ea} is {@code 11.0.33} there).
	 */
	static String versionNumber(String javaVersion) {
		int preRelease = javaVersion.indexOf('-');
		return (preRelease > 0) ? javaVersion.substring(0, preRelease) : javaVersion;
	}

	private static String releaseVersion(Path home) {
		// JDK 8's java.home is the JRE inside the JDK; its release file is one level up.
		for (Path folder : new Path[] { home, home.getParent() }) {
			if (folder == null) {
				continue;
			}
			Path release = folder.resolve("release");
			try {
				if (Files.isRegularFile(release)) {
					for (String line : Files.readAllLines(release, StandardCharsets.UTF_8)) {
						if (line.startsWith("JAVA_VERSION=")) {
							return line.substring("JAVA_VERSION=".length()).replace("\"", "").trim();
						}
					}
				}
			}
			catch (IOException ex) {
				return null;
			}
		}
		return null;
	}

	private void verifyFile(Path folder, String name, ImageFile expected) throws IOException {
		Path file;
		try {
			file = folder.resolve(name);
		}
		catch (InvalidPathException ex) {
			throw new ImageIntegrityException(folder, folder.resolve(ImageManifest.FILE_NAME) + " lists a file name "
					+ "that is not one (" + ex.getMessage() + "); " + DUMP_AGAIN);
		}
		if (name.contains("/") || name.equals("..") || name.equals(".") || !folder.equals(file.getParent())) {
			throw new ImageIntegrityException(file, folder.resolve(ImageManifest.FILE_NAME) + " lists '" + name
					+ "', which is not a file of the image folder; " + DUMP_AGAIN);
		}
		if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
			throw new ImageIntegrityException(file, file + " is missing" + (Files.exists(file, LinkOption.NOFOLLOW_LINKS)
					? " (there is something there, but not a regular file)" : "")
					+ ", and the image's manifest lists it: the image is incomplete or was changed; " + DUMP_AGAIN);
		}
		long size = Files.size(file);
		if (size != expected.size()) {
			throw new ImageIntegrityException(file, file + " has " + size + " bytes, and the image's manifest says "
					+ expected.size() + ": it was " + ((size < expected.size()) ? "truncated" : "changed")
					+ " after the image was taken; " + DUMP_AGAIN);
		}
		ImageFile actual = this.digests.of(file);
		if (!actual.sha256().equals(expected.sha256())) {
			throw new ImageIntegrityException(file, file + " does not match its SHA-256 in the image's manifest: it was "
					+ "changed after the image was taken; " + DUMP_AGAIN);
		}
	}

}
