package io.cse.docs;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.springframework.boot.configurationmetadata.ConfigurationMetadataProperty;
import org.springframework.boot.configurationmetadata.ConfigurationMetadataRepositoryJsonBuilder;

/**
 * Writes the property tables of {@code docs/reference.md} from the configuration metadata
 * that the configuration processor generates from the javadoc of {@code CseProperties}:
 * one table per group of properties ({@code cse.traffic}, {@code cse.memory}, ...), then
 * the deprecated keys with their replacements. Only the text between {@link #BEGIN} and
 * {@link #END} is generated; the rest of the document is written by hand.
 * <p>
 * Descriptions are plain text in the metadata: a literal in single quotes ({@code 'none'})
 * and an annotation ({@code @ServerlessReady}) become code.
 */
final class PropertiesReference {

	static final String BEGIN = "<!-- BEGIN generated properties: edit the javadoc of CseProperties instead, "
			+ "then regenerate (see PropertiesReferenceTests) -->";

	static final String END = "<!-- END generated properties -->";

	private static final String PREFIX = "cse.";

	private static final Pattern QUOTED_LITERAL = Pattern.compile("(?<![\\w'])'([^'\\s][^']*?)'(?![\\w'])");

	private static final Pattern ANNOTATION = Pattern.compile("(?<![\\w`])@[A-Z]\\w*");

	private final List<ConfigurationMetadataProperty> properties;

	private PropertiesReference(List<ConfigurationMetadataProperty> properties) {
		this.properties = properties;
	}

	/**
	 * Read the metadata of the {@code cse.*} properties.
	 * @param metadata a {@code spring-configuration-metadata.json} file
	 * @return the reference of its {@code cse.*} properties
	 */
	static PropertiesReference read(Path metadata) {
		try (InputStream json = Files.newInputStream(metadata)) {
			return new PropertiesReference(ConfigurationMetadataRepositoryJsonBuilder.create(json)
				.build()
				.getAllProperties()
				.values()
				.stream()
				.filter((property) -> property.getId().startsWith(PREFIX))
				.toList());
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot read the configuration metadata " + metadata, ex);
		}
	}

	/**
	 * Return the document with the text between its markers replaced by the tables.
	 * @param document a Markdown document with a line {@link #BEGIN} and, after it, a line
	 * {@link #END}
	 * @return the document with up-to-date tables
	 */
	String updateDocument(String document) {
		int begin = document.indexOf(BEGIN + "\n");
		int end = document.indexOf(END + "\n");
		if (begin < 0 || end < begin) {
			throw new IllegalArgumentException("The document has no line '" + BEGIN + "' followed by a line '" + END
					+ "' to write the tables between");
		}
		return document.substring(0, begin + BEGIN.length() + 1) + tables() + document.substring(end);
	}

	/**
	 * Return the tables: one per group of properties, groups and properties in
	 * alphabetical order (each group's switch first), then the deprecated keys.
	 * @return the tables, in Markdown
	 */
	String tables() {
		Map<String, List<ConfigurationMetadataProperty>> groups = this.properties.stream()
			.filter((property) -> !property.isDeprecated())
			.sorted(Comparator.comparing((ConfigurationMetadataProperty property) -> !isSwitch(property))
				.thenComparing(ConfigurationMetadataProperty::getId))
			.collect(Collectors.groupingBy(PropertiesReference::group, TreeMap::new, Collectors.toList()));
		StringBuilder tables = new StringBuilder();
		groups.forEach((group, properties) -> {
			tables.append("\n### `").append(group).append("`\n\n");
			tables.append("| property | default | description |\n|---|---|---|\n");
			properties.forEach((property) -> tables.append("| `")
				.append(property.getId())
				.append("` | ")
				.append(defaultValue(property.getDefaultValue()))
				.append(" | ")
				.append(markdown(property.getDescription()))
				.append(" |\n"));
		});
		List<ConfigurationMetadataProperty> deprecated = this.properties.stream()
			.filter(ConfigurationMetadataProperty::isDeprecated)
			.sorted(Comparator.comparing(ConfigurationMetadataProperty::getId))
			.toList();
		if (!deprecated.isEmpty()) {
			tables.append("\n### Deprecated\n\n");
			tables.append("Still bound until the next release; where both are set, the replacement wins.\n\n");
			tables.append("| property | replacement |\n|---|---|\n");
			deprecated.forEach((property) -> tables.append("| `")
				.append(property.getId())
				.append("` | ")
				.append(replacement(property))
				.append(" |\n"));
		}
		return tables.append("\n").toString();
	}

	/**
	 * The group a property belongs to: its first key below {@code cse}, or {@code cse}
	 * itself for the starter's own settings.
	 */
	private static String group(ConfigurationMetadataProperty property) {
		String[] keys = property.getId().substring(PREFIX.length()).split("\\.");
		return (keys.length == 1) ? "cse" : PREFIX + keys[0];
	}

	private static boolean isSwitch(ConfigurationMetadataProperty property) {
		return property.getId().equals(group(property) + ".enabled");
	}

	private static String defaultValue(Object value) {
		if (value == null) {
			return "";
		}
		String text = (value instanceof Object[] values)
				? Arrays.stream(values).map(String::valueOf).collect(Collectors.joining(",")) : String.valueOf(value);
		return "`" + text + "`";
	}

	private static String replacement(ConfigurationMetadataProperty property) {
		String replacement = property.getDeprecation().getReplacement();
		return (replacement != null) ? "`" + replacement + "`" : "none";
	}

	static String markdown(String description) {
		if (description == null) {
			return "";
		}
		String text = description.replaceAll("\\s+", " ").trim().replace("|", "\\|");
		text = QUOTED_LITERAL.matcher(text).replaceAll((match) -> Matcher.quoteReplacement("`" + match.group(1) + "`"));
		return ANNOTATION.matcher(text).replaceAll((match) -> Matcher.quoteReplacement("`" + match.group() + "`"));
	}

}
