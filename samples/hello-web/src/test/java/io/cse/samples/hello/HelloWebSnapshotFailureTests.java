package io.cse.samples.hello;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;

import com.jayway.jsonpath.JsonPath;
import io.cse.CheckpointContext;
import io.cse.CheckpointCoordinator;
import io.cse.CheckpointParticipant;
import io.cse.InstanceState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Dumps that fail leave the service running and serving, and no image behind: CRIU that
 * fails (a stand-in at {@code cse.criu.path} that reports version 4.2.1 and fails every
 * dump the way CRIU does, with its error in {@code dump.log}), and a participant that
 * refuses.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class HelloWebSnapshotFailureTests {

	@TempDir
	static Path work;

	@Autowired
	private Environment environment;

	@Autowired
	private CheckpointCoordinator coordinator;

	@Autowired
	private Refuser refuser;

	private Http http;

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		registry.add("spring.datasource.url", () -> SharedPostgres.get().getJdbcUrl());
		registry.add("cse.criu.path", () -> failingCriu(work).toString());
		registry.add("cse.images.root", () -> work.resolve("images").toString());
		// The service runs inside the test JVM here, whose child is the tests' PostgreSQL:
		// the audit would refuse it before CRIU is even called.
		registry.add("cse.snapshot.allow-child-processes", () -> "true");
	}

	@BeforeEach
	void client() {
		this.http = new Http(this.environment.getProperty("local.server.port", Integer.class));
	}

	@AfterEach
	void reset() {
		this.refuser.refuse = false;
	}

	@Test
	void engineIsCriuAsFoundAtTheConfiguredPath() {
		HttpResponse<String> status = this.http.get("/actuator/cse");
		assertThat(JsonPath.<String>read(status.body(), "$.engine.name")).isEqualTo("criu");
		assertThat(JsonPath.<String>read(status.body(), "$.engine.version")).isEqualTo("4.2.1");
	}

	@Test
	void dumpThatCriuFailsLeavesTheServiceRunningAndNoImage() throws IOException {
		HttpResponse<String> dump = this.http.postJson("/actuator/cse/dump", "{\"image\": \"failing\"}");
		assertThat(dump.statusCode()).isEqualTo(202);
		assertThat(JsonPath.<String>read(dump.body(), "$.imageId")).isEqualTo("failing");
		String error = awaitFailedOperation("dump");
		assertThat(error).contains("criu dump failed with exit code 1").contains("Can't dump the socket")
			.contains("RUNNING");
		assertServing();
		assertThat(work.resolve("images/failing")).doesNotExist();
	}

	@Test
	void cloneThatAParticipantRefusesLeavesTheServiceRunning() {
		this.refuser.refuse = true;
		HttpResponse<String> clone = this.http.postJson("/actuator/cse/clone", "{\"image\": \"refused\"}");
		assertThat(clone.statusCode()).isEqualTo(202);
		assertThat(awaitFailedOperation("clone")).contains("'refuser'").contains("not in the middle of this");
		assertServing();
		assertThat(work.resolve("images/refused")).doesNotExist();
	}

	@Test
	void imageOutsideTheRootIsRefusedAndChangesNothing() {
		HttpResponse<String> dump = this.http.postJson("/actuator/cse/dump", "{\"image\": \"../outside\"}");
		assertThat(dump.statusCode()).isEqualTo(400);
		assertThat(JsonPath.<String>read(dump.body(), "$.error")).contains("../outside").contains("not allowed");
		assertThat(this.coordinator.getState()).isEqualTo(InstanceState.RUNNING);
		assertThat(work.resolve("outside")).doesNotExist();
	}

	@Test
	void imagesRootOpenToOtherUsersIsRefusedAndChangesNothing() throws IOException {
		Path root = Files.createDirectories(work.resolve("images"));
		Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
		try {
			HttpResponse<String> dump = this.http.postJson("/actuator/cse/dump", "{\"image\": \"open\"}");
			assertThat(dump.statusCode()).isEqualTo(400);
			assertThat(JsonPath.<String>read(dump.body(), "$.error")).contains("The images root " + root)
				.contains("passwords and keys")
				.endsWith("run 'chmod 700 " + root + "'");
			assertThat(this.coordinator.getState()).isEqualTo(InstanceState.RUNNING);
			assertThat(root.resolve("open")).doesNotExist();
			assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(root))).isEqualTo("rwxr-xr-x");
			assertServing();
		}
		finally {
			Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx------"));
		}
	}

	private String awaitFailedOperation(String operation) {
		await().atMost(Duration.ofSeconds(30)).until(() -> {
			HttpResponse<String> status = this.http.get("/actuator/cse");
			return operation.equals(JsonPath.read(status.body(), "$.lastOperation.operation"))
					&& "ROLLED_BACK".equals(JsonPath.read(status.body(), "$.lastOperation.outcome"));
		});
		HttpResponse<String> status = this.http.get("/actuator/cse");
		assertThat(JsonPath.<String>read(status.body(), "$.state")).isEqualTo("RUNNING");
		return JsonPath.read(status.body(), "$.lastOperation.error");
	}

	private void assertServing() {
		assertThat(this.http.get("/").body()).isEqualTo("Hello World!");
		assertThat(this.http.post("/visits").statusCode()).isEqualTo(200);
	}

	private static Path failingCriu(Path work) {
		try {
			Path criu = work.resolve("criu");
			// Answers like CRIU 4.2.1, and fails every dump the way CRIU does: an error in
			// the log named by -o, in the image folder named by -D, and exit code 1.
			Files.writeString(criu, """
					#!/bin/sh
					if [ "$1" = "--version" ]; then echo "Version: 4.2.1"; exit 0; fi
					dir=""; log=""
					while [ $# -gt 0 ]; do
					  case "$1" in -D) dir="$2"; shift;; -o) log="$2"; shift;; esac
					  shift
					done
					echo "(00.05) Error (criu/sk-inet.c:199): inet: Can't dump the socket" > "$dir/$log"
					exit 1
					""");
			criu.toFile().setExecutable(true);
			return criu;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	@TestConfiguration(proxyBeanMethods = false)
	static class RefuserConfiguration {

		@Bean
		Refuser refuser() {
			return new Refuser();
		}

	}

	static class Refuser implements CheckpointParticipant {

		volatile boolean refuse;

		@Override
		public String getName() {
			return "refuser";
		}

		@Override
		public void quiesce(CheckpointContext context) {
			if (this.refuse) {
				throw new IllegalStateException("not in the middle of this");
			}
		}

		@Override
		public void resume(CheckpointContext context) {
		}

	}

}
