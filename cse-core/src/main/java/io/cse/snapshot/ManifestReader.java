package io.cse.snapshot;

import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

import io.cse.snapshot.ImageManifest.Application;
import io.cse.snapshot.ImageManifest.Kind;

/**
 * Reads a manifest from its JSON document, with messages that name the file, the field
 * and what to do.
 */
final class ManifestReader {

	private static final String TAKE_AGAIN = "delete the image and take it again";

	private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

	private ManifestReader() {
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
			document = JsonParser.readObject(json);
		}
		catch (JsonParser.SyntaxException ex) {
			throw new ImageFormatException(file, file + " is not valid JSON (" + ex.getMessage() + "): " + TAKE_AGAIN);
		}
		Fields fields = new Fields(document, file, "");
		// Images written before the schema had a version have the fields of version 1.
		long schemaVersion = document.containsKey("schemaVersion") ? fields.whole("schemaVersion") : 1;
		if (schemaVersion > ImageManifest.SCHEMA_VERSION) {
			throw new ImageFormatException(file, file + " has schema version " + schemaVersion + ", and this CSE reads "
					+ "up to version " + ImageManifest.SCHEMA_VERSION
					+ ": read the image with the CSE that took it, or a newer one");
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
		// Version 1 lists no files; a pending manifest, and one of the crac engine, neither.
		Map<String, ImageFile> files = null;
		if (schemaVersion >= 2 && document.get("files") != null) {
			files = files(fields.object("files"));
		}
		return ImageManifest.builder().imageId(fields.string("imageId", true))
			.kind(kind)
			.engine(fields.string("engine", true), fields.string("engineVersion", false))
			.createdAt(createdAt)
			.application(application(fields))
			.process(fields.whole("pid"), fields.whole("residentBytes"))
			.java(fields.string("javaVersion", false), fields.string("javaHome", false))
			.javaVendor(fields.string("javaVendor", false))
			.host(fields.string("bootId", false), fields.string("kernelRelease", false))
			.identity(new ImageIdentity(identity.string("instanceId", true), identity.integer("generation")))
			.files(files)
			.build();
	}

	/**
	 * The application; images written before the health and endpoint ports were recorded
	 * serve both on the application's port, the endpoint at its default path.
	 */
	private static Application application(Fields fields) throws ImageFormatException {
		int port = fields.integer("port");
		return new Application(fields.string("application", false), port, fields.string("healthPath", false),
				fields.has("healthPort") ? fields.integer("healthPort") : port,
				fields.has("endpointPort") ? fields.integer("endpointPort") : port,
				fields.string("endpointPath", false));
	}

	private static Map<String, ImageFile> files(Fields files) throws ImageFormatException {
		Map<String, ImageFile> result = new TreeMap<>();
		for (String name : files.names()) {
			Fields file = files.object(name);
			String sha256 = file.string("sha256", true);
			if (!SHA256.matcher(sha256).matches()) {
				throw file.invalid("sha256", "is not a SHA-256 in lower-case hex");
			}
			long size = file.whole("size");
			if (size < 0) {
				throw file.invalid("size", "is negative");
			}
			result.put(name, new ImageFile(size, sha256));
		}
		return result;
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

		boolean has(String name) {
			return this.fields.get(name) != null;
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

		Iterable<String> names() {
			return this.fields.keySet();
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
