package io.cse.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A fixed job timed on the machine itself: the benchmarks run on shared machines whose
 * speed changes by a third within an hour, and a figure can only be compared with one of
 * another day if the machine's own speed then is known. Two jobs, for the two things the
 * figures are made of: hashing (processor and caches) and starting processes (the
 * kernel's memory management: forks, page faults, exits).
 *
 * @param hashMillis the median time to hash {@link #HASHED_BYTES} with SHA-256, in ms
 * @param processMillis the median time to start {@link #PROCESSES} processes one after
 * the other and wait for each to end, in ms; negative if the machine has no
 * {@code /bin/true}
 */
record HostSpeed(double hashMillis, double processMillis) {

	static final int HASHED_BYTES = 8 * 1024 * 1024;

	static final int PROCESSES = 20;

	private static final int REPEATS = 5;

	private static final Path TRUE = Path.of("/bin/true");

	/**
	 * Time both jobs {@link #REPEATS} times each, after one unmeasured round that lets the
	 * JIT compile the hashing.
	 * @return the medians
	 */
	static HostSpeed measure() {
		byte[] data = new byte[HASHED_BYTES];
		ThreadLocalRandom.current().nextBytes(data);
		hash(data);
		boolean canStart = Files.isExecutable(TRUE);
		List<Double> hashes = new ArrayList<>();
		List<Double> processes = new ArrayList<>();
		for (int repeat = 0; repeat < REPEATS; repeat++) {
			long start = System.nanoTime();
			hash(data);
			hashes.add((System.nanoTime() - start) / 1e6);
			if (canStart) {
				start = System.nanoTime();
				startProcesses();
				processes.add((System.nanoTime() - start) / 1e6);
			}
		}
		return new HostSpeed(Stats.of(hashes).median(), canStart ? Stats.of(processes).median() : -1);
	}

	/**
	 * What a section's machine line says about it.
	 * @return for example "yardstick 31.2 ms to hash 8 MiB, 48.0 ms to start 20 processes"
	 */
	String describe() {
		String hashed = String.format(Locale.ROOT, "yardstick %.1f ms to hash %d MiB", this.hashMillis,
				HASHED_BYTES / 1024 / 1024);
		return (this.processMillis < 0) ? hashed
				: hashed + String.format(Locale.ROOT, ", %.1f ms to start %d processes", this.processMillis, PROCESSES);
	}

	private static void hash(byte[] data) {
		try {
			MessageDigest.getInstance("SHA-256").digest(data);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("every JDK has SHA-256", ex);
		}
	}

	private static void startProcesses() {
		try {
			for (int i = 0; i < PROCESSES; i++) {
				new ProcessBuilder(TRUE.toString()).start().waitFor();
			}
		}
		catch (IOException ex) {
			throw new IllegalStateException("could not start " + TRUE + ": " + ex.getMessage(), ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("interrupted while timing the yardstick", ex);
		}
	}

}
