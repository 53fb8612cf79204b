package io.cse.node.linux;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import io.cse.node.CseException;

/**
 * The {@link Host} of this machine: runs commands with {@link ProcessBuilder} and reads
 * {@code /proc}.
 */
public final class LocalHost implements Host {

	private static final File NO_INPUT = new File("/dev/null");

	private final Path proc;

	private final Duration commandTimeout;

	public LocalHost() {
		this(Path.of("/proc"), Duration.ofMinutes(5));
	}

	LocalHost(Path proc, Duration commandTimeout) {
		this.proc = proc;
		this.commandTimeout = commandTimeout;
	}

	@Override
	public CommandResult run(List<String> command) {
		Path output = null;
		try {
			// Output goes to a file, not a pipe: a process that a command leaves behind (criu
			// restore --restore-detached) must not keep us waiting for the pipe's end.
			output = Files.createTempFile("cse-command-", ".out");
			ProcessBuilder builder = new ProcessBuilder(command).redirectInput(NO_INPUT)
				.redirectErrorStream(true)
				.redirectOutput(output.toFile());
			// Parsed output (ip, criu --version) must not depend on the caller's locale.
			builder.environment().put("LC_ALL", "C");
			Process process = builder.start();
			if (!process.waitFor(this.commandTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
				process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
				return new CommandResult(command, -1, "timed out after " + this.commandTimeout.toSeconds() + " s; "
						+ Files.readString(output, StandardCharsets.UTF_8));
			}
			return new CommandResult(command, process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
		}
		catch (IOException ex) {
			return new CommandResult(command, -1, ex.getMessage());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return new CommandResult(command, -1, "interrupted");
		}
		finally {
			deleteQuietly(output);
		}
	}

	@Override
	public long start(List<String> command, Path log) {
		try {
			Files.createDirectories(log.toAbsolutePath().getParent());
			Process process = new ProcessBuilder(command).redirectInput(NO_INPUT)
				.redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
				.start();
			return process.pid();
		}
		catch (IOException ex) {
			throw new CseException("could not start '" + String.join(" ", command) + "': " + ex.getMessage(),
					ex);
		}
	}

	@Override
	public Optional<ProcessInfo> process(long pid) {
		if (pid <= 0) {
			return Optional.empty();
		}
		Path dir = this.proc.resolve(Long.toString(pid));
		try {
			String stat = Files.readString(dir.resolve("stat"), StandardCharsets.UTF_8);
			// "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split at the last ')'
			int open = stat.indexOf('(');
			int close = stat.lastIndexOf(')');
			String command = stat.substring(open + 1, close);
			String[] fields = stat.substring(close + 2).trim().split(" ");
			char state = fields[0].charAt(0);
			long parent = Long.parseLong(fields[1]);
			// field 22 of the whole line is the 20th after "pid (comm)"
			long startTicks = Long.parseLong(fields[19]);
			List<Long> namespacePids = new ArrayList<>();
			for (String line : Files.readAllLines(dir.resolve("status"), StandardCharsets.UTF_8)) {
				if (line.startsWith("NSpid:")) {
					for (String value : line.substring(6).trim().split("\\s+")) {
						namespacePids.add(Long.parseLong(value));
					}
				}
			}
			return Optional.of(new ProcessInfo(pid, parent, command, state, startTicks, namespacePids));
		}
		catch (NoSuchFileException ex) {
			return Optional.empty();
		}
		catch (IOException | RuntimeException ex) {
			// the process ended while we were reading it
			return Optional.empty();
		}
	}

	@Override
	public List<Long> children(long pid) {
		List<Long> children = new ArrayList<>();
		try (DirectoryStream<Path> tasks = Files.newDirectoryStream(this.proc.resolve(pid + "/task"))) {
			for (Path task : tasks) {
				String text = Files.readString(task.resolve("children"), StandardCharsets.UTF_8).trim();
				if (!text.isEmpty()) {
					for (String child : text.split("\\s+")) {
						children.add(Long.parseLong(child));
					}
				}
			}
		}
		catch (IOException ex) {
			// no such process (any more): no children
		}
		return children;
	}

	@Override
	public boolean isRoot() {
		try {
			for (String line : Files.readAllLines(this.proc.resolve("self/status"), StandardCharsets.UTF_8)) {
				if (line.startsWith("Uid:")) {
					return "0".equals(line.substring(4).trim().split("\\s+")[1]);
				}
			}
		}
		catch (IOException ex) {
			// not Linux
		}
		return false;
	}

	@Override
	public Optional<Instant> lastModified(Path file) {
		try {
			return Optional.of(Files.getLastModifiedTime(file).toInstant());
		}
		catch (IOException ex) {
			return Optional.empty();
		}
	}

	@Override
	public Optional<Path> findExecutable(String name) {
		if (name.contains("/")) {
			Path path = Path.of(name);
			return Files.isRegularFile(path) && Files.isExecutable(path) ? Optional.of(path) : Optional.empty();
		}
		String searchPath = System.getenv("PATH");
		if (searchPath == null) {
			return Optional.empty();
		}
		for (String dir : searchPath.split(File.pathSeparator)) {
			if (!dir.isEmpty()) {
				Path candidate = Path.of(dir, name);
				if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
					return Optional.of(candidate);
				}
			}
		}
		return Optional.empty();
	}

	@Override
	public Optional<String> readFile(Path file) {
		try {
			return Optional.of(Files.readString(file, StandardCharsets.UTF_8));
		}
		catch (IOException ex) {
			return Optional.empty();
		}
	}

	@Override
	public void writeFile(Path file, String value) {
		// One write(2) of the whole value, without O_CREAT or O_TRUNC games: what cgroup and
		// sysfs files expect.
		try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
			channel.write(ByteBuffer.wrap(value.getBytes(StandardCharsets.US_ASCII)));
		}
		catch (IOException ex) {
			throw new CseException("could not write '" + value + "' to " + file + ": " + reason(ex), ex);
		}
	}

	@Override
	public boolean createDirectory(Path dir) {
		try {
			Files.createDirectory(dir);
			return true;
		}
		catch (FileAlreadyExistsException ex) {
			return false;
		}
		catch (IOException ex) {
			throw new CseException("could not create " + dir + ": " + reason(ex), ex);
		}
	}

	@Override
	public boolean removeDirectory(Path dir) {
		try {
			Files.deleteIfExists(dir);
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	@Override
	public boolean exists(Path path) {
		return Files.exists(path);
	}

	private static String reason(IOException ex) {
		String message = ex.getMessage();
		if (ex instanceof FileSystemException fileSystem && fileSystem.getReason() != null) {
			message = fileSystem.getReason();
		}
		return (message != null) ? message : ex.toString();
	}

	private static void deleteQuietly(Path file) {
		if (file != null) {
			try {
				Files.deleteIfExists(file);
			}
			catch (IOException ex) {
				// a temporary file we could not delete is not worth failing the command for
			}
		}
	}

}
