package io.cse.docs;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.cse.autoconfigure.CseProperties;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link PropertiesReference}, and the check that the property tables of
 * {@code docs/reference.md} are those the configuration metadata gives. To regenerate them
 * after a change to {@link CseProperties}, run {@value #REGENERATE} (from the root of the
 * repository) and commit the result.
 */
class PropertiesReferenceTests {

	static final String REGENERATE = "mvn -B -pl cse-spring-boot-autoconfigure -am test "
			+ "-Dtest=PropertiesReferenceTests -Dsurefire.failIfNoSpecifiedTests=false -Dcse.docs.regenerate=true";

	/** Relative to the module, where Maven runs its tests. */
	private static final Path REFERENCE = Path.of("../docs/reference.md");

	private final PropertiesReference reference = PropertiesReference.read(metadata());

	@Test
	void docsReferenceHasThePropertyTablesTheMetadataGives() throws IOException {
		String committed = Files.readString(REFERENCE);
		String generated = this.reference.updateDocument(committed);
		if (Boolean.getBoolean("cse.docs.regenerate")) {
			Files.writeString(REFERENCE, generated);
			return;
		}
		assertThat(committed).as("docs/reference.md is out of date with the configuration metadata: run %s",
				REGENERATE).isEqualTo(generated);
	}

	@Test
	void tablesListEveryPropertyByGroupAndTheDeprecatedKeysWithTheirReplacement() {
		String tables = this.reference.tables();
		assertThat(tables).contains("\n### `cse`\n", "\n### `cse.traffic`\n", "\n### `cse.memory`\n",
				"\n### `cse.serverless-ready`\n", "\n### Deprecated\n");
		assertThat(tables).contains("| `cse.traffic.hold-timeout` | `30s` | Longest time a request is held ")
			.contains("| `cse.serverless-ready.hazard-check.fail-on` | `none` | ")
			.contains("| `cse.freeze.hold-timeout` | `cse.traffic.hold-timeout` |")
			.doesNotContain("management.endpoint");
		assertThat(tables.indexOf("`cse.traffic.enabled`")).as("a group's switch comes first")
			.isLessThan(tables.indexOf("`cse.traffic.close-idle-connections`"));
	}

	@Test
	void textOutsideTheMarkersIsKept() {
		String document = "# Reference\n\nBy hand.\n\n" + PropertiesReference.BEGIN + "\nstale\n"
				+ PropertiesReference.END + "\n\nBy hand too.\n";
		String updated = this.reference.updateDocument(document);
		assertThat(updated).startsWith("# Reference\n\nBy hand.\n\n" + PropertiesReference.BEGIN + "\n\n### `cse`\n")
			.endsWith(" |\n\n" + PropertiesReference.END + "\n\nBy hand too.\n")
			.doesNotContain("stale");
		assertThat(this.reference.updateDocument(updated)).isEqualTo(updated);
	}

	@Test
	void aDocumentWithoutMarkersIsRefused() {
		assertThatIllegalArgumentException().isThrownBy(() -> this.reference.updateDocument("# Reference\n"))
			.withMessageContaining(PropertiesReference.BEGIN);
	}

	@Test
	void quotedLiteralsAndAnnotationsBecomeCode() {
		assertThat(PropertiesReference.markdown("Severity: 'none' only reports, in 'GET /actuator/cse'; the "
				+ "actuator's health endpoint, else '/'. Beans annotated @ServerlessReady,\n  a|b."))
			.isEqualTo("Severity: `none` only reports, in `GET /actuator/cse`; the actuator's health endpoint, "
					+ "else `/`. Beans annotated `@ServerlessReady`, a\\|b.");
	}

	/**
	 * The metadata the configuration processor wrote next to {@link CseProperties}, not
	 * the first of the class path's.
	 */
	static Path metadata() {
		try {
			return Path.of(CseProperties.class.getProtectionDomain().getCodeSource().getLocation().toURI())
				.resolve("META-INF/spring-configuration-metadata.json");
		}
		catch (URISyntaxException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
