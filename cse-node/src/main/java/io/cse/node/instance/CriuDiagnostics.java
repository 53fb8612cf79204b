package io.cse.node.instance;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.cse.node.linux.Criu;

/**
 * Says why a restore failed, from what CRIU logged: the lines that matter, and what to do
 * about the failures we know.
 */
final class CriuDiagnostics {

	/**
	 * The log of the process that runs {@code criu restore} (its own output, CRIU's log is
	 * {@value Criu#RESTORE_LOG}).
	 */
	static final String LAUNCHER_LOG = "criu.out";

	// Errors CRIU 4.2 logs on every restore on these machines, which say nothing about a failure.
	private static final List<String> HARMLESS_LINES = List.of("RLIMIT_NOFILE", "Could not process rule",
			"delete table", "^^^");

	private CriuDiagnostics() {
	}

	/**
	 * What CRIU said about a failed restore: the last meaningful error lines of its log.
	 * @param logDir the restore's log folder
	 * @param output what the command that ran CRIU printed, or {@code ""}
	 * @return a part of an error message
	 */
	static String criuSays(Path logDir, String output) {
		List<String> lines = new ArrayList<>();
		for (String file : List.of(Criu.RESTORE_LOG, LAUNCHER_LOG)) {
			try {
				Files.readAllLines(logDir.resolve(file), StandardCharsets.UTF_8).forEach(lines::add);
			}
			catch (IOException ex) {
				// no such log (yet)
			}
		}
		output.lines().forEach(lines::add);
		List<String> errors = lines.stream()
			.map(String::strip)
			.filter((line) -> line.contains("Error") || line.contains("error"))
			.filter((line) -> HARMLESS_LINES.stream().noneMatch(line::contains))
			.toList();
		List<String> shown = errors.isEmpty()
				? lines.stream().map(String::strip).filter((line) -> !line.isEmpty()).toList() : errors;
		shown = shown.subList(Math.max(0, shown.size() - 3), shown.size());
		String said = shown.isEmpty() ? "CRIU logged nothing" : "CRIU said '" + String.join(" | ", shown) + "'";
		return said + " (logs in " + logDir + ")" + hint(lines);
	}

	/**
	 * What to do about the failures we know.
	 */
	private static String hint(List<String> lines) {
		if (lines.stream().anyMatch((line) -> line.contains("Can't open file") && line.contains("hsperfdata_"))) {
			return ". The image maps the JVM's performance data file in /tmp/hsperfdata_<user>, which was deleted "
					+ "(its JVM exited after the dump): take images of JVMs started with -XX:+PerfDisableSharedMem";
		}
		if (lines.stream().anyMatch((line) -> line.contains("Can't fork for") && line.contains("File exists"))) {
			return ". The image's pid is taken: restore with --namespace, or wait until the process with that pid "
					+ "has exited and was reaped";
		}
		if (lines.stream().anyMatch((line) -> line.contains("Address already in use"))) {
			return ". The image's port is taken: stop what listens on it, or restore with --namespace";
		}
		return "";
	}

}
