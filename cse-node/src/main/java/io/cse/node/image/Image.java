package io.cse.node.image;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import java.util.stream.Stream;

import io.cse.node.CseException;
import io.cse.snapshot.ImageFormatException;
import io.cse.snapshot.ImageIntegrityException;
import io.cse.snapshot.ImageAttachment;
import io.cse.snapshot.ImageManifest;
import io.cse.snapshot.ImageFileDigests;
import io.cse.snapshot.ImageVerifier;

/**
 * A complete image folder: CRIU image files and the {@link ImageManifest} the starter
 * wrote after them, checked before anything restores it: its folder is root's or the
 * agent's user's and no one else may change it, and every file is the one the manifest
 * lists ({@link ImageVerifier}).
 */
public final class Image {

	/** One per agent: the digests of image files it has read, shared by every restore. */
	private static final ImageVerifier VERIFIER = new ImageVerifier(new ImageFileDigests());

	/**
	 * The file an image folder is complete with.
	 */
	public static final String MANIFEST = ImageManifest.FILE_NAME;

	/**
	 * The engine of the images this agent restores.
	 */
	private static final String ENGINE_CRIU = "criu";

	/**
	 * Where images are looked up by id unless {@code --images-root} says otherwise.
	 */
	public static final String DEFAULT_ROOT = "/var/lib/cse/images";

	private final Path dir;

	private final ImageManifest manifest;

	private Image(Path dir, ImageManifest manifest) {
		this.dir = dir;
		this.manifest = manifest;
	}

	/**
	 * Find and open an image.
	 * @param argument an image folder, or the id of an image under {@code imagesRoot}
	 * @param imagesRoot where image ids are looked up
	 * @return the image
	 * @throws CseException if there is no such image, it is incomplete, not safe to restore,
	 * or its manifest is not usable
	 */
	public static Image find(String argument, Path imagesRoot) {
		Path path = Path.of(argument);
		boolean looksLikePath = argument.contains("/") || argument.startsWith(".");
		if (!looksLikePath && !Files.isDirectory(path)) {
			path = imagesRoot.resolve(argument);
		}
		if (!Files.isDirectory(path)) {
			throw CseException.notFound("no image at " + path + ": pass an image folder, or the id of an image under "
					+ imagesRoot + " (set another root with --images-root)");
		}
		return open(path);
	}

	/**
	 * Open an image folder.
	 * @param dir the folder
	 * @return the image
	 * @throws CseException if it is incomplete, not safe to restore, or its manifest is not
	 * usable
	 */
	public static Image open(Path dir) {
		Path folder = dir.toAbsolutePath().normalize();
		String id = folder.getFileName().toString();
		Path manifestFile = folder.resolve(MANIFEST);
		if (!Files.isRegularFile(manifestFile)) {
			// Only a folder a dump wrote in (CRIU's inventory, or the manifest the sealer had
			// yet to seal) is an image whose dump did not finish: any other folder, such as
			// /etc given as "../../etc", is no image at all, and must not be offered to rm -r
			if (!Files.exists(folder.resolve("inventory.img"))
					&& !Files.exists(folder.resolve(ImageManifest.PENDING_FILE_NAME))) {
				throw CseException.notFound("no image at " + folder + ": it has no " + MANIFEST + " and nothing a dump "
						+ "writes; pass the folder of an image that a dump or a clone wrote, or its id");
			}
			throw CseException.refused("image " + id + " is incomplete (no " + MANIFEST
					+ "): its dump did not finish; delete it (rm -r " + folder + ")");
		}
		requireSafe(folder, id);
		ImageManifest manifest;
		try {
			manifest = ImageManifest.read(folder);
		}
		catch (ImageFormatException ex) {
			// The message names the file and says what to do.
			throw CseException.refused("image " + id + " cannot be restored: " + ex.getMessage());
		}
		catch (IOException ex) {
			throw new CseException("cannot read " + manifestFile + ": " + ex.getMessage());
		}
		validate(folder, id, manifest);
		verify(folder, id, manifest);
		return new Image(folder, manifest);
	}

	/**
	 * Return the token that the endpoint of this image's instances wants, if the image
	 * carries one ({@link ImageAttachment#ENDPOINT_TOKEN}): verified, like every file the
	 * manifest lists, when the image was opened.
	 * @return the token, or {@code null} if the instances' endpoint wants none
	 */
	public String endpointToken() {
		if (!this.manifest.files().containsKey(ImageAttachment.ENDPOINT_TOKEN)) {
			return null;
		}
		Path file = this.dir.resolve(ImageAttachment.ENDPOINT_TOKEN);
		try {
			return Files.readString(file, StandardCharsets.US_ASCII).strip();
		}
		catch (IOException ex) {
			throw new CseException("cannot read " + file + " of image " + id() + ": " + ex.getMessage());
		}
	}

	private static void requireSafe(Path folder, String id) {
		// criu restore, run as root, recreates whatever the image describes, credentials
		// included: an image that another user can change is a way to become root.
		try {
			Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(folder, LinkOption.NOFOLLOW_LINKS);
			if (permissions.contains(PosixFilePermission.GROUP_WRITE)
					|| permissions.contains(PosixFilePermission.OTHERS_WRITE)) {
				throw CseException.refused("image " + id + " can be changed by other users (its folder " + folder
						+ " is group- or world-writable), and restoring it as root would run whatever they put there: "
						+ "run 'chmod 700 " + folder + "' if you trust its content");
			}
			String owner = Files.getOwner(folder, LinkOption.NOFOLLOW_LINKS).getName();
			String self = System.getProperty("user.name");
			if (!"root".equals(owner) && !owner.equals(self)) {
				throw CseException.refused("image " + id + " belongs to user " + owner + ", not to root: restoring it as "
						+ "root would run whatever that user put there; run 'chown -R root " + folder
						+ "' if you trust its content");
			}
		}
		catch (UnsupportedOperationException | IOException ex) {
			throw new CseException("cannot check who may change image " + id + ": " + ex.getMessage());
		}
	}

	private static void verify(Path folder, String id, ImageManifest manifest) {
		// Before CRIU runs as root: every file is the one the starter hashed, none was added,
		// and the image was taken for this kernel and JDK. A file is read again whenever it
		// changed since the agent last read it (its change time, which nobody can set back,
		// tells), so a change between two refills of a pool is caught, and a pool's refills
		// do not read the whole template each time.
		try {
			VERIFIER.verify(folder, manifest);
		}
		catch (ImageIntegrityException ex) {
			// The message names the file and says what to do.
			throw CseException.refused("image " + id + " cannot be restored: " + ex.getMessage());
		}
		catch (IOException ex) {
			throw new CseException("cannot read image " + id + " in " + folder + ": " + ex.getMessage());
		}
	}

	private static void validate(Path folder, String id, ImageManifest manifest) {
		String fix = ": the image was not written by a compatible starter; take a new one";
		if (!ENGINE_CRIU.equalsIgnoreCase(manifest.engine())) {
			throw CseException.refused("image " + id + " was taken by engine '" + manifest.engine()
					+ "', and cse restores only '" + ENGINE_CRIU + "' images"
					+ ("crac".equalsIgnoreCase(manifest.engine()) ? ": start a CRaC JDK with -XX:CRaCRestoreFrom="
							+ folder + " instead" : fix));
		}
		if (manifest.pid() <= 0) {
			throw CseException.refused("image " + id + " has no valid pid in its " + MANIFEST + fix);
		}
		int port = manifest.application().port();
		if (port < 1 || port > 65535) {
			throw CseException.refused("image " + id + " has no valid port in its " + MANIFEST + fix);
		}
		String healthPath = manifest.application().healthPath();
		if (healthPath != null && !healthPath.startsWith("/")) {
			throw CseException.refused("image " + id + " has healthPath '" + healthPath
					+ "', which does not start with '/'" + fix);
		}
		for (int other : new int[] { manifest.application().healthPort(), manifest.application().endpointPort() }) {
			if (other < 1 || other > 65535) {
				throw CseException.refused("image " + id + " has no valid health or endpoint port in its " + MANIFEST + fix);
			}
		}
		String endpointPath = manifest.application().endpointPath();
		if (!endpointPath.startsWith("/") || endpointPath.contains("..") || endpointPath.contains("?")) {
			throw CseException.refused("image " + id + " has endpointPath '" + endpointPath
					+ "', which is not a plain path" + fix);
		}
		if (!Files.isRegularFile(folder.resolve("inventory.img"))) {
			throw CseException.refused("image " + id + " holds no CRIU image (no inventory.img in " + folder
					+ "): delete it and take a new one");
		}
	}

	/**
	 * The image folder (absolute).
	 * @return the folder
	 */
	public Path dir() {
		return this.dir;
	}

	/**
	 * The manifest the starter wrote.
	 * @return the manifest
	 */
	public ImageManifest manifest() {
		return this.manifest;
	}

	/**
	 * The image's id: the manifest's, else the folder's name.
	 * @return the id
	 */
	public String id() {
		String id = this.manifest.imageId();
		return (id != null && !id.isBlank()) ? id : this.dir.getFileName().toString();
	}

	/**
	 * Whether every restore of this image is a clone with a new identity.
	 * @return whether the image is a template
	 */
	public boolean isTemplate() {
		return this.manifest.kind() == ImageManifest.Kind.TEMPLATE;
	}

	/**
	 * The pid the dumped process had, and every restore keeps.
	 * @return the pid
	 */
	public long pid() {
		return this.manifest.pid();
	}

	/**
	 * The HTTP port the service listens on, on all addresses.
	 * @return the port
	 */
	public int port() {
		return this.manifest.application().port();
	}

	/**
	 * The path that answers 200 once a restored instance serves.
	 * @return the manifest's health path, else {@code /}
	 */
	public String healthPath() {
		String path = this.manifest.application().healthPath();
		return (path != null && !path.isBlank()) ? path : "/";
	}

	/**
	 * The size of the image: every file in its folder.
	 * @return the size in bytes
	 * @throws CseException if the folder cannot be read
	 */
	public long bytes() {
		try (Stream<Path> files = Files.walk(this.dir)) {
			return files.filter((file) -> Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS))
				.mapToLong(Image::size)
				.sum();
		}
		catch (IOException | UncheckedIOException ex) {
			throw new CseException("cannot read image " + id() + " in " + this.dir + ": " + ex.getMessage());
		}
	}

	private static long size(Path file) {
		try {
			return Files.size(file);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	@Override
	public String toString() {
		return id() + " (" + this.dir + ")";
	}

}
