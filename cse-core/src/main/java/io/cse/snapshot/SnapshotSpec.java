package io.cse.snapshot;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where and how to take one snapshot.
 */
public final class SnapshotSpec {

	private final String imageId;

	private final Path folder;

	private final boolean leaveRunning;

	private final ImageManifest manifest;

	public SnapshotSpec(String imageId, Path folder, boolean leaveRunning, ImageManifest manifest) {
		this.imageId = imageId;
		this.folder = folder;
		this.leaveRunning = leaveRunning;
		this.manifest = manifest;
	}

	/**
	 * Return the image's id.
	 * @return the image id
	 */
	public String imageId() {
		return this.imageId;
	}

	/**
	 * Return the image folder: owned by this process, readable by its owner only, and
	 * empty but for the image's attachments ({@link ImageAttachment}).
	 * @return the folder
	 */
	public Path folder() {
		return this.folder;
	}

	/**
	 * Return whether the process keeps running once the image is complete.
	 * @return the leave running
	 */
	public boolean leaveRunning() {
		return this.leaveRunning;
	}

	/**
	 * Return the image's manifest, complete but for the image's files: the engine writes
	 * it into the folder before the image ({@link ImageManifest#writePending}) and, once
	 * the image is complete and only then, seals it ({@link ImageSealer}: the files'
	 * hashes added, the manifest written last). An image folder without its manifest is
	 * never restored.
	 * @return the manifest
	 */
	public ImageManifest manifest() {
		return this.manifest;
	}

	@Override
	public boolean equals(Object other) {
		if (this == other) {
			return true;
		}
		if (!(other instanceof SnapshotSpec)) {
			return false;
		}
		SnapshotSpec that = (SnapshotSpec) other;
		return Objects.equals(this.imageId, that.imageId)
				&& Objects.equals(this.folder, that.folder)
				&& this.leaveRunning == that.leaveRunning
				&& Objects.equals(this.manifest, that.manifest);
	}

	@Override
	public int hashCode() {
		return Objects.hash(this.imageId, this.folder, this.leaveRunning, this.manifest);
	}

	@Override
	public String toString() {
		return "SnapshotSpec[imageId=" + this.imageId + ", folder=" + this.folder + ", leaveRunning="
				+ this.leaveRunning + ", manifest=" + this.manifest + "]";
	}

}
