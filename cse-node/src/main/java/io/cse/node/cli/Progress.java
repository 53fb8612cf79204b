package io.cse.node.cli;

import java.io.PrintWriter;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * {@code --quiet}, and what it turns off: while a command waits for longer than a second
 * (a service to start, a restore, a clone, a squeeze), a line on standard error every few
 * seconds says what it waits for and how long it has, so that whoever watches knows it
 * is not stuck. Standard output keeps only the answer ({@code --json} included).
 */
final class Progress {

	/** When the first line comes, and how often the next ones do, in milliseconds. */
	private static final long FIRST = 1000;

	private static final long EVERY = 5000;

	@Option(names = { "-q", "--quiet" }, description = "Print no progress lines on standard error while waiting.")
	boolean quiet;

	/**
	 * Report on standard error what a call waits for, while it does.
	 * @param spec the command
	 * @param what what it waits for, as in {@code restoring web from tpl-1}
	 * @return what stops the reports once the call has returned
	 */
	Ticker waitingFor(CommandSpec spec, String what) {
		if (this.quiet) {
			return () -> {
			};
		}
		PrintWriter err = spec.commandLine().getErr();
		long start = System.nanoTime();
		ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "cse-progress");
			thread.setDaemon(true);
			return thread;
		});
		timer.scheduleAtFixedRate(() -> {
			long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
			err.println("cse: " + what + " (" + seconds + " s)");
			err.flush();
		}, FIRST, EVERY, TimeUnit.MILLISECONDS);
		return () -> {
			timer.shutdownNow();
			try {
				// No line after the command's own answer
				timer.awaitTermination(1, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		};
	}

	/**
	 * Stops the reports of one wait.
	 */
	interface Ticker extends AutoCloseable {

		@Override
		void close();

	}

}
