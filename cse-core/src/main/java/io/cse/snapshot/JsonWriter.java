package io.cse.snapshot;

import java.util.List;
import java.util.Map;

/**
 * Writes the JSON that {@link ImageManifest} is written in, two spaces a level, one field
 * a line; {@link JsonParser} reads it back.
 */
final class JsonWriter {

	private JsonWriter() {
	}

	/**
	 * Render an object, two spaces a level, one field a line.
	 * @param object the fields, in the order to write them; values are {@code null},
	 * strings, numbers, booleans, maps or lists of these
	 * @return the document, ending with a new line
	 */
	static String write(Map<String, ?> object) {
		StringBuilder json = new StringBuilder();
		writeValue(json, object, "");
		return json.append('\n').toString();
	}

	private static void writeValue(StringBuilder json, Object value, String indent) {
		if (value == null || value instanceof Boolean || value instanceof Long || value instanceof Integer) {
			json.append(value);
		}
		else if (value instanceof Map) {
			writeObject(json, (Map<?, ?>) value, indent);
		}
		else if (value instanceof List) {
			writeArray(json, (List<?>) value, indent);
		}
		else if (value instanceof String) {
			writeString(json, (String) value);
		}
		else {
			throw new IllegalArgumentException("Cannot write a " + value.getClass().getName() + " as JSON");
		}
	}

	private static void writeObject(StringBuilder json, Map<?, ?> object, String indent) {
		if (object.isEmpty()) {
			json.append("{}");
			return;
		}
		String inner = indent + "  ";
		json.append("{\n");
		String separator = "";
		for (Map.Entry<?, ?> field : object.entrySet()) {
			json.append(separator).append(inner);
			writeString(json, field.getKey().toString());
			json.append(": ");
			writeValue(json, field.getValue(), inner);
			separator = ",\n";
		}
		json.append('\n').append(indent).append('}');
	}

	private static void writeArray(StringBuilder json, List<?> array, String indent) {
		json.append('[');
		String separator = "";
		for (Object element : array) {
			json.append(separator);
			writeValue(json, element, indent);
			separator = ", ";
		}
		json.append(']');
	}

	private static void writeString(StringBuilder json, String text) {
		json.append('"');
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			switch (c) {
				case '"':
					json.append("\\\"");
					break;
				case '\\':
					json.append("\\\\");
					break;
				case '\n':
					json.append("\\n");
					break;
				case '\r':
					json.append("\\r");
					break;
				case '\t':
					json.append("\\t");
					break;
				default:
					if (c < 0x20) {
						json.append(String.format("\\u%04x", (int) c));
					}
					else {
						json.append(c);
					}
			}
		}
		json.append('"');
	}

}
