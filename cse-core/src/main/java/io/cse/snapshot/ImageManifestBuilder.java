package io.cse.snapshot;

import java.time.Instant;
import java.util.Map;

import io.cse.snapshot.ImageManifest.Application;
import io.cse.snapshot.ImageManifest.Kind;

/**
 * Builds a manifest. The image id, kind, engine, creation time, application and
 * identity are required.
 */
public final class ImageManifestBuilder {

	String imageId;

	Kind kind;

	String engine;

	String engineVersion;

	Instant createdAt;

	Application application;

	long pid = -1;

	long residentBytes = -1;

	String javaVersion;

	String javaHome;

	String javaVendor;

	String bootId;

	String kernelRelease;

	ImageIdentity identity;

	Map<String, ImageFile> files;

	ImageManifestBuilder() {
	}

	/**
	 * Set the image's id.
	 * @param imageId the id: the image folder's name
	 * @return this builder
	 */
	public ImageManifestBuilder imageId(String imageId) {
		this.imageId = imageId;
		return this;
	}

	/**
	 * Set whether a restore is the snapshotted instance itself or a new clone.
	 * @param kind the kind
	 * @return this builder
	 */
	public ImageManifestBuilder kind(Kind kind) {
		this.kind = kind;
		return this;
	}

	/**
	 * Set the engine that takes the image.
	 * @param name the engine's name
	 * @param version the version of the tool behind it, or {@code null}
	 * @return this builder
	 */
	public ImageManifestBuilder engine(String name, String version) {
		this.engine = name;
		this.engineVersion = version;
		return this;
	}

	/**
	 * Set when the snapshot was taken.
	 * @param createdAt the time
	 * @return this builder
	 */
	public ImageManifestBuilder createdAt(Instant createdAt) {
		this.createdAt = createdAt;
		return this;
	}

	/**
	 * Set what the snapshotted application is.
	 * @param application the application
	 * @return this builder
	 */
	public ImageManifestBuilder application(Application application) {
		this.application = application;
		return this;
	}

	/**
	 * Set the snapshotted process.
	 * @param pid its process id
	 * @param residentBytes its resident memory before the snapshot, or {@code -1}
	 * @return this builder
	 */
	public ImageManifestBuilder process(long pid, long residentBytes) {
		this.pid = pid;
		this.residentBytes = residentBytes;
		return this;
	}

	/**
	 * Set the snapshotted JVM.
	 * @param version its version ({@code java.version}), or {@code null}
	 * @param home its home ({@code java.home}), or {@code null}
	 * @return this builder
	 */
	public ImageManifestBuilder java(String version, String home) {
		this.javaVersion = version;
		this.javaHome = home;
		return this;
	}

	/**
	 * Set the vendor of the snapshotted JVM.
	 * @param vendor its vendor ({@code java.vendor}), or {@code null}
	 * @return this builder
	 */
	public ImageManifestBuilder javaVendor(String vendor) {
		this.javaVendor = vendor;
		return this;
	}

	/**
	 * Set the host the image is taken on.
	 * @param bootId its boot id ({@code /proc/sys/kernel/random/boot_id}), or {@code null}
	 * @param kernelRelease its kernel release ({@code uname -r}), or {@code null}
	 * @return this builder
	 */
	public ImageManifestBuilder host(String bootId, String kernelRelease) {
		this.bootId = bootId;
		this.kernelRelease = kernelRelease;
		return this;
	}

	/**
	 * Set the files of the complete image.
	 * @param files every file, by its path relative to the image folder, or {@code null}
	 * if the image is not complete yet
	 * @return this builder
	 */
	public ImageManifestBuilder files(Map<String, ImageFile> files) {
		this.files = files;
		return this;
	}

	/**
	 * Set who the snapshotted instance is.
	 * @param identity the identity
	 * @return this builder
	 */
	public ImageManifestBuilder identity(ImageIdentity identity) {
		this.identity = identity;
		return this;
	}

	/**
	 * Build the manifest.
	 * @return the manifest
	 * @throws IllegalStateException if a required field is missing
	 */
	public ImageManifest build() {
		return new ImageManifest(this);
	}

}
