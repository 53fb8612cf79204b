package io.cse.node;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes a file so that a reader, or the next start after a crash, sees the old content or
 * the new one, never part of one: a temporary file beside it, forced to disk, then renamed
 * over it.
 */
public final class AtomicFile {

	private AtomicFile() {
	}

	/**
	 * Replace a file's content atomically.
	 * @param target the file; its folder must exist
	 * @param content the new content
	 * @throws IOException if it cannot be written; the old content is then unchanged
	 */
	public static void write(Path target, byte[] content) throws IOException {
		Path temporary = Files.createTempFile(target.getParent(), "." + target.getFileName() + "-", ".tmp");
		try {
			Files.write(temporary, content);
			try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
				channel.force(true);
			}
			try {
				Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
			}
			catch (AtomicMoveNotSupportedException ex) {
				Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
			}
		}
		finally {
			Files.deleteIfExists(temporary);
		}
	}

}
