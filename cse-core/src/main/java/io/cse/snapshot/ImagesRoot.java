package io.cse.snapshot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Checks the folder images are written into before a snapshot. An image holds everything
 * the process had in memory, passwords and keys included, and whoever can change it runs
 * code as root at the next restore: the folder must belong to the service's user or to
 * root, be no symbolic link (which could point anywhere), and give its group and other
 * users no access at all ({@code 0700}).
 */
public final class ImagesRoot {

	private final String user;

	/**
	 * Create a check for images written by this process's user.
	 */
	public ImagesRoot() {
		this(System.getProperty("user.name"));
	}

	/**
	 * Create a check for images written by a user.
	 * @param user the user whose folder it may be, besides root
	 */
	public ImagesRoot(String user) {
		this.user = user;
	}

	/**
	 * Check a folder that images are about to be written into. A folder that does not
	 * exist yet passes: it is created {@code 0700}.
	 * @param root the folder
	 * @param setting what the users of the application call the setting that names it
	 * @throws InvalidImageException if no image may be written there: the message names
	 * the folder and the command that fixes it
	 */
	public void check(Path root, String setting) {
		if (Files.isSymbolicLink(root)) {
			throw new InvalidImageException("The images root " + root + " is a symbolic link, which could lead images "
					+ "anywhere: set " + setting + " to the folder it points to ($(readlink -f " + root + "))");
		}
		if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
			return;
		}
		if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
			throw new InvalidImageException("The images root " + root + " is not a folder: set " + setting
					+ " to a folder");
		}
		String owner;
		Set<PosixFilePermission> permissions;
		try {
			owner = Files.getOwner(root, LinkOption.NOFOLLOW_LINKS).getName();
			permissions = Files.getPosixFilePermissions(root, LinkOption.NOFOLLOW_LINKS);
		}
		catch (IOException | UnsupportedOperationException ex) {
			throw new InvalidImageException("Cannot check who may read the images root " + root + " (" + ex
					+ "): images can be written only where their owner alone can read them");
		}
		if (!owner.equals(this.user) && !owner.equals("root")) {
			throw new InvalidImageException("The images root " + root + " belongs to user " + owner + ", who could "
					+ "read and change every image in it: run 'chown " + this.user + " " + root + "', or set " + setting
					+ " to a folder of " + this.user + "'s");
		}
		for (PosixFilePermission permission : permissions) {
			if (permission != PosixFilePermission.OWNER_READ && permission != PosixFilePermission.OWNER_WRITE
					&& permission != PosixFilePermission.OWNER_EXECUTE) {
				throw new InvalidImageException("The images root " + root + " is open to other users ("
						+ PosixFilePermissions.toString(permissions) + "), and an image holds everything in the "
						+ "service's memory, passwords and keys included: run 'chmod 700 " + root + "'");
			}
		}
	}

}
