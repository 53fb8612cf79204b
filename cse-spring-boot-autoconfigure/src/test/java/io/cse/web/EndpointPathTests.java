package io.cse.web;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link EndpointPath}: which paths the traffic gate lets through as the
 * endpoint's, on every web stack.
 */
class EndpointPathTests {

	private final EndpointPath endpoint = new EndpointPath("/actuator/cse");

	@ParameterizedTest
	@ValueSource(strings = { "/actuator/cse", "/actuator/cse/", "/actuator/cse/freeze", "/actuator/cse/thaw?x=1",
			"/actuator/%63se", "/actuator/cse;v=1/thaw", "/actuator;a=b/cse",
			"/%61ctuator/cse/dump" })
	void pathsThatSpringMapsToTheEndpointAreTheEndpoints(String path) {
		assertThat(this.endpoint.matches(path)).isTrue();
	}

	@ParameterizedTest
	@ValueSource(strings = { "/actuator/cse/../../orders", "/actuator/cse/%2e%2e/%2E%2E/orders",
			"/actuator/cse/..;/..;/orders", "/actuator/cse/.%2e/orders", "/actuator/cse/./freeze",
			"/actuator/cse/..%2f..%2forders", "/actuator/cse/..%5c..%5corders", "//actuator//cse", "/actuator//cse",
			"/actuator/cse//freeze", "/actuator/csefreeze", "/actuator/cs", "/actuator", "/orders", "", "actuator/cse",
			"/actuator/cse/%zz", "/actuator/cse/%2" })
	void pathsThatCouldLeadElsewhereAreNot(String path) {
		assertThat(this.endpoint.matches(path)).isFalse();
	}

	@ParameterizedTest
	@ValueSource(strings = { "/manage.v1/cse", "/manage.v1/cse/freeze", "/manage%2Ev1/cse" })
	void endpointPathWithADotInASegmentIsMatched(String path) {
		assertThat(new EndpointPath("/manage.v1/cse").matches(path)).isTrue();
	}

	@ParameterizedTest
	@ValueSource(strings = { "/manage.v1/csefreeze", "/manage.v1/../manage.v1/cse", "/managev1/cse" })
	void endpointPathWithADotInASegmentIsNotMatchedByOthers(String path) {
		assertThat(new EndpointPath("/manage.v1/cse").matches(path)).isFalse();
	}

	@ParameterizedTest
	@ValueSource(strings = { "", "/", "actuator/cse", "/actuator/../cse" })
	void endpointPathMustBePlain(String path) {
		assertThatIllegalArgumentException().isThrownBy(() -> new EndpointPath(path)).withMessageContaining(path);
	}

}
