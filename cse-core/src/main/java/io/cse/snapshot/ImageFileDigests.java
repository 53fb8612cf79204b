package io.cse.snapshot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The SHA-256 of image files, each read once per version of the file: a resident reader
 * (the node agent, restoring one template again and again to refill a pool) hashes an
 * image the first time only, and again whenever a file of it changed.
 * <p>
 * A version is told by the file's device, inode, size, modification time and change
 * time. The kernel sets the change time on every write, truncation, rename into place or
 * change of mode, and no system call sets it back, so a file that was written to since it
 * was hashed is hashed again, even if its modification time was put back.
 */
public final class ImageFileDigests {

	/** Enough for every file of a few hundred images; the eldest version goes first. */
	private static final int CAPACITY = 8192;

	private static final String STAMP_ATTRIBUTES = "unix:dev,ino,size,lastModifiedTime,ctime";

	private final Map<Path, Digest> digests = new LinkedHashMap<Path, Digest>(256, 0.75f, true) {

		@Override
		protected boolean removeEldestEntry(Map.Entry<Path, Digest> eldest) {
			return size() > CAPACITY;
		}

	};

	/**
	 * Return the size and SHA-256 of a file, reading it unless this version of it was read
	 * before.
	 * @param file a regular file
	 * @return its size and SHA-256
	 * @throws IOException if it cannot be read
	 */
	public ImageFile of(Path file) throws IOException {
		String before = stamp(file);
		synchronized (this.digests) {
			Digest known = this.digests.get(file);
			if (known != null && known.stamp.equals(before)) {
				return known.file;
			}
		}
		ImageFile read = ImageFile.of(file);
		// A file written to while it was read is not remembered: the next check reads it again.
		if (before.equals(stamp(file))) {
			synchronized (this.digests) {
				this.digests.put(file, new Digest(before, read));
			}
		}
		return read;
	}

	private static String stamp(Path file) throws IOException {
		Map<String, Object> attributes = Files.readAttributes(file, STAMP_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
		return attributes.get("dev") + ":" + attributes.get("ino") + ":" + attributes.get("size") + ":"
				+ attributes.get("lastModifiedTime") + ":" + attributes.get("ctime");
	}

	private static final class Digest {

		private final String stamp;

		private final ImageFile file;

		Digest(String stamp, ImageFile file) {
			this.stamp = stamp;
			this.file = file;
		}

	}

}
