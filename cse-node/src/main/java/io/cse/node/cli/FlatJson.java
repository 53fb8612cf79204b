package io.cse.node.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.cse.CallerText;

/**
 * Flat JSON (one object of strings, numbers and booleans) read and written with
 * jackson-core's streaming API: what {@code cse thaw} and an error answer exchange with a
 * resident agent. Setting up databind's {@code ObjectMapper} cost such a short-lived
 * client about a fifth of its start-up; anything nested still goes through databind.
 */
final class FlatJson {

	private static final JsonFactory FACTORY = new JsonFactory();

	private FlatJson() {
	}

	/**
	 * Return whether the given type is a record of scalars only, which {@link #read} reads.
	 * @param type the type of an answer
	 * @return {@code true} if {@link #read} can read it
	 */
	static boolean readable(Class<?> type) {
		if (!type.isRecord()) {
			return false;
		}
		for (RecordComponent component : type.getRecordComponents()) {
			if (!scalar(component.getType())) {
				return false;
			}
		}
		return true;
	}

	/**
	 * Return whether the given body is a map of scalars, which {@link #write} writes.
	 * @param body a request's body
	 * @return {@code true} if {@link #write} can write it
	 */
	static boolean writable(Object body) {
		return body instanceof Map<?, ?> map && map.values().stream().allMatch((value) -> value != null
				&& scalar(value.getClass()));
	}

	/**
	 * Read a JSON object into a record of scalars; unknown fields are skipped, as the
	 * agent may answer more than this client knows, and absent ones are zero, false or
	 * {@code null}.
	 * @param <T> the record's type
	 * @param json the object
	 * @param type a type that {@link #readable} accepts
	 * @return the record
	 * @throws IOException if the text is not a JSON object of that shape
	 */
	static <T> T read(byte[] json, Class<T> type) throws IOException {
		Map<String, Object> fields = fields(json);
		RecordComponent[] components = type.getRecordComponents();
		Class<?>[] types = new Class<?>[components.length];
		Object[] values = new Object[components.length];
		for (int i = 0; i < components.length; i++) {
			types[i] = components[i].getType();
			values[i] = valueOf(fields.get(components[i].getName()), types[i], components[i].getName());
		}
		try {
			Constructor<T> constructor = type.getDeclaredConstructor(types);
			constructor.setAccessible(true);
			return constructor.newInstance(values);
		}
		catch (NoSuchMethodException | InstantiationException | IllegalAccessException ex) {
			throw new IllegalStateException("Cannot make a " + type.getName() + " from its components", ex);
		}
		catch (InvocationTargetException ex) {
			throw new IOException("The answer does not make a " + type.getSimpleName() + ": "
					+ ex.getCause().getMessage(), ex.getCause());
		}
	}

	/**
	 * The text field of the given name in a JSON object.
	 * @param json the object
	 * @param name the field's name
	 * @return the field's value, or {@code null} if it is absent or not text
	 * @throws IOException if the text is not a flat JSON object
	 */
	static String text(byte[] json, String name) throws IOException {
		return (fields(json).get(name) instanceof String text) ? text : null;
	}

	/**
	 * Write a map of scalars as a JSON object.
	 * @param body a map that {@link #writable} accepts
	 * @return the JSON, in UTF-8
	 */
	static byte[] write(Map<?, ?> body) {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (JsonGenerator generator = FACTORY.createGenerator(bytes)) {
			generator.writeStartObject();
			for (Map.Entry<?, ?> field : body.entrySet()) {
				generator.writeFieldName(field.getKey().toString());
				Object value = field.getValue();
				if (value instanceof Boolean flag) {
					generator.writeBoolean(flag);
				}
				else if (value instanceof Number number) {
					generator.writeNumber(number.toString());
				}
				else {
					generator.writeString(value.toString());
				}
			}
			generator.writeEndObject();
		}
		catch (IOException ex) {
			throw new IllegalStateException("Cannot write JSON in memory", ex);
		}
		return bytes.toByteArray();
	}

	private static boolean scalar(Class<?> type) {
		return type == String.class || type == boolean.class || type == Boolean.class || type == int.class
				|| type == Integer.class || type == long.class || type == Long.class || type == double.class
				|| type == Double.class;
	}

	/**
	 * The object's scalar fields; nested objects and arrays are skipped (so read as absent).
	 */
	private static Map<String, Object> fields(byte[] json) throws IOException {
		Map<String, Object> fields = new HashMap<>();
		try (JsonParser parser = FACTORY.createParser(json)) {
			if (parser.nextToken() != JsonToken.START_OBJECT) {
				throw new IOException("expected a JSON object");
			}
			while (parser.nextToken() == JsonToken.FIELD_NAME) {
				String name = parser.currentName();
				JsonToken token = parser.nextToken();
				switch (token) {
					case VALUE_STRING -> fields.put(name, parser.getText());
					case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> fields.put(name, parser.getNumberValue());
					case VALUE_TRUE, VALUE_FALSE -> fields.put(name, parser.getBooleanValue());
					case VALUE_NULL -> fields.remove(name);
					default -> parser.skipChildren();
				}
			}
		}
		return fields;
	}

	private static Object valueOf(Object value, Class<?> type, String name) throws IOException {
		if (value == null) {
			return type.isPrimitive() ? ((type == boolean.class) ? Boolean.FALSE : zero(type)) : null;
		}
		if (type == String.class) {
			return value.toString();
		}
		if (type == boolean.class || type == Boolean.class) {
			if (value instanceof Boolean) {
				return value;
			}
		}
		else if (value instanceof Number number) {
			if (type == int.class || type == Integer.class) {
				return number.intValue();
			}
			if (type == long.class || type == Long.class) {
				return number.longValue();
			}
			return number.doubleValue();
		}
		throw new IOException("'" + CallerText.echoed(name) + "' is " + CallerText.echoed(String.valueOf(value)) + ", not a " + type.getSimpleName());
	}

	private static Object zero(Class<?> type) {
		if (type == int.class) {
			return 0;
		}
		return (type == long.class) ? (Object) 0L : (Object) 0.0;
	}

}
