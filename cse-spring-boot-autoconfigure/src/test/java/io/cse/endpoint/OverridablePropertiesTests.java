package io.cse.endpoint;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNoException;

/**
 * Tests for {@link OverridableProperties}: names are compared as Spring Boot reads them, and
 * what is never overridable stays so whatever the list says.
 */
class OverridablePropertiesTests {

	private final OverridableProperties overridable = OverridableProperties
		.of(Arrays.asList("app.region", "feature.*", "app.hosts.*"));

	@Test
	void anExactNameAllowsThatNameInAnySpelling() {
		assertThatNoException()
			.isThrownBy(() -> this.overridable.check(List.of("app.region", "App.Region", "app[region]")));
	}

	@Test
	void anExactNameAllowsNothingUnderIt() {
		assertThatIllegalArgumentException().isThrownBy(() -> this.overridable.check(List.of("app.region.north")))
			.withMessage("Refused 'properties', nothing was set: this service lets no thaw set 'app.region.north': "
					+ "add it to cse.clone.overridable-properties (a name, or a prefix such as app.*)");
	}

	@Test
	void aPrefixAllowsEveryPropertyUnderItButNotItself() {
		assertThatNoException().isThrownBy(
				() -> this.overridable.check(List.of("feature.x", "feature.x.y", "feature.x[0]", "app.hosts[0]")));
		assertThatIllegalArgumentException().isThrownBy(() -> this.overridable.check(List.of("feature")))
			.withMessageContaining("this service lets no thaw set 'feature': add it to cse.clone.overridable-properties");
	}

	@Test
	void noneAllowsNothing() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> OverridableProperties.none().check(List.of("app.region", "greeting")))
			.withMessageEndingWith("this service lets no thaw set 'app.region', 'greeting': add them to "
					+ "cse.clone.overridable-properties (a name, or a prefix such as app.*)");
	}

	@ParameterizedTest
	@ValueSource(strings = { "server.port", "Server.Port", "SERVER.PORT", "server[port]", "ser-ver.port",
			"server.port[0]", "server.address", "management.server.port", "management.server.address",
			"management.endpoints.web.base-path", "management.endpoints.web.path-mapping.cse",
			"management.endpoint.health.show-details", "cse.enabled", "Cse.Clone.Overridable-Properties[0]" })
	void aPropertyThatIsNeverOverridableIsRefusedInAnySpelling(String key) {
		OverridableProperties everything = OverridableProperties
			.of(Arrays.asList("app.*", "feature.*", "management.endpoint.cse.*"));
		assertThatIllegalArgumentException().isThrownBy(() -> everything.check(List.of(key)))
			.withMessageContaining("a thaw can never set ")
			.withMessageContaining("'" + key + "'");
	}

	@ParameterizedTest
	@ValueSource(strings = { "SERVER_PORT", "app.re gion", "app.region!", "", "-app.region", "app.region." })
	void aKeyThatIsNotAPropertyNameIsRefused(String key) {
		assertThatIllegalArgumentException().isThrownBy(() -> this.overridable.check(List.of(key)))
			.withMessage("Refused 'properties', nothing was set: '" + key + "' is not a property name: write keys "
					+ "as in application.properties, for example app.region");
	}

	@Test
	void aRefusalNamesEveryOffendingKeyInOrder() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.overridable.check(List.of("zone", "Server.Port", "app.region", "SERVER_ADDRESS",
					"cse.enabled", "greeting")))
			.withMessage("Refused 'properties', nothing was set: 'SERVER_ADDRESS' is not a property name: write "
					+ "keys as in application.properties, for example app.region; a thaw can never set "
					+ "'Server.Port' (server.port), 'cse.enabled' (the port and address of the server and of the "
					+ "management server, the actuator's base path, path mappings and health endpoint, and cse.* "
					+ "are fixed at start-up); this service lets no thaw set 'greeting', 'zone': add them to "
					+ "cse.clone.overridable-properties (a name, or a prefix such as app.*)");
	}

	@ParameterizedTest
	@ValueSource(strings = { "server.port", "Server.Port", "server.port[0]", "server.*", "management.*",
			"management.server.*", "management.endpoints.*", "management.endpoints.web.*",
			"management.endpoints.web.base-path", "management.endpoints.web.path-mapping.cse",
			"management.endpoint.*", "management.endpoint.health.*", "management.endpoint.health.show-details",
			"cse.*", "cse.enabled", "cse.clone.overridable-properties" })
	void aListThatCoversAPropertyThatIsNeverOverridableIsRefused(String entry) {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> OverridableProperties.of(Arrays.asList("app.region", entry)))
			.withMessageStartingWith("cse.clone.overridable-properties cannot list '" + entry + "': a thaw can never set ")
			.withMessageEndingWith("Remove it, or list only the properties a thaw may set");
	}

	@Test
	void aListThatCoversAPropertyThatIsNeverOverridableIsRefusedNamingThatProperty() {
		assertThatIllegalArgumentException().isThrownBy(() -> OverridableProperties.of(List.of("server.*")))
			.withMessage("cse.clone.overridable-properties cannot list 'server.*': a thaw can never set server.port "
					+ "(the port and address of the server and of the management server, the actuator's base path, "
					+ "path mappings and health endpoint, and cse.* are fixed at start-up). Remove it, or list only "
					+ "the properties a thaw may set");
	}

	@ParameterizedTest
	@ValueSource(strings = { "*", ".*", "*.*", "**", "feature*", "feature.**", "*.port", "", "app region", "APP_REGION" })
	void aListEntryThatIsNeitherANameNorAPrefixIsRefused(String entry) {
		assertThatIllegalArgumentException().isThrownBy(() -> OverridableProperties.of(List.of(entry)))
			.withMessage("cse.clone.overridable-properties lists '" + entry + "', which is neither a property name "
					+ "(for example app.region) nor a prefix that ends in .* (for example feature.*)");
	}

	@Test
	void aListBesideWhatIsNeverOverridableIsAccepted() {
		assertThatNoException().isThrownBy(() -> OverridableProperties.of(List.of("server.servlet.session.timeout",
				"management.endpoint.cse.enabled", "spring.*", "server-name", "csex.*")));
	}

}
