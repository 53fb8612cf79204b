package io.cse.snapshot;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Completes an image once its engine has written it: makes the folder {@code 0700} and
 * every file {@code 0600}, records the size and SHA-256 of every file in the manifest the
 * engine wrote before the snapshot ({@value ImageManifest#PENDING_FILE_NAME}), and writes
 * the manifest ({@value ImageManifest#FILE_NAME}) last, at once.
 * <p>
 * A {@code criu dump} that does not leave the process running ends it, so the process
 * cannot seal its own image: the CRIU engine's dump script runs {@link #main} in a JVM of
 * its own, with the JDK of the snapshotted process and, on its class path, only the
 * classes that {@link #installClasses} copies out of this one.
 */
public final class ImageSealer {

	/** What goes into the image folder and the manifest: the owner's alone. */
	static final Set<PosixFilePermission> PRIVATE_FOLDER = PosixFilePermissions.fromString("rwx------");

	/**
	 * Every class the sealer runs with, in package {@code io.cse.snapshot}: the manifest
	 * format and nothing of the starter. A test runs the sealer with exactly these.
	 */
	static final String[] CLASSES = { "ImageSealer", "ImageFile", "ImageManifest", "ImageManifest$Kind",
			"ImageManifest$Application", "ImageManifestBuilder", "ManifestReader", "ManifestReader$Fields",
			"JsonParser", "JsonParser$SyntaxException", "JsonWriter", "ImageIdentity", "ImageFormatException",
			"CriuInventory", "CriuInventory$Reader" };

	/**
	 * The argument that says the dump's network lock is released already (see
	 * {@link CriuInventory}).
	 */
	public static final String NETWORK_UNLOCKED = "--network-unlocked";

	private ImageSealer() {
	}

	/**
	 * Seal the image in a folder, as the CRIU engine's dump script does.
	 * @param args the image folder, then {@value #NETWORK_UNLOCKED} if the dump's network
	 * lock is released already
	 */
	public static void main(String[] args) {
		boolean networkUnlocked = args.length == 2 && NETWORK_UNLOCKED.equals(args[1]);
		if (args.length != 1 && !networkUnlocked) {
			System.err.println("Error (cse image sealer): usage: ImageSealer <image folder> [" + NETWORK_UNLOCKED + "]");
			System.exit(2);
		}
		try {
			Path folder = Paths.get(args[0]);
			if (networkUnlocked) {
				// Before the files are hashed: the manifest records the inventory as restores read it
				markNetworkUnlocked(folder);
			}
			seal(folder);
		}
		catch (IOException | RuntimeException ex) {
			// The dump script appends this to dump.log, whose last errors the starter reports.
			System.err.println("Error (cse image sealer): cannot complete the image in " + args[0] + ": " + ex);
			System.exit(1);
		}
	}

	/**
	 * Record in the image that its dump's network lock is gone, where its inventory can be
	 * read: an inventory that cannot stays as CRIU wrote it, and its restores delete the
	 * lock themselves, as before (a few milliseconds more, nothing else).
	 */
	private static void markNetworkUnlocked(Path folder) {
		try {
			CriuInventory.markNetworkUnlocked(folder);
		}
		catch (IOException ex) {
			System.err.println("Warn (cse image sealer): restores of " + folder
					+ " will delete CRIU's network lock again: " + ex.getMessage());
		}
	}

	/**
	 * Complete the image in a folder that holds the engine's files and the pending
	 * manifest.
	 * @param folder the image folder
	 * @return the complete manifest, as written
	 * @throws IOException if the folder holds anything but files, or cannot be read or
	 * written; then no manifest is written and the image is never restored
	 */
	public static ImageManifest seal(Path folder) throws IOException {
		Path pendingFile = folder.resolve(ImageManifest.PENDING_FILE_NAME);
		ImageManifest pending = ManifestReader
			.fromJson(new String(Files.readAllBytes(pendingFile), StandardCharsets.UTF_8), pendingFile);
		if (Files.isSymbolicLink(folder) || !Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
			throw new IOException(folder + " is not a folder");
		}
		Files.setPosixFilePermissions(folder, PRIVATE_FOLDER);
		SortedMap<String, ImageFile> files = new TreeMap<>();
		try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder)) {
			for (Path entry : entries) {
				String name = entry.getFileName().toString();
				if (isManifest(name)) {
					continue;
				}
				if (!Files.isRegularFile(entry, LinkOption.NOFOLLOW_LINKS)) {
					throw new IOException(entry + " is not a regular file, and an image holds files only");
				}
				// Private before it is hashed: from then on only its owner could change it.
				Files.setPosixFilePermissions(entry, ImageManifest.PRIVATE_FILE);
				files.put(name, ImageFile.of(entry));
			}
		}
		ImageManifest complete = pending.withFiles(files);
		complete.writeComplete(folder);
		return complete;
	}

	static boolean isManifest(String name) {
		return name.equals(ImageManifest.FILE_NAME) || name.equals(ImageManifest.PENDING_FILE_NAME)
				|| name.equals(ImageManifest.TEMPORARY_FILE_NAME);
	}

	/**
	 * Copy the classes the sealer runs with out of this class's class loader (a jar, a
	 * jar nested in a Spring Boot jar, or a folder) into a folder, for a JVM of its own.
	 * @param target a folder that does not exist yet
	 * @return the class path to run {@link #main} with
	 * @throws IOException if a class cannot be copied
	 */
	public static Path installClasses(Path target) throws IOException {
		Path packageFolder = Files.createDirectories(target.resolve("io/cse/snapshot"),
				PosixFilePermissions.asFileAttribute(PRIVATE_FOLDER));
		for (String name : CLASSES) {
			try (InputStream in = ImageSealer.class.getResourceAsStream(name + ".class")) {
				if (in == null) {
					throw new IOException("io/cse/snapshot/" + name + ".class is missing from cse-core");
				}
				Files.copy(in, packageFolder.resolve(name + ".class"), StandardCopyOption.REPLACE_EXISTING);
			}
		}
		return target;
	}

}
