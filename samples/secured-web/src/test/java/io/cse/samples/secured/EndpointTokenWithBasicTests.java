package io.cse.samples.secured;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import io.cse.CheckpointCoordinator;
import io.cse.InstanceState;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The endpoint's own token ({@code cse.endpoint.token-file}) with Spring Security's HTTP
 * Basic in front: both want the one {@code Authorization} header, one with
 * {@code Bearer TOKEN}, the other with {@code Basic CREDENTIALS}, so no request can satisfy
 * both and the platform can call nothing. They do not compose: use one or the other.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = "cse.traffic.thaw-on-request=false")
class EndpointTokenWithBasicTests {

	private static final String TOKEN = "a-token-of-the-platform-32-chars";

	private static final Path TOKEN_FILE = tokenFile();

	@LocalServerPort
	private int port;

	@Autowired
	private CheckpointCoordinator coordinator;

	@DynamicPropertySource
	static void token(DynamicPropertyRegistry registry) {
		registry.add("cse.endpoint.token-file", TOKEN_FILE::toString);
	}

	@AfterAll
	static void deleteTokenFile() throws IOException {
		Files.deleteIfExists(TOKEN_FILE);
	}

	@Test
	void platformWithBasicCredentialsPassesSpringSecurityAndIsRefusedByTheEndpoint() {
		HttpResponse<String> freeze = Client.basic(this.port, DemoAccounts.PLATFORM, DemoAccounts.PLATFORM_PASSWORD)
			.post("/actuator/cse/freeze");
		assertThat(freeze.statusCode()).isEqualTo(401);
		assertThat(freeze.body()).contains("requires 'Authorization: Bearer TOKEN'");
		assertThat(this.coordinator.getState()).isEqualTo(InstanceState.RUNNING);
	}

	@Test
	void platformWithTheTokenIsRefusedBySpringSecurity() {
		HttpResponse<String> freeze = Client.bearer(this.port, TOKEN).post("/actuator/cse/freeze");
		assertThat(freeze.statusCode()).isEqualTo(401);
		assertThat(freeze.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
				(challenge) -> assertThat(challenge).startsWith("Basic"));
		assertThat(freeze.body()).doesNotContain("Bearer");
		assertThat(this.coordinator.getState()).isEqualTo(InstanceState.RUNNING);
	}

	private static Path tokenFile() {
		try {
			Path file = Files.createTempFile("secured-web-token", null,
					PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
			return Files.writeString(file, TOKEN);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
