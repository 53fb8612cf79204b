package io.cse.snapshot;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;

/**
 * One file of an image as its manifest records it: its size and its SHA-256, taken once
 * the engine had written it, so that a reader can tell a truncated or changed file.
 */
public final class ImageFile {

	private final long size;

	private final String sha256;

	/**
	 * Describe a file.
	 * @param size its size in bytes
	 * @param sha256 its SHA-256, in lower-case hex
	 */
	public ImageFile(long size, String sha256) {
		this.size = size;
		this.sha256 = Objects.requireNonNull(sha256, "sha256");
	}

	/**
	 * Describe a file as it is now: read it whole.
	 * @param file the file
	 * @return its size and SHA-256
	 * @throws IOException if it cannot be read
	 */
	public static ImageFile of(Path file) throws IOException {
		MessageDigest digest;
		try {
			digest = MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException ex) {
			// Every Java platform must provide SHA-256.
			throw new IllegalStateException(ex);
		}
		long size = 0;
		byte[] buffer = new byte[1 << 16];
		try (InputStream in = Files.newInputStream(file)) {
			for (int n = in.read(buffer); n != -1; n = in.read(buffer)) {
				digest.update(buffer, 0, n);
				size += n;
			}
		}
		StringBuilder hex = new StringBuilder(64);
		for (byte b : digest.digest()) {
			hex.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
		}
		return new ImageFile(size, hex.toString());
	}

	/**
	 * Return the file's size.
	 * @return the size in bytes
	 */
	public long size() {
		return this.size;
	}

	/**
	 * Return the file's SHA-256.
	 * @return the hash, in lower-case hex
	 */
	public String sha256() {
		return this.sha256;
	}

	@Override
	public boolean equals(Object other) {
		if (this == other) {
			return true;
		}
		if (!(other instanceof ImageFile)) {
			return false;
		}
		ImageFile that = (ImageFile) other;
		return this.size == that.size && this.sha256.equals(that.sha256);
	}

	@Override
	public int hashCode() {
		return Objects.hash(this.size, this.sha256);
	}

	@Override
	public String toString() {
		return this.size + " bytes, sha256 " + this.sha256;
	}

}
