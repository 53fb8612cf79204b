package io.cse.snapshot;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The manifest of an image, {@code manifest.json}: what the node agent needs to restore it
 * and what a person needs to know about it. It is written last, once the image is
 * complete; a folder without it is never restored.
 */
public final class ImageManifest {

	private final String imageId;

	private final String kind;

	private final String engine;

	private final String engineVersion;

	private final Instant createdAt;

	private final String application;

	private final long pid;

	private final int port;

	private final String healthPath;

	private final String javaVersion;

	private final String javaHome;

	private final String instanceId;

	private final int generation;

	private final long residentBytes;

	public ImageManifest(String imageId, String kind, String engine, String engineVersion, Instant createdAt, String application, long pid, int port, String healthPath, String javaVersion, String javaHome, String instanceId, int generation, long residentBytes) {
		this.imageId = imageId;
		this.kind = kind;
		this.engine = engine;
		this.engineVersion = engineVersion;
		this.createdAt = createdAt;
		this.application = application;
		this.pid = pid;
		this.port = port;
		this.healthPath = healthPath;
		this.javaVersion = javaVersion;
		this.javaHome = javaHome;
		this.instanceId = instanceId;
		this.generation = generation;
		this.residentBytes = residentBytes;
	}

	/**
	 * Return the image's id.
	 * @return the imageId
	 */
	public String imageId() {
		return this.imageId;
	}

	/**
	 * Return {@code dump} (every restore is the same instance) or {@code template} (every restore is a new clone with its own identity).
	 * @return the kind
	 */
	public String kind() {
		return this.kind;
	}

	/**
	 * Return the engine that took the image.
	 * @return the engine
	 */
	public String engine() {
		return this.engine;
	}

	/**
	 * Return the version of the tool behind the engine.
	 * @return the engineVersion
	 */
	public String engineVersion() {
		return this.engineVersion;
	}

	/**
	 * Return when the snapshot started.
	 * @return the createdAt
	 */
	public Instant createdAt() {
		return this.createdAt;
	}

	/**
	 * Return the application's name.
	 * @return the application
	 */
	public String application() {
		return this.application;
	}

	/**
	 * Return the process id of the snapshotted process.
	 * @return the pid
	 */
	public long pid() {
		return this.pid;
	}

	/**
	 * Return the HTTP port the application listens on, or {@code -1}.
	 * @return the port
	 */
	public int port() {
		return this.port;
	}

	/**
	 * Return a path that answers 200 once the application serves.
	 * @return the healthPath
	 */
	public String healthPath() {
		return this.healthPath;
	}

	/**
	 * Return the JDK's version.
	 * @return the javaVersion
	 */
	public String javaVersion() {
		return this.javaVersion;
	}

	/**
	 * Return the JDK's home.
	 * @return the javaHome
	 */
	public String javaHome() {
		return this.javaHome;
	}

	/**
	 * Return the instance id of the snapshotted instance.
	 * @return the instanceId
	 */
	public String instanceId() {
		return this.instanceId;
	}

	/**
	 * Return its generation.
	 * @return the generation
	 */
	public int generation() {
		return this.generation;
	}

	/**
	 * Return the resident memory of the process before the snapshot.
	 * @return the residentBytes
	 */
	public long residentBytes() {
		return this.residentBytes;
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
		return Objects.equals(this.imageId, that.imageId)
				&& Objects.equals(this.kind, that.kind)
				&& Objects.equals(this.engine, that.engine)
				&& Objects.equals(this.engineVersion, that.engineVersion)
				&& Objects.equals(this.createdAt, that.createdAt)
				&& Objects.equals(this.application, that.application)
				&& this.pid == that.pid
				&& this.port == that.port
				&& Objects.equals(this.healthPath, that.healthPath)
				&& Objects.equals(this.javaVersion, that.javaVersion)
				&& Objects.equals(this.javaHome, that.javaHome)
				&& Objects.equals(this.instanceId, that.instanceId)
				&& this.generation == that.generation
				&& this.residentBytes == that.residentBytes;
	}

	@Override
	public int hashCode() {
		return Objects.hash(this.imageId, this.kind, this.engine, this.engineVersion, this.createdAt, this.application, this.pid, this.port, this.healthPath, this.javaVersion, this.javaHome, this.instanceId, this.generation, this.residentBytes);
	}

	@Override
	public String toString() {
		return "ImageManifest[imageId=" + this.imageId + ", kind=" + this.kind + ", engine=" + this.engine + ", engineVersion=" + this.engineVersion + ", createdAt=" + this.createdAt + ", application=" + this.application + ", pid=" + this.pid + ", port=" + this.port + ", healthPath=" + this.healthPath + ", javaVersion=" + this.javaVersion + ", javaHome=" + this.javaHome + ", instanceId=" + this.instanceId + ", generation=" + this.generation + ", residentBytes=" + this.residentBytes + "]";
	}

	/** The manifest's file name in an image folder. */
	public static final String FILE_NAME = "manifest.json";

	/**
	 * The value {@code imageBytes} has until the engine knows the image's size. An engine
	 * that writes the manifest from outside the process replaces it.
	 */
	public static final String IMAGE_BYTES_PLACEHOLDER = "\"imageBytes\": -1";

	/**
	 * Render the manifest as JSON.
	 * @param imageBytes the size of the image, or {@code -1} to leave the placeholder
	 * @return the JSON document
	 */
	public String toJson(long imageBytes) {
		Map<String, Object> fields = new LinkedHashMap<>();
		fields.put("imageId", this.imageId);
		fields.put("kind", this.kind);
		fields.put("engine", this.engine);
		fields.put("criuVersion", "criu".equals(this.engine) ? this.engineVersion : null);
		fields.put("engineVersion", this.engineVersion);
		fields.put("createdAt", this.createdAt.toString());
		fields.put("application", this.application);
		fields.put("pid", this.pid);
		fields.put("port", this.port);
		fields.put("healthPath", this.healthPath);
		fields.put("javaVersion", this.javaVersion);
		fields.put("javaHome", this.javaHome);
		Map<String, Object> identity = new LinkedHashMap<>();
		identity.put("instanceId", this.instanceId);
		identity.put("generation", this.generation);
		fields.put("identity", identity);
		fields.put("residentBytes", this.residentBytes);
		StringBuilder json = new StringBuilder("{\n");
		fields.forEach((name, value) -> json.append("  ").append(quote(name)).append(": ").append(value(value))
			.append(",\n"));
		json.append("  \"imageBytes\": ").append(imageBytes).append("\n}\n");
		return json.toString();
	}

	private static String value(Object value) {
		if (value == null) {
			return "null";
		}
		if (value instanceof Number) {
			return value.toString();
		}
		if (value instanceof Map) {
			Map<?, ?> map = (Map<?, ?>) value;
			StringBuilder json = new StringBuilder("{");
			map.forEach((name, nested) -> json.append((json.length() > 1) ? ", " : "").append(quote(name.toString()))
				.append(": ").append(value(nested)));
			return json.append("}").toString();
		}
		return quote(value.toString());
	}

	private static String quote(String text) {
		StringBuilder quoted = new StringBuilder("\"");
		for (char c : text.toCharArray()) {
			if (c == '"' || c == '\\') {
				quoted.append('\\').append(c);
			}
			else if (c < 0x20) {
				quoted.append(String.format("\\u%04x", (int) c));
			}
			else {
				quoted.append(c);
			}
		}
		return quoted.append('"').toString();
	}

}
