package io.cse.node.instance;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import io.cse.node.CseException;

/**
 * The log folders of instances, under {@code <state-dir>/logs}: made empty before a start,
 * kept after a failed one for its error message to point at, deleted by a stop.
 */
final class LogDirs {

	private LogDirs() {
	}

	/**
	 * An empty log folder for an instance, readable by root only (logs may show the
	 * service's environment).
	 * @param registry the registry
	 * @param name the instance's name
	 * @return the folder
	 */
	static Path prepare(Registry registry, String name) {
		Path dir = registry.logDir(name);
		delete(dir);
		try {
			Files.createDirectories(dir.getParent(),
					PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
			Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
		}
		catch (IOException ex) {
			throw new CseException("cannot create " + dir + " (" + ex + "): run as root, or point --state-dir to a "
					+ "folder you may write", ex);
		}
		return dir;
	}

	/**
	 * Delete a folder and everything in it, if it exists.
	 * @param dir the folder
	 */
	static void delete(Path dir) {
		if (!Files.exists(dir)) {
			return;
		}
		try {
			Files.walkFileTree(dir, new SimpleFileVisitor<>() {
				@Override
				public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
					Files.delete(file);
					return FileVisitResult.CONTINUE;
				}

				@Override
				public FileVisitResult postVisitDirectory(Path directory, IOException ex) throws IOException {
					Files.delete(directory);
					return FileVisitResult.CONTINUE;
				}
			});
		}
		catch (IOException ex) {
			throw new CseException("cannot delete " + dir + ": " + ex.getMessage(), ex);
		}
	}

	/**
	 * How a log ends, for an error message.
	 * @param log the log
	 * @return its last lines, or where to look
	 */
	static String tail(Path log) {
		try {
			List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
			List<String> last = lines.subList(Math.max(0, lines.size() - 5), lines.size());
			return last.isEmpty() ? "it wrote nothing to " + log
					: "its log " + log + " ends with '" + String.join(" | ", last).strip() + "'";
		}
		catch (IOException ex) {
			return "see its log " + log;
		}
	}

}
