package io.cse.snapshot;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the JSON that {@link ImageManifest} is written in: objects, arrays, strings, whole
 * and decimal numbers, booleans and {@code null}. Small on purpose: {@code cse-core} loads
 * into any service and so brings no JSON library of its own ({@link JsonWriter} writes).
 * <p>
 * Objects are read into {@link LinkedHashMap}s, arrays into {@link List}s, whole numbers
 * into {@link Long}s and decimal ones into {@link Double}s.
 */
final class JsonParser {

	/** Deeper than any manifest, shallow enough that a hostile file cannot overflow the stack. */
	private static final int MAX_DEPTH = 32;

	private final String text;

	private int position;

	private int depth;

	private JsonParser(String text) {
		this.text = text;
	}

	/**
	 * Read a document whose top level is an object.
	 * @param text the document
	 * @return its fields, in the document's order
	 * @throws SyntaxException if the text is not such a document: the message says what
	 * was expected where
	 */
	static Map<String, Object> readObject(String text) throws SyntaxException {
		JsonParser reader = new JsonParser(text);
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
