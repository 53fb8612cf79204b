package io.cse.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link Deployment} on the real {@code samples/hello-web} jar.
 */
@Timeout(180)
class DeploymentTests {

	// Enough to refresh the context without a database: the pool connects on first use.
	private static final List<String> NO_DATABASE = List.of("--spring.sql.init.mode=never",
			"--spring.datasource.url=jdbc:postgresql://127.0.0.1:1/none");

	@TempDir
	Path work;

	private final Path java = Path.of(System.getProperty("java.home"), "bin", "java");

	@Test
	void extractsTheJarAndTrainsAnArchiveTheServiceMaps() throws Exception {
		Path jar = Path.of(System.getProperty("cse.hello-web.jar"));
		Deployment deployment = Deployment.prepare(this.java, jar, this.work.resolve("hello-web"),
				List.of("-Xmx256m"), NO_DATABASE, this.work.resolve("prepare.log"));
		assertThat(deployment.archive()).isNotEmptyFile();
		assertThat(deployment.commandLine(List.of("-Xmx256m"))).isEqualTo("java -Xmx256m -XX:+UnlockDiagnosticVMOptions "
				+ "-XX:ArchiveRelocationMode=0 -XX:SharedArchiveFile=application.jsa -jar application.jar");
		assertThat(this.work.resolve("hello-web/lib")).isNotEmptyDirectory();
		// -Xshare:on makes the JVM fail rather than run without an archive it cannot map.
		List<String> command = new ArrayList<>(List.of(this.java.toString(), "-Xshare:on", "-Xlog:cds=info"));
		command.addAll(deployment.jvmOptions());
		command.add("-Dspring.context.exit=onRefresh");
		command.addAll(deployment.classpathOrJar());
		command.add("--server.port=0");
		command.addAll(NO_DATABASE);
		Path log = this.work.resolve("run.log");
		Process run = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
		assertThat(run.waitFor(120, TimeUnit.SECONDS)).isTrue();
		String output = Files.readString(log);
		assertThat(run.exitValue()).as(output).isZero();
		assertThat(output).contains("Mapped dynamic region");
	}

	@Test
	void aPlainDeploymentRunsTheJarAsBuilt() {
		Deployment plain = Deployment.plain(Path.of("app.jar"));
		assertThat(plain.jvmOptions()).isEmpty();
		assertThat(plain.classpathOrJar()).containsExactly("-jar", "app.jar");
		assertThat(plain.commandLine(List.of("-Xmx256m"))).isEqualTo("java -Xmx256m -jar app.jar");
	}

	@Test
	void aJarThatIsNoSpringBootJarSaysSo() throws IOException {
		Path notBoot = Files.writeString(this.work.resolve("plain.jar"), "not a jar");
		assertThatExceptionOfType(IOException.class)
			.isThrownBy(() -> Deployment.prepare(this.java, notBoot, this.work.resolve("out"), List.of(), List.of(),
					this.work.resolve("prepare.log")))
			.withMessageContaining("extracting " + notBoot + " failed")
			.withMessageContaining("prepare.log");
	}

}
