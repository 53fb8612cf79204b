package io.cse.snapshot;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Deletes old images from the images root after a successful snapshot: every image older
 * than a maximum age, then the oldest ones beyond a maximum count. Only complete images
 * count, ordered by the time in their manifest: a folder without a readable manifest (a
 * snapshot under way, or something that is not an image) is left alone, and so is the
 * image just taken.
 */
public final class ImageRetention {

	/** Keeps every image. */
	public static final ImageRetention KEEP_ALL = new ImageRetention(0, null);

	private static final Logger logger = Logger.getLogger(ImageRetention.class.getName());

	private final int maxCount;

	private final Duration maxAge;

	/**
	 * Create a retention.
	 * @param maxCount the most images to keep, the new one included, or {@code 0} for no
	 * limit
	 * @param maxAge the age beyond which an image is deleted, or {@code null} for no limit
	 */
	public ImageRetention(int maxCount, Duration maxAge) {
		if (maxCount < 0) {
			throw new IllegalArgumentException("cse.images.max-count must be 0 (keep every image) or more, not "
					+ maxCount);
		}
		if (maxAge != null && (maxAge.isNegative() || maxAge.isZero())) {
			// A zero age would delete every image but the newest at once: surely not meant
			throw new IllegalArgumentException("cse.images.max-age must be longer than 0 (for example 7d), or unset "
					+ "to keep images of any age, not " + maxAge);
		}
		this.maxCount = maxCount;
		this.maxAge = maxAge;
	}

	/**
	 * Return whether this retention deletes anything at all.
	 * @return whether a count or an age is set
	 */
	public boolean isLimited() {
		return this.maxCount > 0 || this.maxAge != null;
	}

	/**
	 * Delete the images that this retention does not keep.
	 * @param root the images root
	 * @param kept the id of the image just taken, which is always kept
	 * @param now the time to measure ages from
	 * @return the image folders deleted, oldest first
	 * @throws IOException if the root cannot be listed
	 */
	public List<Path> prune(Path root, String kept, Instant now) throws IOException {
		if (!isLimited()) {
			return new ArrayList<>();
		}
		List<Taken> images = new ArrayList<>();
		try (DirectoryStream<Path> folders = Files.newDirectoryStream(root)) {
			for (Path folder : folders) {
				if (!Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)
						|| !Files.isRegularFile(folder.resolve(ImageManifest.FILE_NAME), LinkOption.NOFOLLOW_LINKS)) {
					continue;
				}
				try {
					images.add(new Taken(folder, ImageManifest.read(folder).createdAt()));
				}
				catch (IOException ex) {
					logger.fine("Not an image CSE can read, left alone: " + folder + " (" + ex.getMessage() + ")");
				}
			}
		}
		images.sort(Comparator.comparing((Taken taken) -> taken.createdAt).thenComparing((taken) -> taken.folder));
		List<Path> deleted = new ArrayList<>();
		int remaining = images.size();
		for (Taken image : images) {
			if (image.folder.getFileName().toString().equals(kept)) {
				continue;
			}
			boolean tooMany = this.maxCount > 0 && remaining > this.maxCount;
			boolean tooOld = this.maxAge != null && image.createdAt.plus(this.maxAge).isBefore(now);
			if (tooMany || tooOld) {
				deleteImage(image.folder);
				deleted.add(image.folder);
				remaining--;
			}
		}
		return deleted;
	}

	private static void deleteImage(Path folder) throws IOException {
		// The manifest first: a folder half deleted is never taken for a complete image.
		Files.deleteIfExists(folder.resolve(ImageManifest.FILE_NAME));
		try (Stream<Path> paths = Files.walk(folder)) {
			for (Path path : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
				Files.delete(path);
			}
		}
	}

	@Override
	public String toString() {
		return "ImageRetention[maxCount=" + this.maxCount + ", maxAge=" + this.maxAge + "]";
	}

	private static final class Taken {

		private final Path folder;

		private final Instant createdAt;

		Taken(Path folder, Instant createdAt) {
			this.folder = folder;
			this.createdAt = createdAt;
		}

	}

}
