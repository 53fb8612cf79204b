package io.cse.node.install;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code scripts/install-cse.sh} into a temporary prefix: the launcher it writes runs
 * {@code cse} from plain jars with the class archive it made. The jar it installs is laid
 * out here as Spring Boot's repackage lays out {@code cse-exec.jar}, from this module's
 * classes and the dependencies the client runs with, since tests run before
 * {@code package}.
 */
class InstallCseScriptTests {

	private static final Path SCRIPT = Path.of("..", "scripts", "install-cse.sh");

	@TempDir
	Path prefix;

	@TempDir
	Path state;

	@TempDir
	Path work;

	@Test
	void installsALauncherThatRunsCseWithItsClassArchive() throws Exception {
		Path jar = execJar();
		Run install = run(Map.of(), "sh", SCRIPT.toString(), "--jar", jar.toString(), "--prefix", this.prefix.toString());
		assertThat(install.exitCode()).as(install.output()).isZero();
		assertThat(install.output()).contains("Installed " + this.prefix.resolve("usr/local/bin/cse"));
		Path launcher = this.prefix.resolve("usr/local/bin/cse");
		assertThat(launcher).isExecutable();
		assertThat(this.prefix.resolve("opt/cse/lib/cse.jsa")).isNotEmptyFile();
		assertThat(this.prefix.resolve("opt/cse/lib/cse-node.jar")).isNotEmptyFile();
		assertLauncherRuns(launcher);
	}

	@Test
	void installingAgainReplacesTheInstallation() throws Exception {
		Path jar = execJar();
		String[] install = { "sh", SCRIPT.toString(), "--jar", jar.toString(), "--prefix", this.prefix.toString() };
		assertThat(run(Map.of(), install).exitCode()).isZero();
		Run again = run(Map.of(), install);
		assertThat(again.exitCode()).as(again.output()).isZero();
		try (var files = Files.list(this.prefix.resolve("opt/cse/lib"))) {
			assertThat(files.map((file) -> file.getFileName().toString()).filter((name) -> name.startsWith("cse-node")))
				.containsExactly("cse-node.jar");
		}
		assertLauncherRuns(this.prefix.resolve("usr/local/bin/cse"));
	}

	private void assertLauncherRuns(Path launcher) throws Exception {
		// -Xshare:on fails the JVM if it cannot map the archive (the launcher runs without it then)
		Run version = run(Map.of("JAVA_TOOL_OPTIONS", "-Xshare:on"), launcher.toString(), "--version");
		assertThat(version.exitCode()).as(version.output()).isZero();
		assertThat(version.output()).contains("cse 0.1.0-SNAPSHOT");
		// no agent listens on this socket: ps makes one in its own process, on the empty state folder
		Run ps = run(Map.of("CSE_AGENT_SOCKET", this.state.resolve("agent.sock").toString()), launcher.toString(),
				"ps", "--state-dir", this.state.toString());
		assertThat(ps.exitCode()).as(ps.output()).isZero();
		assertThat(ps.output()).contains("No instances (state folder " + this.state + ").");
	}

	private Path execJar() throws IOException {
		Path jar = this.work.resolve("cse-exec.jar");
		try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
			addTree(out, Path.of("target", "classes"), "BOOT-INF/classes/");
			for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
				Path path = Path.of(entry);
				String name = path.toString();
				if (name.contains("picocli") || name.contains("jackson-") || name.contains("cse-core")) {
					out.putNextEntry(new JarEntry("BOOT-INF/lib/" + libraryName(path) + ".jar"));
					out.write(Files.isDirectory(path) ? jarOf(path) : Files.readAllBytes(path));
					out.closeEntry();
				}
			}
		}
		return jar;
	}

	/** Named as its jar is: cse-core is a folder of classes when the reactor builds it. */
	private static String libraryName(Path path) {
		if (Files.isDirectory(path)) {
			return path.getParent().getParent().getFileName().toString();
		}
		return path.getFileName().toString().replaceFirst("\\.jar$", "");
	}

	private static byte[] jarOf(Path folder) throws IOException {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (JarOutputStream out = new JarOutputStream(bytes)) {
			addTree(out, folder, "");
		}
		return bytes.toByteArray();
	}

	private static void addTree(JarOutputStream out, Path root, String prefix) throws IOException {
		List<Path> files;
		try (var walk = Files.walk(root)) {
			files = walk.filter(Files::isRegularFile).sorted().toList();
		}
		for (Path file : files) {
			out.putNextEntry(new JarEntry(prefix + root.relativize(file).toString().replace(File.separatorChar, '/')));
			out.write(Files.readAllBytes(file));
			out.closeEntry();
		}
	}

	private static Run run(Map<String, String> environment, String... command) throws IOException, InterruptedException {
		ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(List.of(command))).redirectErrorStream(true);
		builder.environment().putAll(environment);
		Process process = builder.start();
		byte[] output = process.getInputStream().readAllBytes();
		assertThat(process.waitFor(5, TimeUnit.MINUTES)).isTrue();
		return new Run(process.exitValue(), new String(output, StandardCharsets.UTF_8));
	}

	private record Run(int exitCode, String output) {
	}

}
