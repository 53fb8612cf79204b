package io.cse.snapshot;

/**
 * Thrown when a dump or a clone names an image folder that is not acceptable: outside the
 * images root, badly named, or already there. Nothing was changed.
 */
public class InvalidImageException extends RuntimeException {

	/**
	 * Create a new exception.
	 * @param message what is wrong and what to do
	 */
	public InvalidImageException(String message) {
		super(message);
	}

}
