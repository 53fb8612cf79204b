package io.cse.snapshot;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The manifest of an image, {@code manifest.json}: what the node agent needs to restore it
 * and what a person needs to know about it. The one class that writes and reads the
 * format, for the starter that takes images and the node agent that restores them.
 * <p>
 * A manifest is complete before the snapshot starts. The engine writes it next to the
 * image as {@value #PENDING_FILE_NAME} and moves it to {@value #FILE_NAME} once the image
 * is complete, and only then: a folder without {@value #FILE_NAME} is never restored. What
 * only the finished image knows, such as its size, is not in the manifest; a reader
 * computes it from the folder.
 * <p>
 * Fields that a reader does not know are ignored, so that a newer writer can add some
 * without a new {@link #SCHEMA_VERSION schema version}.
 */
public final class ImageManifest {

	/** The manifest's file name in a complete image folder. */
	public static final String FILE_NAME = "manifest.json";

	/** The manifest's file name while the image is being written. */
	public static final String PENDING_FILE_NAME = "manifest.json.pending";

	/** The version of the format this class writes, and the newest it reads. */
	public static final int SCHEMA_VERSION = 1;

	private static final String TAKE_AGAIN = "delete the image and take it again";

	private final String imageId;

	private final Kind kind;

	private final String engine;

	private final String engineVersion;

	private final Instant createdAt;

	private final Application application;

	private final long pid;

	private final String javaVersion;

	private final String javaHome;

	private final Identity identity;

	private final long residentBytes;

	private ImageManifest(Builder builder) {
		this.imageId = required(builder.imageId, "imageId");
		this.kind = required(builder.kind, "kind");
		this.engine = required(builder.engine, "engine");
		this.engineVersion = builder.engineVersion;
		this.createdAt = required(builder.createdAt, "createdAt");
		this.application = required(builder.application, "application");
		this.pid = builder.pid;
		this.javaVersion = builder.javaVersion;
		this.javaHome = builder.javaHome;
		this.identity = required(builder.identity, "identity");
		this.residentBytes = builder.residentBytes;
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
	public static Builder builder() {
		return new Builder();
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
	 * Return who the snapshotted instance was.
	 * @return the identity
	 */
	public Identity identity() {
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
		fields.put("pid", this.pid);
		fields.put("javaVersion", this.javaVersion);
		fields.put("javaHome", this.javaHome);
		Map<String, Object> identity = new LinkedHashMap<>();
		identity.put("instanceId", this.identity.instanceId());
		identity.put("generation", this.identity.generation());
		fields.put("identity", identity);
		fields.put("residentBytes", this.residentBytes);
		return ManifestJson.write(fields);
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
		Files.write(pending, toJson().getBytes(StandardCharsets.UTF_8));
		return pending;
	}

	/**
	 * Move the pending manifest of an image folder into place, at once: from then on the
	 * image is complete. The CRIU engine's dump script does the same after a successful
	 * dump; this is for engines that run no script.
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
		return fromJson(new String(Files.readAllBytes(file), StandardCharsets.UTF_8), file);
	}

	/**
	 * Read a manifest from its JSON document.
	 * @param json the document
	 * @param file where it comes from, for messages
	 * @return the manifest
	 * @throws ImageFormatException if the document is not a manifest this class can read
	 */
	static ImageManifest fromJson(String json, Path file) throws ImageFormatException {
		Map<String, Object> document;
		try {
			document = ManifestJson.readObject(json);
		}
		catch (ManifestJson.SyntaxException ex) {
			throw new ImageFormatException(file, file + " is not valid JSON (" + ex.getMessage() + "): " + TAKE_AGAIN);
		}
		Fields fields = new Fields(document, file, "");
		// Images written before the schema had a version have the fields of version 1.
		long schemaVersion = document.containsKey("schemaVersion") ? fields.whole("schemaVersion") : 1;
		if (schemaVersion > SCHEMA_VERSION) {
			throw new ImageFormatException(file, file + " has schema version " + schemaVersion + ", and this CSE reads "
					+ "up to version " + SCHEMA_VERSION + ": read the image with the CSE that took it, or a newer one");
		}
		if (schemaVersion < 1) {
			throw fields.invalid("schemaVersion", "is " + schemaVersion);
		}
		String kindValue = fields.string("kind", true);
		Kind kind = Kind.of(kindValue);
		if (kind == null) {
			throw new ImageFormatException(file, file + " has kind '" + kindValue + "', expected '" + Kind.DUMP.value()
					+ "' or '" + Kind.TEMPLATE.value() + "': " + TAKE_AGAIN);
		}
		Instant createdAt;
		try {
			createdAt = Instant.parse(fields.string("createdAt", true));
		}
		catch (DateTimeParseException ex) {
			throw fields.invalid("createdAt", "is not an ISO-8601 instant");
		}
		Fields identity = fields.object("identity");
		return builder().imageId(fields.string("imageId", true))
			.kind(kind)
			.engine(fields.string("engine", true), fields.string("engineVersion", false))
			.createdAt(createdAt)
			.application(new Application(fields.string("application", false), fields.integer("port"),
					fields.string("healthPath", false)))
			.process(fields.whole("pid"), fields.whole("residentBytes"))
			.java(fields.string("javaVersion", false), fields.string("javaHome", false))
			.identity(new Identity(identity.string("instanceId", true), identity.integer("generation")))
			.build();
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
				&& this.identity.equals(that.identity) && this.residentBytes == that.residentBytes;
	}

	@Override
	public int hashCode() {
		return Objects.hash(this.imageId, this.kind, this.engine, this.engineVersion, this.createdAt, this.application,
				this.pid, this.javaVersion, this.javaHome, this.identity, this.residentBytes);
	}

	@Override
	public String toString() {
		return "ImageManifest[imageId=" + this.imageId + ", kind=" + this.kind + ", engine=" + this.engine + " "
				+ this.engineVersion + ", createdAt=" + this.createdAt + ", " + this.application + ", pid=" + this.pid
				+ ", java=" + this.javaVersion + " at " + this.javaHome + ", " + this.identity + ", residentBytes="
				+ this.residentBytes + "]";
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

		private final String name;

		private final int port;

		private final String healthPath;

		/**
		 * Describe an application.
		 * @param name its name ({@code spring.application.name}), or {@code null}
		 * @param port the HTTP port it listens on, on all addresses, or {@code -1}
		 * @param healthPath a path that answers 200 once it serves, or {@code null} for
		 * {@code /}
		 */
		public Application(String name, int port, String healthPath) {
			this.name = name;
			this.port = port;
			this.healthPath = healthPath;
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
					&& Objects.equals(this.healthPath, that.healthPath);
		}

		@Override
		public int hashCode() {
			return Objects.hash(this.name, this.port, this.healthPath);
		}

		@Override
		public String toString() {
			return "application=" + this.name + ", port=" + this.port + ", healthPath=" + this.healthPath;
		}

	}

	/**
	 * Who the snapshotted instance was.
	 */
	public static final class Identity {

		private final String instanceId;

		private final int generation;

		/**
		 * Describe an instance.
		 * @param instanceId its instance id
		 * @param generation how many clone restores separate it from the first start
		 */
		public Identity(String instanceId, int generation) {
			this.instanceId = Objects.requireNonNull(instanceId, "instanceId");
			this.generation = generation;
		}

		/**
		 * Return the instance's id.
		 * @return the instance id
		 */
		public String instanceId() {
			return this.instanceId;
		}

		/**
		 * Return how many clone restores separate the instance from the first start.
		 * @return the generation
		 */
		public int generation() {
			return this.generation;
		}

		@Override
		public boolean equals(Object other) {
			if (this == other) {
				return true;
			}
			if (!(other instanceof Identity)) {
				return false;
			}
			Identity that = (Identity) other;
			return this.instanceId.equals(that.instanceId) && this.generation == that.generation;
		}

		@Override
		public int hashCode() {
			return Objects.hash(this.instanceId, this.generation);
		}

		@Override
		public String toString() {
			return "instanceId=" + this.instanceId + ", generation=" + this.generation;
		}

	}

	/**
	 * Builds a manifest. The image id, kind, engine, creation time, application and
	 * identity are required.
	 */
	public static final class Builder {

		private String imageId;

		private Kind kind;

		private String engine;

		private String engineVersion;

		private Instant createdAt;

		private Application application;

		private long pid = -1;

		private long residentBytes = -1;

		private String javaVersion;

		private String javaHome;

		private Identity identity;

		private Builder() {
		}

		/**
		 * Set the image's id.
		 * @param imageId the id: the image folder's name
		 * @return this builder
		 */
		public Builder imageId(String imageId) {
			this.imageId = imageId;
			return this;
		}

		/**
		 * Set whether a restore is the snapshotted instance itself or a new clone.
		 * @param kind the kind
		 * @return this builder
		 */
		public Builder kind(Kind kind) {
			this.kind = kind;
			return this;
		}

		/**
		 * Set the engine that takes the image.
		 * @param name the engine's name
		 * @param version the version of the tool behind it, or {@code null}
		 * @return this builder
		 */
		public Builder engine(String name, String version) {
			this.engine = name;
			this.engineVersion = version;
			return this;
		}

		/**
		 * Set when the snapshot was taken.
		 * @param createdAt the time
		 * @return this builder
		 */
		public Builder createdAt(Instant createdAt) {
			this.createdAt = createdAt;
			return this;
		}

		/**
		 * Set what the snapshotted application is.
		 * @param application the application
		 * @return this builder
		 */
		public Builder application(Application application) {
			this.application = application;
			return this;
		}

		/**
		 * Set the snapshotted process.
		 * @param pid its process id
		 * @param residentBytes its resident memory before the snapshot, or {@code -1}
		 * @return this builder
		 */
		public Builder process(long pid, long residentBytes) {
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
		public Builder java(String version, String home) {
			this.javaVersion = version;
			this.javaHome = home;
			return this;
		}

		/**
		 * Set who the snapshotted instance is.
		 * @param identity the identity
		 * @return this builder
		 */
		public Builder identity(Identity identity) {
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

	/**
	 * The fields of one object of a document, read with messages that name the file and
	 * the field.
	 */
	private static final class Fields {

		private final Map<String, Object> fields;

		private final Path file;

		private final String prefix;

		Fields(Map<String, Object> fields, Path file, String prefix) {
			this.fields = fields;
			this.file = file;
			this.prefix = prefix;
		}

		String string(String name, boolean required) throws ImageFormatException {
			Object value = value(name, required);
			if (value != null && !(value instanceof String)) {
				throw invalid(name, "is not a string");
			}
			return (String) value;
		}

		long whole(String name) throws ImageFormatException {
			Object value = value(name, true);
			if (!(value instanceof Long)) {
				throw invalid(name, "is not a whole number");
			}
			return (Long) value;
		}

		int integer(String name) throws ImageFormatException {
			long value = whole(name);
			if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
				throw invalid(name, "is out of range");
			}
			return (int) value;
		}

		Fields object(String name) throws ImageFormatException {
			Object value = value(name, true);
			if (!(value instanceof Map)) {
				throw invalid(name, "is not an object");
			}
			@SuppressWarnings("unchecked")
			Map<String, Object> object = (Map<String, Object>) value;
			return new Fields(object, this.file, this.prefix + name + ".");
		}

		private Object value(String name, boolean required) throws ImageFormatException {
			Object value = this.fields.get(name);
			if (value == null && required) {
				throw new ImageFormatException(this.file, this.file + " has no \"" + this.prefix + name + "\": "
						+ TAKE_AGAIN);
			}
			return value;
		}

		ImageFormatException invalid(String name, String problem) {
			return new ImageFormatException(this.file, this.file + ": \"" + this.prefix + name + "\" " + problem + ": "
					+ TAKE_AGAIN);
		}

	}

}
