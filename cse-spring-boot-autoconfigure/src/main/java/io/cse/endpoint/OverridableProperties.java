package io.cse.endpoint;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Pattern;

import io.cse.CallerText;

import org.springframework.boot.context.properties.source.ConfigurationPropertyName;

/**
 * The properties a thaw may set for this instance ({@code POST /actuator/cse/thaw} with
 * {@code properties}): those that {@code cse.clone.overridable-properties} lists, each an
 * exact name ({@code app.region}) or a prefix that ends in {@code .*} ({@code feature.*}
 * allows {@code feature.x} and {@code feature.x.y}, not {@code feature}).
 * <p>
 * Names are compared as Spring Boot reads them, not as they are spelled:
 * {@code Server.Port}, {@code server[port]} and {@code server.port[0]} are
 * {@code server.port} (or under it). A key that is not a property name, such as the
 * environment variable form {@code SERVER_PORT}, is refused.
 * <p>
 * Some properties are never overridable, listed or not: the port and address of the server
 * and of the management server, the actuator's base path and path mappings, the health
 * endpoint, and {@code cse.*}. A list that names one of them, or a prefix that covers one,
 * is refused when it is created.
 */
public final class OverridableProperties {

	private static final String PROPERTY = "cse.clone.overridable-properties";

	/**
	 * Spring Boot's canonical form of a property name, in any case: elements of letters,
	 * digits and dashes, separated by dots, each with optional indexes ({@code hosts[0]},
	 * {@code map[a.b]}).
	 */
	private static final Pattern PROPERTY_NAME = Pattern.compile(
			"[a-z0-9][a-z0-9-]*(\\[[^\\[\\]]+\\])*(\\.[a-z0-9][a-z0-9-]*(\\[[^\\[\\]]+\\])*)*",
			Pattern.CASE_INSENSITIVE);

	/**
	 * Properties that decide how this instance is reached and who may drive it. A thaw
	 * cannot move a socket that is already open, nor remap the actuator, whose paths are
	 * mapped once at start-up (the traffic gate knows the endpoint by them, and a platform
	 * polls the health endpoint to learn that a clone serves): a value set later would only
	 * make the environment disagree with the running server. {@code cse.*} holds this list
	 * itself: a thaw that could set it could allow itself everything.
	 */
	private static final List<Entry> NEVER_OVERRIDABLE = Collections.unmodifiableList(Arrays.asList(
			Entry.parse("server.port"), Entry.parse("server.address"), Entry.parse("management.server.port"),
			Entry.parse("management.server.address"), Entry.parse("management.endpoints.web.base-path"),
			Entry.parse("management.endpoints.web.path-mapping.*"), Entry.parse("management.endpoint.health.*"),
			Entry.parse("cse.*")));

	private static final String NEVER_OVERRIDABLE_REASON = "the port and address of the server and of the "
			+ "management server, the actuator's base path, path mappings and health endpoint, and cse.* are "
			+ "fixed at start-up";

	private static final OverridableProperties NONE = new OverridableProperties(Collections.<Entry>emptyList());

	private final List<Entry> entries;

	private OverridableProperties(List<Entry> entries) {
		this.entries = entries;
	}

	/**
	 * Return the properties of a service that lets no thaw set any.
	 * @return no overridable properties
	 */
	public static OverridableProperties none() {
		return NONE;
	}

	/**
	 * Return the properties that the given entries allow.
	 * @param entries exact property names, and prefixes that end in {@code .*}
	 * @return the overridable properties
	 * @throws IllegalArgumentException if an entry is neither, or if it names or covers a
	 * property that is never overridable
	 */
	public static OverridableProperties of(Collection<String> entries) {
		List<Entry> parsed = new ArrayList<>();
		for (String text : entries) {
			Entry entry = Entry.parse(text);
			if (entry == null) {
				throw new IllegalArgumentException(PROPERTY + " lists '" + text + "', which is neither a property "
						+ "name (for example app.region) nor a prefix that ends in .* (for example feature.*)");
			}
			Entry clash = neverOverridableIn(entry);
			if (clash != null) {
				throw new IllegalArgumentException(PROPERTY + " cannot list '" + text + "': a thaw can never set "
						+ clash + " (" + NEVER_OVERRIDABLE_REASON + "). Remove it, or list only the properties a "
						+ "thaw may set");
			}
			parsed.add(entry);
		}
		return parsed.isEmpty() ? NONE : new OverridableProperties(Collections.unmodifiableList(parsed));
	}

	/**
	 * Check that a thaw may set every one of the given properties.
	 * @param keys the keys of the properties, as the request spells them
	 * @throws IllegalArgumentException naming every key that it may not set, and what to do
	 */
	void check(Collection<String> keys) {
		List<String> notNames = new ArrayList<>();
		List<String> neverOverridable = new ArrayList<>();
		List<String> notListed = new ArrayList<>();
		// Sorted, so that a refusal reads the same whatever the order of the request
		for (String key : new TreeSet<>(keys)) {
			ConfigurationPropertyName name = nameOf(key);
			if (name == null) {
				notNames.add("'" + CallerText.echoed(key) + "'");
			}
			else if (isNeverOverridable(name)) {
				neverOverridable.add(describe(key, name));
			}
			else if (!isListed(name)) {
				notListed.add(describe(key, name));
			}
		}
		List<String> problems = new ArrayList<>();
		if (!notNames.isEmpty()) {
			problems.add(listed(notNames) + ((notNames.size() == 1) ? " is" : " are")
					+ " not a property name: write keys as in application.properties, for example app.region");
		}
		if (!neverOverridable.isEmpty()) {
			problems.add("a thaw can never set " + listed(neverOverridable) + " ("
					+ NEVER_OVERRIDABLE_REASON + ")");
		}
		if (!notListed.isEmpty()) {
			problems.add("this service lets no thaw set " + listed(notListed) + ": add "
					+ ((notListed.size() == 1) ? "it" : "them") + " to " + PROPERTY
					+ " (a name, or a prefix such as app.*)");
		}
		if (!problems.isEmpty()) {
			throw new IllegalArgumentException("Refused 'properties', nothing was set: " + String.join("; ", problems));
		}
	}

	@Override
	public String toString() {
		return this.entries.toString();
	}

	/**
	 * Return the property that is never overridable and that the given entry names or
	 * covers, or {@code null} if there is none.
	 */
	private static Entry neverOverridableIn(Entry entry) {
		for (Entry never : NEVER_OVERRIDABLE) {
			if (never.covers(entry.name) || (entry.prefix && entry.name.isAncestorOf(never.name))) {
				return never;
			}
		}
		return null;
	}

	private static boolean isNeverOverridable(ConfigurationPropertyName name) {
		for (Entry never : NEVER_OVERRIDABLE) {
			if (never.covers(name)) {
				return true;
			}
		}
		return false;
	}

	private boolean isListed(ConfigurationPropertyName name) {
		for (Entry entry : this.entries) {
			if (entry.allows(name)) {
				return true;
			}
		}
		return false;
	}

	/**
	 * The first few of a refusal's keys: a request with thousands gets a message of a line.
	 */
	private static String listed(List<String> keys) {
		int shown = Math.min(keys.size(), 5);
		String listed = String.join(", ", keys.subList(0, shown));
		return (shown < keys.size()) ? listed + " and " + (keys.size() - shown) + " more" : listed;
	}

	private static String describe(String key, ConfigurationPropertyName name) {
		String canonical = name.toString();
		return "'" + CallerText.echoed(key) + "'" + (key.equals(canonical) ? "" : " (" + CallerText.echoed(canonical) + ")");
	}

	/**
	 * Return the name Spring Boot reads a key of a property source as, or {@code null} if
	 * the key is not a property name. Spring Boot's reading is lenient: it takes
	 * {@code app.re gion} for {@code app.region}, dropping what it cannot read, so the key
	 * is first held to the canonical form, in any case, as a {@code .properties} file may
	 * spell it.
	 */
	private static ConfigurationPropertyName nameOf(String key) {
		if (!PROPERTY_NAME.matcher(key).matches()) {
			return null;
		}
		return ConfigurationPropertyName.adapt(key, '.');
	}

	/**
	 * One entry of a list of properties: a name, or a prefix that ends in {@code .*}.
	 */
	private static final class Entry {

		private final String text;

		private final ConfigurationPropertyName name;

		private final boolean prefix;

		private Entry(String text, ConfigurationPropertyName name, boolean prefix) {
			this.text = text;
			this.name = name;
			this.prefix = prefix;
		}

		static Entry parse(String text) {
			boolean prefix = text.endsWith(".*");
			ConfigurationPropertyName name = nameOf(prefix ? text.substring(0, text.length() - 2) : text);
			return (name != null) ? new Entry(text, name, prefix) : null;
		}

		/**
		 * Whether a thaw may set the given property, for an entry of the list.
		 */
		boolean allows(ConfigurationPropertyName candidate) {
			return this.prefix ? this.name.isAncestorOf(candidate) : this.name.equals(candidate);
		}

		/**
		 * Whether the given property is this one or under it, for a property that is never
		 * overridable: {@code server.port[0]} is {@code server.port} too.
		 */
		boolean covers(ConfigurationPropertyName candidate) {
			return this.name.equals(candidate) || this.name.isAncestorOf(candidate);
		}

		@Override
		public String toString() {
			return this.text;
		}

	}

}
