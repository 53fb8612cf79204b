package io.cse.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * How the benchmarks run a Spring Boot service: its jar as built ({@link #plain}), or the
 * way its snapshots come out smallest ({@link #prepare}): its jar extracted (Spring Boot's
 * {@code -Djarmode=tools extract}), with an archive of the classes it loads (AppCDS) made by
 * a training run that stops once the application context is refreshed, and mapped at the
 * address the archive was made for.
 * <p>
 * Why it matters to a snapshot: class metadata read from the archive stays in clean pages
 * of a file mapping, which CRIU does not copy into the image (the file is on the host),
 * while classes loaded from jars fill anonymous metaspace, which it must. The JDK's own
 * archive is relocated to a random address by default
 * ({@code ArchiveRelocationMode=1}), which writes to nearly every page of it; clones of
 * one image share every address anyway, so mapping it where it was made
 * ({@code ArchiveRelocationMode=0}) costs them nothing.
 */
final class Deployment {

	private static final List<String> FIXED_ADDRESS = List.of("-XX:+UnlockDiagnosticVMOptions",
			"-XX:ArchiveRelocationMode=0");

	private final Path jar;

	private final Path archive;

	private final List<String> archiveOptions;

	private Deployment(Path jar, Path archive) {
		this(jar, archive, (archive != null) ? withArchive(FIXED_ADDRESS, "-XX:SharedArchiveFile=" + archive) : List.of());
	}

	private Deployment(Path jar, Path archive, List<String> archiveOptions) {
		this.jar = jar;
		this.archive = archive;
		this.archiveOptions = archiveOptions;
	}

	private static List<String> withArchive(List<String> options, String archiveOption) {
		List<String> all = new ArrayList<>(options);
		all.add(archiveOption);
		return List.copyOf(all);
	}

	/**
	 * The service's jar as built: {@code java -jar}.
	 * @param executableJar the jar
	 * @return the deployment
	 */
	static Deployment plain(Path executableJar) {
		return new Deployment(executableJar, null);
	}

	/**
	 * Extract a service's jar into a folder and train its class archive.
	 * @param java the JDK's {@code java}
	 * @param executableJar the service's Spring Boot jar
	 * @param folder where the extracted jar, its libraries and the archive go (created)
	 * @param jvmOptions the JVM options the service runs with
	 * @param arguments what the service needs to refresh its context (its database, ...)
	 * @param log where the training run's output goes
	 * @return the deployment
	 * @throws IOException if the extraction or the training fails
	 */
	static Deployment prepare(Path java, Path executableJar, Path folder, List<String> jvmOptions,
			List<String> arguments, Path log) throws IOException, InterruptedException {
		Path jar = extract(java, executableJar, folder, log);
		Path archive = folder.resolve("application.jsa");
		Files.deleteIfExists(archive);
		List<String> training = new ArrayList<>();
		training.add(java.toString());
		training.addAll(jvmOptions);
		training.addAll(FIXED_ADDRESS);
		training.add("-XX:ArchiveClassesAtExit=" + archive);
		training.add("-Dspring.context.exit=onRefresh");
		training.addAll(List.of("-jar", jar.toString(), "--server.port=0"));
		training.addAll(arguments);
		run(training, log, "the training run of " + jar);
		if (!Files.isRegularFile(archive)) {
			throw new IOException("The training run of " + jar + " wrote no class archive (see " + log + ")");
		}
		return new Deployment(jar, archive);
	}

	/**
	 * Extract a service's jar and train an AOT cache for it (JDK 25, JEP 483 and 514): a
	 * training run with {@code -XX:AOTCacheOutput} that stops once the application context
	 * is refreshed, then runs with {@code -XX:AOTCache}. The cache holds the classes loaded
	 * and linked, as a class archive does, and more (linked call sites, method profiles).
	 * @param java the JDK 25's {@code java}
	 * @param executableJar the service's Spring Boot jar
	 * @param folder where the extracted jar, its libraries and the cache go (created)
	 * @param jvmOptions the JVM options the service runs with
	 * @param fixedAddress whether to map the cache where it was made
	 * ({@code -XX:ArchiveRelocationMode=0}) rather than at a random address, which writes
	 * to its pages and so makes them part of a snapshot's image
	 * @param arguments what the service needs to refresh its context (its database, ...)
	 * @param log where the training run's output goes
	 * @return the deployment
	 * @throws IOException if the extraction or the training fails
	 */
	static Deployment prepareAotCache(Path java, Path executableJar, Path folder, List<String> jvmOptions,
			boolean fixedAddress, List<String> arguments, Path log) throws IOException, InterruptedException {
		Path jar = extract(java, executableJar, folder, log);
		Path cache = folder.resolve("application.aot");
		Files.deleteIfExists(cache);
		List<String> addressing = fixedAddress ? FIXED_ADDRESS : List.of();
		List<String> training = new ArrayList<>();
		training.add(java.toString());
		training.addAll(jvmOptions);
		training.addAll(addressing);
		training.add("-XX:AOTCacheOutput=" + cache);
		training.add("-Dspring.context.exit=onRefresh");
		training.addAll(List.of("-jar", jar.toString(), "--server.port=0"));
		training.addAll(arguments);
		run(training, log, "the training run of " + jar);
		if (!Files.isRegularFile(cache)) {
			throw new IOException("The training run of " + jar + " wrote no AOT cache (see " + log + ")");
		}
		return new Deployment(jar, cache, withArchive(addressing, "-XX:AOTCache=" + cache));
	}

	private static Path extract(Path java, Path executableJar, Path folder, Path log)
			throws IOException, InterruptedException {
		Files.createDirectories(folder);
		run(List.of(java.toString(), "-Djarmode=tools", "-jar", executableJar.toString(), "extract", "--force",
				"--destination", folder.toString(), "--application-filename", "application.jar"), log,
				"extracting " + executableJar);
		Path jar = folder.resolve("application.jar");
		if (!Files.isRegularFile(jar)) {
			throw new IOException("Extracting " + executableJar + " left no " + jar + " (see " + log + ")");
		}
		return jar;
	}

	private static void run(List<String> command, Path log, String what) throws IOException, InterruptedException {
		Process process = new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
			.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
			.start();
		if (!process.waitFor(5, TimeUnit.MINUTES)) {
			process.destroyForcibly().waitFor();
			throw new IOException(what + " did not finish within 5 minutes (see " + log + ")");
		}
		if (process.exitValue() != 0) {
			throw new IOException(what + " failed with exit code " + process.exitValue() + " (see " + log + ")");
		}
	}

	/**
	 * The JVM options that map the archives: to add to the service's own.
	 * @return the options, none for a plain jar
	 */
	List<String> jvmOptions() {
		return this.archiveOptions;
	}

	/**
	 * What runs the service: its extracted jar.
	 * @return {@code -jar} and the jar
	 */
	List<String> classpathOrJar() {
		return List.of("-jar", this.jar.toString());
	}

	/**
	 * The class archive or AOT cache.
	 * @return the archive, or {@code null} for a plain jar
	 */
	Path archive() {
		return this.archive;
	}

	/**
	 * The command line that starts the service, with file names instead of paths, for the
	 * reports.
	 * @param jvmOptions the service's own JVM options
	 * @return for example {@code java -Xmx256m -jar app.jar}
	 */
	String commandLine(List<String> jvmOptions) {
		List<String> words = new ArrayList<>(List.of("java"));
		words.addAll(jvmOptions);
		for (String option : jvmOptions()) {
			words.add((this.archive != null) ? option.replace(this.archive.toString(), this.archive.getFileName().toString())
					: option);
		}
		words.addAll(List.of("-jar", this.jar.getFileName().toString()));
		return String.join(" ", words);
	}

}
