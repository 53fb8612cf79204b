package example.boot27;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The CSE starter in a Spring Boot 2.7 service, on Java 8 and on the build's Java (17 or
 * later): the service starts and serves, {@code /actuator/cse} stays unreachable until the
 * service enables it ({@code management.endpoint.cse.enabled=true}, as Spring Boot 2.7 has
 * no {@code access} property), and then a freeze and a thaw work while {@code GET /} serves
 * across them.
 */
class StarterServesTests {

	private static final String ENABLED = "--management.endpoint.cse.enabled=true";

	private static final ObjectMapper JSON = new ObjectMapper();

	@TempDir
	Path workDir;

	private ServiceProcess service;

	@AfterEach
	void stopService() {
		if (this.service != null) {
			this.service.stop();
		}
	}

	@Test
	void onJava8TheEndpointIsUnreachableUntilEnabled() throws Exception {
		assertEndpointUnreachableUntilEnabled(java8());
	}

	@Test
	void onJava8FreezeAndThawWorkWhileTheServiceServes() throws Exception {
		assertFreezeAndThaw(java8());
	}

	@Test
	void onTheBuildsJavaTheEndpointIsUnreachableUntilEnabled() throws Exception {
		assertEndpointUnreachableUntilEnabled(buildJava());
	}

	@Test
	void onTheBuildsJavaFreezeAndThawWorkWhileTheServiceServes() throws Exception {
		assertFreezeAndThaw(buildJava());
	}

	@Test
	void onJava8AServiceThatFailsToStartStillGetsSpringBootsOwnFailureAnalysis() throws Exception {
		// The starter's failure analyzers are listed in its spring.factories, which Spring
		// Boot 2.7 reads too: they must not stand in the way of the service's own report.
		try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			this.service = ServiceProcess.launch(java8(), this.workDir, "--server.port=" + taken.getLocalPort(),
					"--server.address=" + taken.getInetAddress().getHostAddress());
			assertThat(this.service.awaitExit()).isNotZero();
			assertThat(this.service.log()).contains("APPLICATION FAILED TO START")
				.contains("Port " + taken.getLocalPort() + " was already in use")
				.doesNotContain("UnsupportedClassVersionError");
		}
	}

	private void assertEndpointUnreachableUntilEnabled(Path java) throws Exception {
		this.service = ServiceProcess.start(java, this.workDir);
		assertServes(this.service);
		// Exposed in application.properties, but not enabled: Spring Boot 2.7 would enable
		// an endpoint by default, the starter does not.
		assertThat(this.service.get("/actuator/cse").statusCode()).isEqualTo(404);
		HttpResponse<String> beans = this.service.get("/actuator/beans");
		assertThat(beans.body()).contains("io.cse.CheckpointCoordinator")
			.contains("io.cse.web.JavaxTrafficGateFilter")
			.doesNotContain("io.cse.endpoint.CseEndpoint");
		assertThat(this.service.log()).doesNotContain("CSE is inactive").doesNotContain("UnsupportedClassVersionError");
	}

	private void assertFreezeAndThaw(Path java) throws Exception {
		this.service = ServiceProcess.start(java, this.workDir, ENABLED);
		assertThat(state(this.service.get("/actuator/cse"))).isEqualTo("RUNNING");

		HttpResponse<String> freeze = this.service.post("/actuator/cse/freeze");
		assertThat(freeze.statusCode()).as(freeze.body()).isEqualTo(200);
		assertThat(state(freeze)).isEqualTo("FROZEN");
		assertThat(state(this.service.get("/actuator/cse"))).isEqualTo("FROZEN");

		HttpResponse<String> thaw = this.service.post("/actuator/cse/thaw");
		assertThat(thaw.statusCode()).as(thaw.body()).isEqualTo(200);
		assertThat(state(thaw)).isEqualTo("RUNNING");
		assertServes(this.service);

		// A request that finds the instance frozen is held at the gate and thaws it.
		assertThat(state(this.service.post("/actuator/cse/freeze"))).isEqualTo("FROZEN");
		assertServes(this.service);
		assertThat(state(this.service.get("/actuator/cse"))).isEqualTo("RUNNING");
	}

	private static void assertServes(ServiceProcess service) throws Exception {
		HttpResponse<String> hello = service.get("/");
		assertThat(hello.statusCode()).isEqualTo(200);
		assertThat(hello.body()).isEqualTo("hello from Spring Boot 2.7");
	}

	private static String state(HttpResponse<String> response) throws Exception {
		JsonNode body = JSON.readTree(response.body());
		return body.path("state").asText();
	}

	private static Path buildJava() {
		assertThat(Runtime.version().feature()).as("the JDK that runs the build").isGreaterThanOrEqualTo(17);
		return Path.of(System.getProperty("java.home"), "bin", "java");
	}

	/**
	 * The JDK 8 that scripts/install-jdk.sh 8 installs (or the one in CSE_JDK8). Missing, the
	 * test is skipped, unless CSE_REQUIRE_ROOT_TESTS=1 (as in CI): then it fails.
	 */
	private static Path java8() {
		Path java = Path.of(System.getenv().getOrDefault("CSE_JDK8", "/opt/cse/jdk8"), "bin", "java");
		if (!Files.isExecutable(java)) {
			String reason = "No JDK 8 at " + java + ": run scripts/install-jdk.sh 8 as root (or set CSE_JDK8 to a JDK 8 home)";
			if ("1".equals(System.getenv("CSE_REQUIRE_ROOT_TESTS"))) {
				fail(reason + "; CSE_REQUIRE_ROOT_TESTS=1 makes this a failure, not a skip");
			}
			assumeTrue(false, reason + " (set CSE_REQUIRE_ROOT_TESTS=1 to fail instead of skipping)");
		}
		return java;
	}

}
