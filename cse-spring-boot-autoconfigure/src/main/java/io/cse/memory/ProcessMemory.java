package io.cse.memory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads the memory of the current process from {@code /proc}: the only class of the
 * starter that does.
 */
public final class ProcessMemory {

	private static final Path STATUS = Path.of("/proc/self/status");

	private final Path status;

	/**
	 * Create an instance that reads {@code /proc/self/status}.
	 */
	public ProcessMemory() {
		this(STATUS);
	}

	ProcessMemory(Path status) {
		this.status = status;
	}

	/**
	 * Return the resident set size of the process.
	 * @return resident bytes, or {@code -1} where {@code /proc} is not available
	 */
	public long residentBytes() {
		if (!Files.isReadable(this.status)) {
			return -1;
		}
		try {
			List<String> lines = Files.readAllLines(this.status);
			for (String line : lines) {
				if (line.startsWith("VmRSS:")) {
					return parseKilobytes(line.substring("VmRSS:".length())) * 1024;
				}
			}
			return -1;
		}
		catch (IOException ex) {
			return -1;
		}
	}

	private static long parseKilobytes(String value) {
		String trimmed = value.trim();
		int space = trimmed.indexOf(' ');
		return Long.parseLong((space > 0) ? trimmed.substring(0, space) : trimmed);
	}

}
