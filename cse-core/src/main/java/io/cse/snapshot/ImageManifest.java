package io.cse.snapshot;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The manifest of an image, {@code manifest.json}: what the node agent needs to restore it
 * and what a person needs to know about it. The one class that writes and reads the
 * format, for the starter that takes images and the node agent that restores them.
 * <p>
 * Everything but the image's files is known before the snapshot starts: the engine writes
 * that next to the image as {@value #PENDING_FILE_NAME}. Once the image is complete,
 * {@link ImageSealer} adds the size and SHA-256 of every file and writes {@value #FILE_NAME},
 * last and at once: a folder without {@value #FILE_NAME} is never restored, and a folder
 * whose files differ from those it lists is refused ({@link ImageVerifier}). Images of
 * schema version 1 and images of the {@code crac} engine (the JDK writes its files after
 * the last code of ours has run) list no files.
 * <p>
 * Fields that a reader does not know are ignored, so that a newer writer can add some
 * without a new {@link #SCHEMA_VERSION schema version}.
 */
public final class ImageManifest {

	/** The manifest's file name in a complete image folder. */
	public static final String FILE_NAME = "manifest.json";

	/** The manifest's file name while the image is being written. */
	public static final String PENDING_FILE_NAME = "manifest.json.pending";

	/** The manifest's file name while it is written, before it is moved into place. */
	static final String TEMPORARY_FILE_NAME = "manifest.json.tmp";

	/** The version of the format this class writes, and the newest it reads. */
	public static final int SCHEMA_VERSION = 2;

	/** Images and their manifests can be read by their owner only: they hold the process's secrets. */
	static final Set<PosixFilePermission> PRIVATE_FILE = PosixFilePermissions.fromString("rw-------");

	private final String imageId;

	private final Kind kind;

	private final String engine;

	private final String engineVersion;

	private final Instant createdAt;

	private final Application application;

	private final long pid;

	private final String javaVersion;

	private final String javaHome;

	private final String javaVendor;

	private final String bootId;

	private final String kernelRelease;

	private final ImageIdentity identity;

	private final long residentBytes;

	private final SortedMap<String, ImageFile> files;

	ImageManifest(ImageManifestBuilder builder) {
		this.imageId = required(builder.imageId, "imageId");
		this.kind = required(builder.kind, "kind");
		this.engine = required(builder.engine, "engine");
		this.engineVersion = builder.engineVersion;
		this.createdAt = required(builder.createdAt, "createdAt");
		this.application = required(builder.application, "application");
		this.pid = builder.pid;
		this.javaVersion = builder.javaVersion;
		this.javaHome = builder.javaHome;
		this.javaVendor = builder.javaVendor;
		this.bootId = builder.bootId;
		this.kernelRelease = builder.kernelRelease;
		this.identity = required(builder.identity, "identity");
		this.residentBytes = builder.residentBytes;
		this.files = (builder.files != null) ? Collections.unmodifiableSortedMap(new TreeMap<>(builder.files)) : null;
	}

	private static <T> T required(T value, String name) {
		if (value == null) {
			throw new IllegalStateException("An image manifest needs its " + name);
		}
		return value;
	}

	/**
	 * Start a manifest.
	 * @return a builder, with nothing set
	 */
	public static ImageManifestBuilder builder() {
		return new ImageManifestBuilder();
	}

	/**
	 * Return the image's id, which is its folder's name where it was taken.
	 * @return the image id
	 */
	public String imageId() {
		return this.imageId;
	}

	/**
	 * Return whether a restore is the snapshotted instance itself or a new clone.
	 * @return the kind
	 */
	public Kind kind() {
		return this.kind;
	}

	/**
	 * Return the name of the engine that took the image, such as {@code criu} or
	 * {@code crac}.
	 * @return the engine
	 */
	public String engine() {
		return this.engine;
	}

	/**
	 * Return the version of the tool behind the engine.
	 * @return the version, or {@code null} if unknown
	 */
	public String engineVersion() {
		return this.engineVersion;
	}

	/**
	 * Return when the snapshot was taken: just before the engine started.
	 * @return the time
	 */
	public Instant createdAt() {
		return this.createdAt;
	}

	/**
	 * Return what the snapshotted application is.
	 * @return the application
	 */
	public Application application() {
		return this.application;
	}

	/**
	 * Return the process id of the snapshotted process, which every restore keeps.
	 * @return the pid
	 */
	public long pid() {
		return this.pid;
	}

	/**
	 * Return the version of the snapshotted JVM.
	 * @return the version, or {@code null} if unknown
	 */
	public String javaVersion() {
		return this.javaVersion;
	}

	/**
	 * Return the home of the snapshotted JVM.
	 * @return the folder, or {@code null} if unknown
	 */
	public String javaHome() {
		return this.javaHome;
	}

	/**
	 * Return the vendor of the snapshotted JVM.
	 * @return the vendor ({@code java.vendor}), or {@code null} if unknown
	 */
	public String javaVendor() {
		return this.javaVendor;
	}

	/**
	 * Return the boot id of the host the image was taken on.
	 * @return the boot id, or {@code null} if unknown
	 */
	public String bootId() {
		return this.bootId;
	}

	/**
	 * Return the kernel release of the host the image was taken on ({@code uname -r}).
	 * @return the release, or {@code null} if unknown
	 */
	public String kernelRelease() {
		return this.kernelRelease;
	}

	/**
	 * Return every file of the image, by its path relative to the image folder, with its
	 * size and SHA-256.
	 * @return the files, sorted by path, or {@code null} if the manifest lists none (it
	 * was written before the image was complete, by the {@code crac} engine, or in schema
	 * version 1)
	 */
	public SortedMap<String, ImageFile> files() {
		return this.files;
	}

	/**
	 * Return this manifest with the files of the complete image.
	 * @param files every file of the image, by its path relative to the image folder
	 * @return a new manifest
	 */
	public ImageManifest withFiles(Map<String, ImageFile> files) {
		return builder().imageId(this.imageId)
			.kind(this.kind)
			.engine(this.engine, this.engineVersion)
			.createdAt(this.createdAt)
			.application(this.application)
			.process(this.pid, this.residentBytes)
			.java(this.javaVersion, this.javaHome)
			.javaVendor(this.javaVendor)
			.host(this.bootId, this.kernelRelease)
			.identity(this.identity)
			.files(files)
			.build();
	}

	/**
	 * Return who the snapshotted instance was.
	 * @return the identity
	 */
	public ImageIdentity identity() {
		return this.identity;
	}

	/**
	 * Return the resident memory of the process before the snapshot.
	 * @return the size in bytes, or {@code -1} if unknown
	 */
	public long residentBytes() {
		return this.residentBytes;
	}

	/**
	 * Render the manifest as a JSON document of schema version {@value #SCHEMA_VERSION}.
	 * @return the document
	 */
	public String toJson() {
		Map<String, Object> fields = new LinkedHashMap<>();
		fields.put("schemaVersion", SCHEMA_VERSION);
		fields.put("imageId", this.imageId);
		fields.put("kind", this.kind.value());
		fields.put("engine", this.engine);
		fields.put("engineVersion", this.engineVersion);
		fields.put("createdAt", this.createdAt.toString());
		// The application's fields stay at the top level, where images written before the
		// schema had a version keep them: those read as version 1.
		fields.put("application", this.application.name());
		fields.put("port", this.application.port());
		fields.put("healthPath", this.application.healthPath());
		fields.put("healthPort", this.application.healthPort());
		fields.put("endpointPort", this.application.endpointPort());
		fields.put("endpointPath", this.application.endpointPath());
		fields.put("pid", this.pid);
		fields.put("javaVersion", this.javaVersion);
		fields.put("javaHome", this.javaHome);
		fields.put("javaVendor", this.javaVendor);
		fields.put("bootId", this.bootId);
		fields.put("kernelRelease", this.kernelRelease);
		Map<String, Object> identity = new LinkedHashMap<>();
		identity.put("instanceId", this.identity.instanceId());
		identity.put("generation", this.identity.generation());
		fields.put("identity", identity);
		fields.put("residentBytes", this.residentBytes);
		if (this.files != null) {
			Map<String, Object> files = new LinkedHashMap<>();
			for (Map.Entry<String, ImageFile> file : this.files.entrySet()) {
				Map<String, Object> entry = new LinkedHashMap<>();
				entry.put("size", file.getValue().size());
				entry.put("sha256", file.getValue().sha256());
				files.put(file.getKey(), entry);
			}
			fields.put("files", files);
		}
		return JsonWriter.write(fields);
	}

	/**
	 * Write the manifest into an image folder as {@value #PENDING_FILE_NAME}, before the
	 * image: a reader looks for {@value #FILE_NAME} only.
	 * @param folder the image folder
	 * @return the pending file
	 * @throws IOException if the file cannot be written
	 * @see #publish(Path)
	 */
	public Path writePending(Path folder) throws IOException {
		Path pending = folder.resolve(PENDING_FILE_NAME);
		writePrivate(pending, toJson());
		return pending;
	}

	/**
	 * Write the manifest of a complete image into its folder as {@value #FILE_NAME}, at
	 * once: written in full to a temporary file first, then moved into place, so that a
	 * reader finds either no manifest or all of it.
	 * @param folder the image folder
	 * @return the manifest file
	 * @throws IOException if the file cannot be written
	 */
	Path writeComplete(Path folder) throws IOException {
		Path temporary = folder.resolve(TEMPORARY_FILE_NAME);
		writePrivate(temporary, toJson());
		// The pending manifest goes first: once the complete one is there, the folder holds
		// the files it lists and nothing else.
		Files.deleteIfExists(folder.resolve(PENDING_FILE_NAME));
		return Files.move(temporary, folder.resolve(FILE_NAME), StandardCopyOption.ATOMIC_MOVE);
	}

	private static void writePrivate(Path file, String content) throws IOException {
		// Created 0600 rather than with the process's umask: a manifest sits next to a
		// process's memory and is root's alone.
		Files.deleteIfExists(file);
		FileAttribute<Set<PosixFilePermission>> mode = PosixFilePermissions.asFileAttribute(PRIVATE_FILE);
		Files.createFile(file, mode);
		Files.write(file, content.getBytes(StandardCharsets.UTF_8), StandardOpenOption.TRUNCATE_EXISTING);
	}

	/**
	 * Move the pending manifest of an image folder into place, at once, as it is: without
	 * the image's files, which are written after it. For the {@code crac} engine, whose
	 * JDK writes the image once no code of ours runs any more; the CRIU engine seals its
	 * images instead ({@link ImageSealer}).
	 * @param folder the image folder
	 * @return the manifest file
	 * @throws IOException if there is no pending manifest, or it cannot be moved
	 */
	public static Path publish(Path folder) throws IOException {
		return Files.move(folder.resolve(PENDING_FILE_NAME), folder.resolve(FILE_NAME),
				StandardCopyOption.ATOMIC_MOVE);
	}

	/**
	 * Read the manifest of a complete image folder.
	 * @param folder the image folder
	 * @return the manifest
	 * @throws ImageFormatException if the manifest is not one this class can read: the
	 * message names the file and says what to do
	 * @throws IOException if the file cannot be read, or does not exist
	 */
	public static ImageManifest read(Path folder) throws IOException {
		Path file = folder.resolve(FILE_NAME);
		return ManifestReader.fromJson(new String(Files.readAllBytes(file), StandardCharsets.UTF_8), file);
	}

	@Override
	public boolean equals(Object other) {
		if (this == other) {
			return true;
		}
		if (!(other instanceof ImageManifest)) {
			return false;
		}
		ImageManifest that = (ImageManifest) other;
		return this.imageId.equals(that.imageId) && this.kind == that.kind && this.engine.equals(that.engine)
				&& Objects.equals(this.engineVersion, that.engineVersion) && this.createdAt.equals(that.createdAt)
				&& this.application.equals(that.application) && this.pid == that.pid
				&& Objects.equals(this.javaVersion, that.javaVersion) && Objects.equals(this.javaHome, that.javaHome)
				&& Objects.equals(this.javaVendor, that.javaVendor) && Objects.equals(this.bootId, that.bootId)
				&& Objects.equals(this.kernelRelease, that.kernelRelease) && this.identity.equals(that.identity)
				&& this.residentBytes == that.residentBytes && Objects.equals(this.files, that.files);
	}

	@Override
	public int hashCode() {
		return Objects.hash(this.imageId, this.kind, this.engine, this.engineVersion, this.createdAt, this.application,
				this.pid, this.javaVersion, this.javaHome, this.javaVendor, this.bootId, this.kernelRelease, this.identity,
				this.residentBytes, this.files);
	}

	@Override
	public String toString() {
		return "ImageManifest[imageId=" + this.imageId + ", kind=" + this.kind + ", engine=" + this.engine + " "
				+ this.engineVersion + ", createdAt=" + this.createdAt + ", " + this.application + ", pid=" + this.pid
				+ ", java=" + this.javaVersion + " (" + this.javaVendor + ") at " + this.javaHome + ", kernel="
				+ this.kernelRelease + ", bootId=" + this.bootId + ", " + this.identity + ", residentBytes="
				+ this.residentBytes + ", files=" + ((this.files != null) ? this.files.size() : "none") + "]";
	}

	/**
	 * Whether a restore is the snapshotted instance itself or a new clone.
	 */
	public enum Kind {

		/** Every restore is the snapshotted instance itself: restore it once. */
		DUMP("dump"),

		/** Every restore is a clone with a new identity; the snapshotted instance keeps running. */
		TEMPLATE("template");

		private final String value;

		Kind(String value) {
			this.value = value;
		}

		/**
		 * Return how the manifest spells this kind.
		 * @return the value
		 */
		public String value() {
			return this.value;
		}

		static Kind of(String value) {
			for (Kind kind : values()) {
				if (kind.value.equals(value)) {
					return kind;
				}
			}
			return null;
		}

	}

	/**
	 * What the snapshotted application is: the same for every image it takes.
	 */
	public static final class Application {

		/** Where the CSE endpoint is unless the application says otherwise. */
		public static final String DEFAULT_ENDPOINT_PATH = "/actuator/cse";

		private final String name;

		private final int port;

		private final String healthPath;

		private final int healthPort;

		private final int endpointPort;

		private final String endpointPath;

		/**
		 * Describe an application that serves its health path and the CSE endpoint on its
		 * own port, the endpoint at {@value #DEFAULT_ENDPOINT_PATH}.
		 * @param name its name ({@code spring.application.name}), or {@code null}
		 * @param port the HTTP port it listens on, on all addresses, or {@code -1}
		 * @param healthPath a path that answers 200 once it serves, or {@code null} for
		 * {@code /}
		 */
		public Application(String name, int port, String healthPath) {
			this(name, port, healthPath, port, port, DEFAULT_ENDPOINT_PATH);
		}

		/**
		 * Describe an application.
		 * @param name its name ({@code spring.application.name}), or {@code null}
		 * @param port the HTTP port it listens on, on all addresses, or {@code -1}
		 * @param healthPath a path that answers 200 once it serves, or {@code null} for
		 * {@code /}
		 * @param healthPort the port that serves the health path: the management port
		 * when it is the actuator's health endpoint on a management server of its own
		 * @param endpointPort the port that serves the CSE endpoint (the management port,
		 * if there is one)
		 * @param endpointPath the CSE endpoint's path on that port
		 */
		public Application(String name, int port, String healthPath, int healthPort, int endpointPort,
				String endpointPath) {
			this.name = name;
			this.port = port;
			this.healthPath = healthPath;
			this.healthPort = healthPort;
			this.endpointPort = endpointPort;
			this.endpointPath = (endpointPath != null) ? endpointPath : DEFAULT_ENDPOINT_PATH;
		}

		/**
		 * Return the application's name.
		 * @return the name, or {@code null}
		 */
		public String name() {
			return this.name;
		}

		/**
		 * Return the HTTP port the application listens on, on all addresses.
		 * @return the port, or {@code -1} if it serves no HTTP
		 */
		public int port() {
			return this.port;
		}

		/**
		 * Return a path that answers 200 once the application serves.
		 * @return the path, or {@code null} for {@code /}
		 */
		public String healthPath() {
			return this.healthPath;
		}

		/**
		 * Return the port that serves the {@link #healthPath() health path}.
		 * @return the port
		 */
		public int healthPort() {
			return this.healthPort;
		}

		/**
		 * Return the port that serves the CSE endpoint.
		 * @return the port
		 */
		public int endpointPort() {
			return this.endpointPort;
		}

		/**
		 * Return the CSE endpoint's path on its port.
		 * @return the path, such as {@code /actuator/cse}
		 */
		public String endpointPath() {
			return this.endpointPath;
		}

		@Override
		public boolean equals(Object other) {
			if (this == other) {
				return true;
			}
			if (!(other instanceof Application)) {
				return false;
			}
			Application that = (Application) other;
			return Objects.equals(this.name, that.name) && this.port == that.port
					&& Objects.equals(this.healthPath, that.healthPath) && this.healthPort == that.healthPort
					&& this.endpointPort == that.endpointPort && this.endpointPath.equals(that.endpointPath);
		}

		@Override
		public int hashCode() {
			return Objects.hash(this.name, this.port, this.healthPath, this.healthPort, this.endpointPort,
					this.endpointPath);
		}

		@Override
		public String toString() {
			return "application=" + this.name + ", port=" + this.port + ", healthPath=" + this.healthPath
					+ ", healthPort=" + this.healthPort + ", endpointPort=" + this.endpointPort + ", endpointPath="
					+ this.endpointPath;
		}

	}

}
