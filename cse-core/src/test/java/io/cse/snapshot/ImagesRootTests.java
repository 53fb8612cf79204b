package io.cse.snapshot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNoException;

/**
 * Tests for {@link ImagesRoot} on real folders.
 */
class ImagesRootTests {

	private static final String SETTING = "cse.snapshot.images-root";

	private static final String USER = System.getProperty("user.name");

	@TempDir
	Path temp;

	@Test
	void privateFolderOfTheUserIsAccepted() throws IOException {
		Path root = folder("images", "rwx------");
		assertThatNoException().isThrownBy(() -> new ImagesRoot().check(root, SETTING));
	}

	@Test
	void folderThatDoesNotExistYetIsAccepted() {
		assertThatNoException().isThrownBy(() -> new ImagesRoot().check(this.temp.resolve("later"), SETTING));
	}

	@Test
	void worldWritableFolderIsRefusedWithTheCommandThatFixesIt() throws IOException {
		Path root = folder("images", "rwxrwxrwx");
		assertThatExceptionOfType(InvalidImageException.class).isThrownBy(() -> new ImagesRoot().check(root, SETTING))
			.withMessage("The images root " + root + " is open to other users (rwxrwxrwx), and an image holds "
					+ "everything in the service's memory, passwords and keys included: run 'chmod 700 " + root + "'");
	}

	@Test
	void folderThatTheGroupCanReadIsRefused() throws IOException {
		Path root = folder("images", "rwxr-x---");
		assertThatExceptionOfType(InvalidImageException.class).isThrownBy(() -> new ImagesRoot().check(root, SETTING))
			.withMessageContaining("(rwxr-x---)")
			.withMessageEndingWith("run 'chmod 700 " + root + "'");
	}

	@Test
	void symbolicLinkIsRefused() throws IOException {
		Path target = folder("real", "rwx------");
		Path link = Files.createSymbolicLink(this.temp.resolve("images"), target);
		assertThatExceptionOfType(InvalidImageException.class).isThrownBy(() -> new ImagesRoot().check(link, SETTING))
			.withMessage("The images root " + link + " is a symbolic link, which could lead images anywhere: set "
					+ SETTING + " to the folder it points to ($(readlink -f " + link + "))");
	}

	@Test
	void fileIsRefused() throws IOException {
		Path file = Files.writeString(this.temp.resolve("images"), "");
		assertThatExceptionOfType(InvalidImageException.class).isThrownBy(() -> new ImagesRoot().check(file, SETTING))
			.withMessageContaining(file + " is not a folder");
	}

	@Test
	void folderOfAnotherUserIsRefused() throws IOException {
		Path root = folder("images", "rwx------");
		ImagesRoot check;
		String owner;
		if ("root".equals(USER)) {
			// Root's own folders always pass: give this one to somebody else.
			UserPrincipal nobody = root.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
			Files.setOwner(root, nobody);
			check = new ImagesRoot();
			owner = "nobody";
		}
		else {
			check = new ImagesRoot("someone-else");
			owner = USER;
		}
		String user = "root".equals(USER) ? "root" : "someone-else";
		assertThatExceptionOfType(InvalidImageException.class).isThrownBy(() -> check.check(root, SETTING))
			.withMessage("The images root " + root + " belongs to user " + owner + ", who could read and change every "
					+ "image in it: run 'chown " + user + " " + root + "', or set " + SETTING + " to a folder of " + user
					+ "'s");
	}

	private Path folder(String name, String mode) throws IOException {
		Path folder = Files.createDirectory(this.temp.resolve(name));
		Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString(mode));
		return folder;
	}

}
