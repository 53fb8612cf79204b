package io.cse.snapshot;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON that {@link ImageManifest} is written in, and read back from: objects, arrays,
 * strings, whole and decimal numbers, booleans and {@code null}. Small on purpose:
 * {@code cse-core} loads into any service and so brings no JSON library of its own.
 * <p>
 * Objects are read into {@link LinkedHashMap}s, arrays into {@link List}s, whole numbers
 * into {@link Long}s and decimal ones into {@link Double}s.
 */
final class ManifestJson {

	/** Deeper than any manifest, shallow enough that a hostile file cannot overflow the stack. */
	private static final int MAX_DEPTH = 32;

	private final String text;

	private int position;

	private int depth;

	private ManifestJson(String text) {
		this.text = text;
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

	/**
	 * Read a document whose top level is an object.
	 * @param text the document
	 * @return its fields, in the document's order
	 * @throws SyntaxException if the text is not such a document: the message says what
	 * was expected where
	 */
	static Map<String, Object> readObject(String text) throws SyntaxException {
		ManifestJson reader = new ManifestJson(text);
		reader.skipWhitespace();
		if (reader.peek() != '{') {
			throw reader.error("expected '{'");
		}
		Map<String, Object> object = reader.object();
		reader.skipWhitespace();
		if (reader.position < text.length()) {
			throw reader.error("expected the end of the document");
		}
		return object;
	}

	private Object value() throws SyntaxException {
		skipWhitespace();
		char c = peek();
		if (c == '{') {
			return object();
		}
		if (c == '[') {
			return array();
		}
		if (c == '"') {
			return string();
		}
		if (c == '-' || (c >= '0' && c <= '9')) {
			return number();
		}
		if (this.text.startsWith("true", this.position)) {
			this.position += 4;
			return Boolean.TRUE;
		}
		if (this.text.startsWith("false", this.position)) {
			this.position += 5;
			return Boolean.FALSE;
		}
		if (this.text.startsWith("null", this.position)) {
			this.position += 4;
			return null;
		}
		throw error("expected a value");
	}

	private Map<String, Object> object() throws SyntaxException {
		enter();
		this.position++;
		Map<String, Object> object = new LinkedHashMap<>();
		skipWhitespace();
		if (peek() == '}') {
			this.position++;
			return leave(object);
		}
		while (true) {
			skipWhitespace();
			if (peek() != '"') {
				throw error("expected a field name");
			}
			int nameStart = this.position;
			String name = string();
			if (object.containsKey(name)) {
				this.position = nameStart;
				throw error("duplicate field \"" + name + "\"");
			}
			skipWhitespace();
			expect(':');
			object.put(name, value());
			skipWhitespace();
			if (peek() == ',') {
				this.position++;
			}
			else if (peek() == '}') {
				this.position++;
				return leave(object);
			}
			else {
				throw error("expected ',' or '}'");
			}
		}
	}

	private List<Object> array() throws SyntaxException {
		enter();
		this.position++;
		List<Object> array = new ArrayList<>();
		skipWhitespace();
		if (peek() == ']') {
			this.position++;
			return leave(array);
		}
		while (true) {
			array.add(value());
			skipWhitespace();
			if (peek() == ',') {
				this.position++;
			}
			else if (peek() == ']') {
				this.position++;
				return leave(array);
			}
			else {
				throw error("expected ',' or ']'");
			}
		}
	}

	private String string() throws SyntaxException {
		this.position++;
		StringBuilder value = new StringBuilder();
		while (true) {
			if (this.position >= this.text.length()) {
				throw error("unterminated string");
			}
			char c = this.text.charAt(this.position);
			if (c == '"') {
				this.position++;
				return value.toString();
			}
			if (c < 0x20) {
				throw error("control character in a string (write it as an escape)");
			}
			if (c != '\\') {
				value.append(c);
				this.position++;
				continue;
			}
			this.position++;
			char escaped = peek();
			this.position++;
			switch (escaped) {
				case '"':
				case '\\':
				case '/':
					value.append(escaped);
					break;
				case 'b':
					value.append('\b');
					break;
				case 'f':
					value.append('\f');
					break;
				case 'n':
					value.append('\n');
					break;
				case 'r':
					value.append('\r');
					break;
				case 't':
					value.append('\t');
					break;
				case 'u':
					value.append(unicodeEscape());
					break;
				default:
					this.position--;
					throw error("invalid escape");
			}
		}
	}

	private char unicodeEscape() throws SyntaxException {
		if (this.position + 4 > this.text.length()) {
			throw error("incomplete \\u escape");
		}
		int code = 0;
		for (int i = 0; i < 4; i++) {
			int digit = Character.digit(this.text.charAt(this.position + i), 16);
			if (digit < 0) {
				throw error("invalid \\u escape");
			}
			code = code * 16 + digit;
		}
		this.position += 4;
		// Surrogate pairs come as two escapes, each one char: appending them in turn
		// rebuilds the code point.
		return (char) code;
	}

	private Object number() throws SyntaxException {
		int start = this.position;
		if (peek() == '-') {
			this.position++;
		}
		if (peek() == '0') {
			this.position++;
		}
		else if (!digits()) {
			throw error("expected a digit");
		}
		boolean whole = true;
		if (peek() == '.') {
			whole = false;
			this.position++;
			if (!digits()) {
				throw error("expected a digit after '.'");
			}
		}
		if (peek() == 'e' || peek() == 'E') {
			whole = false;
			this.position++;
			if (peek() == '+' || peek() == '-') {
				this.position++;
			}
			if (!digits()) {
				throw error("expected a digit in the exponent");
			}
		}
		String number = this.text.substring(start, this.position);
		if (!whole) {
			return Double.valueOf(number);
		}
		try {
			return Long.valueOf(number);
		}
		catch (NumberFormatException ex) {
			this.position = start;
			throw error("number " + number + " out of range");
		}
	}

	private boolean digits() {
		int start = this.position;
		while (peek() >= '0' && peek() <= '9') {
			this.position++;
		}
		return this.position > start;
	}

	private void enter() throws SyntaxException {
		if (++this.depth > MAX_DEPTH) {
			throw error("nested deeper than " + MAX_DEPTH + " levels");
		}
	}

	private <T> T leave(T value) {
		this.depth--;
		return value;
	}

	private void expect(char expected) throws SyntaxException {
		if (peek() != expected) {
			throw error("expected '" + expected + "'");
		}
		this.position++;
	}

	/** The next character, or {@code 0} at the end (a character no valid document has there). */
	private char peek() {
		return (this.position < this.text.length()) ? this.text.charAt(this.position) : 0;
	}

	private void skipWhitespace() {
		while (this.position < this.text.length()) {
			char c = this.text.charAt(this.position);
			if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
				return;
			}
			this.position++;
		}
	}

	private SyntaxException error(String problem) {
		int line = 1;
		int column = 1;
		for (int i = 0; i < this.position && i < this.text.length(); i++) {
			if (this.text.charAt(i) == '\n') {
				line++;
				column = 1;
			}
			else {
				column++;
			}
		}
		String where = (this.position >= this.text.length()) ? "at the end of the document"
				: "at line " + line + ", column " + column;
		return new SyntaxException(problem + " " + where);
	}

	/**
	 * Thrown when a document is not valid JSON, or not an object.
	 */
	static final class SyntaxException extends Exception {

		SyntaxException(String message) {
			super(message);
		}

	}

}
