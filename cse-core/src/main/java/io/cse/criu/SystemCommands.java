package io.cse.criu;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs commands on this host with {@link ProcessBuilder}.
 */
final class SystemCommands implements CommandRunner {

	private static final File DEV_NULL = new File("/dev/null");

	@Override
	public String run(List<String> command, Duration timeout) throws IOException {
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		try {
			if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
				process.destroyForcibly();
				throw new IOException("timed out");
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			process.destroyForcibly();
			throw new IOException("interrupted", ex);
		}
		return new String(readFully(process.getInputStream()), StandardCharsets.UTF_8);
	}

	@Override
	public void startDetached(List<String> command) throws IOException {
		// setsid --fork leaves an orphan that is no descendant of the JVM (CRIU dumps a
		// whole process tree, and cannot dump the tree it runs in); it inherits no pipe
		// of the JVM's either.
		Process process = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(DEV_NULL))
			.redirectOutput(ProcessBuilder.Redirect.to(DEV_NULL))
			.redirectError(ProcessBuilder.Redirect.to(DEV_NULL))
			.start();
		try {
			if (!process.waitFor(10, TimeUnit.SECONDS)) {
				process.destroyForcibly();
				throw new IOException("setsid did not return");
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IOException("interrupted", ex);
		}
	}

	static byte[] readFully(InputStream in) throws IOException {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		byte[] buffer = new byte[8192];
		for (int n = in.read(buffer); n != -1; n = in.read(buffer)) {
			out.write(buffer, 0, n);
		}
		return out.toByteArray();
	}

}
