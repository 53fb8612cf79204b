package example.boot27;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URL;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The CSE starter added to a Spring Boot 2.7 service must not break it: on Java 8 (where
 * the starter's classes cannot even be loaded) and on Java 17 (where they could, but Spring
 * Boot 2.7 is not supported) the service starts and serves, the starter creates no bean and
 * no endpoint, and says why in one log line.
 */
class StarterStepsAsideTests {

	/** How the starter's one line begins (see SupportedPlatformCondition). */
	private static final String INACTIVE = "CSE is inactive";

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
	void onJava8TheServiceServesAndTheStarterStepsAside() throws Exception {
		this.service = ServiceProcess.start(java8(), this.workDir);
		assertServesWithoutCse(this.service);
		assertThat(inactiveLine(this.service)).contains("Java 1.8").contains("Spring Boot 2.7.18");
	}

	@Test
	void onJava17TheStarterStillStepsAsideFromSpringBoot27() throws Exception {
		Path java = Path.of(System.getProperty("java.home"), "bin", "java");
		assertThat(Runtime.version().feature()).as("the JDK that runs the build").isGreaterThanOrEqualTo(17);
		this.service = ServiceProcess.start(java, this.workDir);
		assertServesWithoutCse(this.service);
		assertThat(inactiveLine(this.service)).contains("Java " + Runtime.version().feature())
			.contains("Spring Boot 2.7.18");
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

	private static void assertServesWithoutCse(ServiceProcess service) throws Exception {
		HttpResponse<String> hello = service.get("/");
		assertThat(hello.statusCode()).isEqualTo(200);
		assertThat(hello.body()).isEqualTo("hello from Spring Boot 2.7");
		// Enabled and exposed in application.properties: it would answer, had it been created.
		assertThat(service.get("/actuator/cse").statusCode()).isEqualTo(404);
		HttpResponse<String> beans = service.get("/actuator/beans");
		assertThat(beans.statusCode()).isEqualTo(200);
		assertThat(beans.body()).doesNotContain("io.cse.");
		// Every one of the starter's auto-configurations was considered and did not match.
		JsonNode conditions = JSON.readTree(service.get("/actuator/conditions").body())
			.path("contexts")
			.elements()
			.next();
		List<String> negative = fieldNames(conditions.path("negativeMatches"));
		List<String> positive = fieldNames(conditions.path("positiveMatches"));
		for (String autoConfiguration : starterAutoConfigurations()) {
			String simpleName = autoConfiguration.substring(autoConfiguration.lastIndexOf('.') + 1);
			assertThat(negative).as("auto-configurations that did not match").contains(simpleName);
			assertThat(positive).as("auto-configurations that matched").noneMatch((name) -> name.startsWith(simpleName));
		}
		assertThat(service.log()).doesNotContain("UnsupportedClassVersionError");
	}

	/** The one line that says why the starter is inactive; fails unless there is exactly one. */
	private static String inactiveLine(ServiceProcess service) {
		List<String> lines = service.log().lines().filter((line) -> line.contains(INACTIVE)).toList();
		assertThat(lines).as("lines saying '%s' in the service's output:%n%s", INACTIVE, service.log()).hasSize(1);
		return lines.get(0);
	}

	/** The starter's auto-configurations, as Spring Boot reads them from its jar. */
	private static List<String> starterAutoConfigurations() throws IOException {
		List<String> names = new ArrayList<>();
		Enumeration<URL> files = StarterStepsAsideTests.class.getClassLoader()
			.getResources("META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports");
		for (URL file : Collections.list(files)) {
			try (BufferedReader reader = new BufferedReader(new InputStreamReader(file.openStream(), StandardCharsets.UTF_8))) {
				reader.lines().map(String::trim).filter((line) -> line.startsWith("io.cse.")).forEach(names::add);
			}
		}
		assertThat(names).as("the starter's auto-configurations on the test class path").isNotEmpty();
		return names;
	}

	private static List<String> fieldNames(JsonNode node) {
		List<String> names = new ArrayList<>();
		for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext();) {
			names.add(fields.next().getKey());
		}
		return names;
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
