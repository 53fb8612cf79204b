package io.cse.compat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The starter's failure analyzers are listed in its {@code spring.factories}, which every
 * line reads, on every JDK: a service that fails to start for its own reason must still get
 * Spring Boot's own report, on the oldest cell of the matrix (Spring Boot 2.7 on JDK 8).
 */
@Timeout(180)
class FailureAnalysisCompatibilityTests {

	@Test
	void aServiceThatCannotStartGetsSpringBootsOwnReportOnTheOldestCell() throws Exception {
		Cell oldest = Cell.all().get(0);
		assertThat(oldest).isEqualTo(new Cell(BootLine.BOOT_2_7, Jdk.JDK_8));
		try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			Path log = Files.createDirectories(SuiteDatabase.logs()).resolve(oldest.id() + "-port-taken.log");
			// No database: the port is taken before the pool would connect
			List<String> arguments = List.of("--server.address=" + taken.getInetAddress().getHostAddress(),
					"--spring.datasource.url=jdbc:postgresql://127.0.0.1:1/none");
			ProcessBuilder builder = new ProcessBuilder(ServiceProcess.javaCommand(oldest, taken.getLocalPort(), arguments))
				.redirectErrorStream(true)
				.redirectOutput(log.toFile());
			Process process = builder.start();
			assertThat(process.waitFor(Duration.ofSeconds(150).toSeconds(), TimeUnit.SECONDS))
				.as("the service exits on its own; its log: %s", log)
				.isTrue();
			String output = ServiceProcess.readLog(log);
			assertThat(process.exitValue()).as(output).isNotZero();
			assertThat(output).contains("APPLICATION FAILED TO START")
				.contains("Port " + taken.getLocalPort() + " was already in use")
				.doesNotContain("UnsupportedClassVersionError");
		}
	}

}
