package io.cse.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Writes one benchmark's section into {@code docs/benchmarks.md}, replacing the section
 * that the same benchmark wrote before and leaving the others alone.
 */
final class BenchmarkReport {

	private static final String HEADER = """
			# Benchmarks

			Every figure here is written by the benchmarks (module `cse-bench`, never typed by hand);
			each section says the command that produced it, on which machine and JDK. Timings on shared
			2-core machines are noisy: compare the figures of one run with each other, and read medians.
			Each machine line ends with a yardstick, a fixed job timed as the section was written (hashing
			8 MiB, starting 20 processes): figures of two runs compare only where their yardsticks do.
			""";

	private BenchmarkReport() {
	}

	static void write(Path file, String section, String content) throws IOException {
		write(file, section, content, false);
	}

	/**
	 * Write a section, replacing the one of the same name.
	 * @param file the report
	 * @param section the section's name
	 * @param content its Markdown
	 * @param first where a section the report does not have yet goes: before every other
	 * section if {@code true} (a summary), else at the end
	 */
	static void write(Path file, String section, String content, boolean first) throws IOException {
		String begin = "<!-- bench:" + section + " -->";
		String end = "<!-- /bench:" + section + " -->";
		String existing = Files.exists(file) ? Files.readString(file) : HEADER;
		String block = begin + "\n" + content.strip() + "\n" + end;
		String updated;
		int from = existing.indexOf(begin);
		int to = existing.indexOf(end);
		if (from >= 0 && to > from) {
			updated = existing.substring(0, from) + block + existing.substring(to + end.length());
		}
		else if (first && existing.contains("<!-- bench:")) {
			int at = existing.indexOf("<!-- bench:");
			updated = existing.substring(0, at) + block + "\n\n" + existing.substring(at);
		}
		else {
			updated = existing.stripTrailing() + "\n\n" + block + "\n";
		}
		Files.createDirectories(file.toAbsolutePath().getParent());
		Files.writeString(file, updated);
	}

	static String machine(Path java) {
		return String.format(Locale.ROOT, "%s, %d cores, %s RAM, Linux %s; JDK %s; measured %s; %s", cpuModel(),
				Runtime.getRuntime().availableProcessors(), memory(), read("/proc/sys/kernel/osrelease"),
				javaVersion(java), LocalDate.now(), HostSpeed.measure().describe());
	}

	static String springBootVersion(Path jar) {
		Pattern pattern = Pattern.compile("BOOT-INF/lib/spring-boot-(\\d+\\.\\d+\\.\\d+[^/]*)\\.jar");
		try (ZipFile zip = new ZipFile(jar.toFile())) {
			Enumeration<? extends ZipEntry> entries = zip.entries();
			while (entries.hasMoreElements()) {
				Matcher matcher = pattern.matcher(entries.nextElement().getName());
				if (matcher.matches()) {
					return matcher.group(1);
				}
			}
		}
		catch (IOException ex) {
			return "unknown";
		}
		return "unknown";
	}

	/**
	 * The machine's load average over the last minute, as {@code /proc/loadavg} has it:
	 * what says how busy other work kept the machine while a benchmark ran.
	 */
	static String loadAverage() {
		String loadavg = read("/proc/loadavg");
		return "unknown".equals(loadavg) ? loadavg : loadavg.split(" ")[0];
	}

	private static String cpuModel() {
		for (String line : lines("/proc/cpuinfo")) {
			if (line.startsWith("model name")) {
				return line.substring(line.indexOf(':') + 1).trim();
			}
		}
		return "unknown CPU";
	}

	private static String memory() {
		for (String line : lines("/proc/meminfo")) {
			if (line.startsWith("MemTotal:")) {
				long kb = Long.parseLong(line.replaceAll("\\D", ""));
				return Math.round(kb / 1024.0 / 1024.0) + " GiB";
			}
		}
		return "unknown";
	}

	private static String javaVersion(Path java) {
		try {
			Process process = new ProcessBuilder(java.toString(), "-version").redirectErrorStream(true).start();
			String output = new String(process.getInputStream().readAllBytes());
			process.waitFor();
			String[] lines = output.split("\n");
			return (lines.length > 1) ? lines[1].trim() : output.trim();
		}
		catch (IOException ex) {
			return "unknown";
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return "unknown";
		}
	}

	private static String read(String path) {
		try {
			return Files.readString(Path.of(path)).trim();
		}
		catch (IOException ex) {
			return "unknown";
		}
	}

	private static List<String> lines(String path) {
		try {
			return Files.readAllLines(Path.of(path));
		}
		catch (IOException ex) {
			return List.of();
		}
	}

}
