package io.cse;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * cse-core on real Java 8 and 11: the compiler's {@code --release 8} checks the API the
 * core calls, this runs it. {@code src/test/java8/OnOldJdk.java} (what a service on an old
 * JDK does with the core) is compiled for Java 8 against the module's classes and run on
 * the JDKs that {@code scripts/install-jdk.sh 8} and {@code 11} install.
 */
class CoreOnOldJdksTests {

	@TempDir
	Path temp;

	@ParameterizedTest(name = "Java {0}")
	@CsvSource({ "8, 1.8.0", "11, 11." })
	void aServiceFreezesThawsAndReadsItsImageManifest(int feature, String versionPrefix) throws Exception {
		Path java = java(feature);
		Path coreClasses = Path.of(CheckpointCoordinator.class.getProtectionDomain().getCodeSource().getLocation().toURI());
		Path classes = Files.createDirectories(this.temp.resolve("classes"));
		JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
		int compiled = compiler.run(null, null, null, "--release", "8", "-Xlint:-options", "-cp",
				coreClasses.toString(), "-d", classes.toString(), Path.of("src/test/java8/OnOldJdk.java").toString());
		assertThat(compiled).as("OnOldJdk.java compiles for Java 8 against cse-core").isZero();
		Path output = this.temp.resolve("output.txt");
		Process process = new ProcessBuilder(java.toString(), "-cp", coreClasses + ":" + classes, "OnOldJdk")
			.redirectErrorStream(true)
			.redirectOutput(output.toFile())
			.start();
		assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("OnOldJdk ends within 60 s").isTrue();
		List<String> lines = Files.readAllLines(output, StandardCharsets.UTF_8);
		assertThat(process.exitValue()).as("exit code; it printed:%n%s", String.join("\n", lines)).isZero();
		assertThat(lines).contains("manifest read back: true, pid " + process.pid())
			.last()
			.asString()
			.startsWith("ok on Java " + versionPrefix);
	}

	/**
	 * The JDK that scripts/install-jdk.sh installs (or the one in CSE_JDK8, CSE_JDK11).
	 * Missing, the test is skipped, unless CSE_REQUIRE_ROOT_TESTS=1 (as in CI): then it
	 * fails.
	 */
	private static Path java(int feature) {
		String variable = "CSE_JDK" + feature;
		Path java = Path.of(System.getenv().getOrDefault(variable, "/opt/cse/jdk" + feature), "bin", "java");
		if (!Files.isExecutable(java)) {
			String reason = "No JDK " + feature + " at " + java + ": run scripts/install-jdk.sh " + feature
					+ " as root (or set " + variable + " to a JDK " + feature + " home)";
			if ("1".equals(System.getenv("CSE_REQUIRE_ROOT_TESTS"))) {
				fail(reason + "; CSE_REQUIRE_ROOT_TESTS=1 makes this a failure, not a skip");
			}
			assumeTrue(false, reason + " (set CSE_REQUIRE_ROOT_TESTS=1 to fail instead of skipping)");
		}
		return java;
	}

}
