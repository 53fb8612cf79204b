package io.cse.snapshot;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Thrown when an image is not the one its manifest describes (a file is missing,
 * truncated, changed or added) or was taken for another host (another kernel or JDK).
 * Restoring it as root would run whatever it now holds: it is refused. The message names
 * the file and says what to do.
 */
public class ImageIntegrityException extends IOException {

	private final Path file;

	/**
	 * Create a new exception.
	 * @param file the file that does not match
	 * @param message what is wrong and what to do, naming the file
	 */
	public ImageIntegrityException(Path file, String message) {
		super(message);
		this.file = file;
	}

	/**
	 * Return the file that does not match the manifest.
	 * @return the file
	 */
	public Path getFile() {
		return this.file;
	}

}
