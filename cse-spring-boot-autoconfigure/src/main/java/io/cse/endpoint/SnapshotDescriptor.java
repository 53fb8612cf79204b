package io.cse.endpoint;

/**
 * A snapshot that was accepted and is under way.
 */
public final class SnapshotDescriptor {

	private final String operation;

	private final String imageId;

	private final String folder;

	private final String engine;

	private final String then;

	SnapshotDescriptor(String operation, String imageId, String folder, String engine, String then) {
		this.operation = operation;
		this.imageId = imageId;
		this.folder = folder;
		this.engine = engine;
		this.then = then;
	}

	/**
	 * Return the operation.
	 * @return {@code dump} or {@code clone}
	 */
	public String getOperation() {
		return this.operation;
	}

	/**
	 * Return the image's id.
	 * @return the id
	 */
	public String getImageId() {
		return this.imageId;
	}

	/**
	 * Return the image folder.
	 * @return the folder's path
	 */
	public String getFolder() {
		return this.folder;
	}

	/**
	 * Return the engine that takes the snapshot.
	 * @return the engine's name
	 */
	public String getEngine() {
		return this.engine;
	}

	/**
	 * Return what happens to this process.
	 * @return what happens next
	 */
	public String getThen() {
		return this.then;
	}

}
