package io.cse.snapshot;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Thrown when an image's {@link ImageManifest#FILE_NAME manifest} cannot be used: it is not
 * valid JSON, misses a field, or was written in a schema this CSE does not know. The
 * message names the file, says what is wrong and what to do.
 */
public class ImageFormatException extends IOException {

	private final Path file;

	/**
	 * Create a new exception.
	 * @param file the manifest file
	 * @param message what is wrong and what to do, naming the file
	 */
	public ImageFormatException(Path file, String message) {
		super(message);
		this.file = file;
	}

	/**
	 * Return the manifest file that could not be used.
	 * @return the file
	 */
	public Path getFile() {
		return this.file;
	}

}
