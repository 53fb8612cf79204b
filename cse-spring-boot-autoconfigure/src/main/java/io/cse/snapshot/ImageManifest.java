package io.cse.snapshot;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The manifest of an image, {@code manifest.json}: what the node agent needs to restore it
 * and what a person needs to know about it. It is written last, once the image is
 * complete; a folder without it is never restored.
 *
 * @param imageId the image's id
 * @param kind {@code dump} (every restore is the same instance) or {@code template} (every
 * restore is a new clone with its own identity)
 * @param engine the engine that took the image
 * @param engineVersion the version of the tool behind the engine
 * @param createdAt when the snapshot started
 * @param application the application's name
 * @param pid the process id of the snapshotted process
 * @param port the HTTP port the application listens on, or {@code -1}
 * @param healthPath a path that answers 200 once the application serves
 * @param javaVersion the JDK's version
 * @param javaHome the JDK's home
 * @param instanceId the instance id of the snapshotted instance
 * @param generation its generation
 * @param residentBytes the resident memory of the process before the snapshot
 */
public record ImageManifest(String imageId, String kind, String engine, String engineVersion, Instant createdAt,
		String application, long pid, int port, String healthPath, String javaVersion, String javaHome,
		String instanceId, int generation, long residentBytes) {

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
		if (value instanceof Map<?, ?> map) {
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
			switch (c) {
				case '"' -> quoted.append("\\\"");
				case '\\' -> quoted.append("\\\\");
				case '\n' -> quoted.append("\\n");
				case '\r' -> quoted.append("\\r");
				case '\t' -> quoted.append("\\t");
				default -> {
					if (c < 0x20) {
						quoted.append(String.format("\\u%04x", (int) c));
					}
					else {
						quoted.append(c);
					}
				}
			}
		}
		return quoted.append('"').toString();
	}

}
