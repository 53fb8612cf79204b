package io.cse.snapshot;

import java.util.regex.Pattern;

/**
 * A file that an image carries besides the process's own, for whoever restores it: written
 * into the image folder ({@code 0600}) before the snapshot, so that the image's manifest
 * lists it with its hash and a restore verifies it like any other file of the image.
 */
public final class ImageAttachment {

	/**
	 * The attachment that holds the token the instance's endpoint wants
	 * ({@code Authorization: Bearer TOKEN}): the node agent sends it to every instance
	 * restored from the image, which holds the same token in memory.
	 */
	public static final String ENDPOINT_TOKEN = "endpoint-token";

	private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,63}");

	private final String fileName;

	private final byte[] content;

	/**
	 * Create an attachment.
	 * @param fileName its file name in the image folder: lower-case letters, digits and
	 * dashes, never a name CRIU or the manifest uses
	 * @param content what the file holds
	 */
	public ImageAttachment(String fileName, byte[] content) {
		if (!NAME.matcher(fileName).matches() || fileName.startsWith("manifest")) {
			throw new IllegalArgumentException("'" + fileName + "' cannot name an image attachment: use lower-case "
					+ "letters, digits and dashes, and no name that starts with 'manifest'");
		}
		this.fileName = fileName;
		this.content = content.clone();
	}

	/**
	 * Return the attachment's file name in the image folder.
	 * @return the file name
	 */
	public String fileName() {
		return this.fileName;
	}

	/**
	 * Return what the file holds.
	 * @return a copy of its content
	 */
	public byte[] content() {
		return this.content.clone();
	}

}
