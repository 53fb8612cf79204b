package io.cse.endpoint;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;

import com.jayway.jsonpath.JsonPath;
import io.cse.CheckpointCoordinator;
import io.cse.InstanceState;
import io.cse.endpoint.CseEndpointWebStacksTests.Stack;
import io.cse.endpoint.CseEndpointWebTests.GreetingController;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code cse.endpoint.token-file} on every web stack, as a caller sees it: without the
 * token, or with a wrong one, every operation of {@code /actuator/cse} (reads included,
 * and paths that reach it only once decoded) is answered 401 with what to send, tells
 * nothing of the instance and changes nothing; with it, the platform freezes and thaws as
 * before. The same holds on a management port of its own.
 */
class EndpointTokenWebTests {

	private static final String TOKEN = "k3y-0f-the-n0de-agent-for-this-service";

	static Stream<Stack> stacks() {
		return CseEndpointWebStacksTests.stacks();
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("stacks")
	void everyOperationWantsTheTokenAndAWrongOneChangesNothing(Stack stack, @TempDir Path folder) throws IOException {
		try (ConfigurableApplicationContext application = stack.start(GreetingController.class,
				"cse.endpoint.token-file=" + tokenFile(folder))) {
			Http anyone = new Http(port(application, "local.server.port"));
			assertRefusedWithoutTheToken(anyone, application);
			// The application itself needs no token.
			assertThat(anyone.get("/hello").body()).isEqualTo(CseEndpointWebTests.GREETING);
			assertFreezesAndThawsWithTheToken(anyone, application);
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("io.cse.endpoint.ManagementServerWebTests#stacks")
	void onAManagementPortOfItsOwnTheTokenIsCheckedToo(Stack stack, @TempDir Path folder) throws IOException {
		try (ConfigurableApplicationContext application = stack.start(GreetingController.class,
				"cse.endpoint.token-file=" + tokenFile(folder), "management.server.port=0",
				"management.server.address=127.0.0.1")) {
			Http management = new Http(port(application, "local.management.port"));
			assertRefusedWithoutTheToken(management, application);
			assertFreezesAndThawsWithTheToken(management, application);
		}
	}

	private static void assertRefusedWithoutTheToken(Http anyone, ConfigurableApplicationContext application) {
		CheckpointCoordinator coordinator = application.getBean(CheckpointCoordinator.class);
		Http wrong = anyone.authorization("Bearer " + TOKEN.substring(1));
		Http notBearer = anyone.authorization(TOKEN);
		for (Http caller : new Http[] { anyone, wrong, notBearer }) {
			assertRefused(caller.get("/actuator/cse"));
			assertRefused(caller.get("/actuator/cse/hazardCheck"));
			assertRefused(caller.post("/actuator/cse/freeze"));
			assertRefused(caller.post("/actuator/cse/dump"));
			assertThat(coordinator.getState()).isEqualTo(InstanceState.RUNNING);
		}
		// Paths that reach the endpoint once decoded are checked as the endpoint: the check
		// is in the operation, not on the path.
		assertRefused(anyone.post("/actuator/%63se/freeze"));
		assertThat(coordinator.getState()).isEqualTo(InstanceState.RUNNING);
	}

	private static void assertRefused(HttpResponse<String> response) {
		assertThat(response.statusCode()).as(response.uri() + ": " + response.body()).isEqualTo(401);
		assertThat(response.body()).contains("Authorization: Bearer TOKEN", "cse.endpoint.token-file")
			.doesNotContain("state", "RUNNING", TOKEN);
	}

	private static void assertFreezesAndThawsWithTheToken(Http anyone, ConfigurableApplicationContext application) {
		CheckpointCoordinator coordinator = application.getBean(CheckpointCoordinator.class);
		Http platform = anyone.authorization("Bearer " + TOKEN);
		HttpResponse<String> status = platform.get("/actuator/cse");
		assertThat(status.statusCode()).as(status.body()).isEqualTo(200);
		assertThat(JsonPath.<String>read(status.body(), "$.state")).isEqualTo("RUNNING");

		HttpResponse<String> freeze = platform.post("/actuator/cse/freeze");
		assertThat(freeze.statusCode()).as(freeze.body()).isEqualTo(200);
		assertThat(coordinator.getState()).isEqualTo(InstanceState.FROZEN);
		// While frozen, a thaw without the token changes nothing either.
		assertRefused(anyone.post("/actuator/cse/thaw"));
		assertThat(coordinator.getState()).isEqualTo(InstanceState.FROZEN);
		HttpResponse<String> thaw = platform.post("/actuator/cse/thaw");
		assertThat(thaw.statusCode()).as(thaw.body()).isEqualTo(200);
		assertThat(coordinator.getState()).isEqualTo(InstanceState.RUNNING);
	}

	private static Path tokenFile(Path folder) throws IOException {
		Path file = folder.resolve("endpoint-token");
		Files.writeString(file, TOKEN + "\n");
		Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
		return file;
	}

	private static int port(ConfigurableApplicationContext application, String property) {
		return application.getEnvironment().getRequiredProperty(property, Integer.class);
	}

}
