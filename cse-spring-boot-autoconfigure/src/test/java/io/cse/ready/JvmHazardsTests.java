package io.cse.ready;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Tests for {@link UniquenessHazardInspector#inspectJvm()} in JVMs started the ways that
 * make the JVM's own generators unreachable: these settings are fixed when a JVM starts.
 */
class JvmHazardsTests {

	@Test
	void aDrbgDefaultSecureRandomIsAnErrorWithItsFix() throws Exception {
		String output = inspectIn(Path.of(System.getProperty("java.home")), "-Djava.security.egd=file:/dev/./urandom");
		assertThat(output).contains("ERROR the JVM: java.security.SecureRandom default algorithm (DRBG) is DRBG")
			.contains("UUID.randomUUID()")
			.contains("Fix: remove -Djava.security.egd");
	}

	@Test
	void theDefaultNativePrngIsNoHazard() throws Exception {
		assertThat(inspectIn(Path.of(System.getProperty("java.home")))).isEqualTo("hazards: 0\n");
	}

	@Test
	void threadLocalRandomIsAnErrorWhereUnsafeIsDenied() throws Exception {
		Path jdk25 = Path.of(System.getenv().getOrDefault("CSE_JDK25", "/usr/lib/jvm/temurin-25-jdk-amd64"));
		assumeTrue(Files.isExecutable(jdk25.resolve("bin/java")), "no JDK 25 at " + jdk25 + " (set CSE_JDK25)");
		String output = inspectIn(jdk25, "--sun-misc-unsafe-memory-access=deny");
		assertThat(output).contains("ERROR the JVM: java.util.concurrent.ThreadLocalRandom seeder")
			.contains("cannot be reseeded on a restore: sun.misc.Unsafe cannot reach ThreadLocalRandom's seeds on "
					+ "this JVM (java.lang.UnsupportedOperationException: objectFieldOffset)")
			.contains("Fix: run on a JVM that lets the starter use sun.misc.Unsafe");
	}

	private static String inspectIn(Path javaHome, String... options) throws IOException, InterruptedException {
		List<String> command = new ArrayList<>();
		command.add(javaHome.resolve("bin/java").toString());
		command.addAll(List.of(options));
		command.addAll(List.of("-cp", System.getProperty("java.class.path"), Inspect.class.getName()));
		Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
		assertThat(process.exitValue()).as(output).isZero();
		return output;
	}

	/**
	 * Prints what the inspector finds in the JVM it runs in.
	 */
	static final class Inspect {

		public static void main(String[] args) {
			List<UniquenessHazard> hazards = new UniquenessHazardInspector().inspectJvm();
			StringBuilder output = new StringBuilder("hazards: " + hazards.size() + "\n");
			hazards.forEach((hazard) -> output.append(hazard.describe()).append('\n'));
			System.out.print(output);
		}

	}

}
