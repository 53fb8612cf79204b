package io.cse.node.crac;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

import io.cse.samples.postgres.PostgresProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.Testcontainers;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.MountableFile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The {@code crac} engine on a real CRaC JDK (Azul Zulu with CRaC, a public image):
 * {@code samples/hello-web} is dumped through {@code /actuator/cse/dump}, which has the
 * JDK checkpoint itself, and restored with {@code java -XX:CRaCRestoreFrom}.
 * <p>
 * It needs a Docker engine, which the project's own machines do not have: there
 * {@code @Testcontainers(disabledWithoutDocker = true)} skips it, and JUnit reports
 * "Disabled because Docker is not available". Its database is a PostgreSQL on the host,
 * reached through Testcontainers' host port forwarding.
 */
@org.testcontainers.junit.jupiter.Testcontainers(disabledWithoutDocker = true)
class CracEngineContainerTests {

	private static final String IMAGE = "azul/zulu-openjdk:17-jdk-crac-latest";

	private static PostgresProcess postgres;

	private static GenericContainer<?> jdk;

	private final HttpClient http = HttpClient.newHttpClient();

	@BeforeAll
	static void start() throws IOException {
		postgres = PostgresProcess.start(Path.of(System.getProperty("cse.postgres.jar")), "127.0.0.1,0.0.0.0",
				java.util.List.of("0.0.0.0/0"));
		Testcontainers.exposeHostPorts(postgres.getPort());
		jdk = new GenericContainer<>(IMAGE)
			.withCopyFileToContainer(MountableFile.forHostPath(System.getProperty("cse.hello-web.jar")),
					"/app/hello-web.jar")
			// CRaC checkpoints through CRIU inside the container, which needs these privileges.
			.withPrivilegedMode(true)
			.withExposedPorts(8080)
			.withCommand("sleep", "infinity");
		jdk.start();
	}

	@AfterAll
	static void stop() {
		if (jdk != null) {
			jdk.stop();
		}
		if (postgres != null) {
			postgres.close();
		}
	}

	@Test
	void dumpsThroughTheJdkAndRestoresFromItsImage() throws Exception {
		String database = "jdbc:postgresql://host.testcontainers.internal:" + postgres.getPort() + "/postgres";
		exec("java -XX:CRaCCheckpointTo=/cr -jar /app/hello-web.jar --server.port=8080 --spring.datasource.url="
				+ database + " > /app/run.log 2>&1 &");
		String base = "http://" + jdk.getHost() + ":" + jdk.getMappedPort(8080);
		await().atMost(Duration.ofMinutes(2)).ignoreExceptions().until(() -> get(base + "/actuator/cse").statusCode() == 200);
		assertThat(get(base + "/actuator/cse").body()).contains("\"name\":\"crac\"");
		assertThat(get(base + "/counter").body()).isEqualTo("1");

		HttpResponse<String> dump = post(base + "/actuator/cse/dump");
		assertThat(dump.statusCode()).as(dump.body()).isEqualTo(202);
		await().atMost(Duration.ofMinutes(2)).until(() -> exec("test -f /cr/manifest.json && ! pgrep -f hello-web.jar")
			.getExitCode() == 0);

		exec("java -XX:CRaCRestoreFrom=/cr > /app/restore.log 2>&1 &");
		await().atMost(Duration.ofMinutes(1)).ignoreExceptions().until(() -> get(base + "/").statusCode() == 200);
		assertThat(get(base + "/counter").body()).as("the in-memory counter kept its value").isEqualTo("2");
		assertThat(get(base + "/actuator/cse").body()).contains("\"state\":\"RUNNING\"").contains("\"operation\":\"restore\"");
	}

	private static ExecResult exec(String command) throws IOException, InterruptedException {
		return jdk.execInContainer("sh", "-c", command);
	}

	private HttpResponse<String> get(String url) throws IOException, InterruptedException {
		return this.http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
	}

	private HttpResponse<String> post(String url) throws IOException, InterruptedException {
		return this.http.send(HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.noBody()).build(),
				HttpResponse.BodyHandlers.ofString());
	}

}
