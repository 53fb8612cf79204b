package io.cse;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.cse.OperationReport.Step;

/**
 * Calls participants, each within a timeout, and remembers what each did last.
 * <p>
 * Each call runs on a thread of the invoker's own so that a participant that hangs can be
 * abandoned after the timeout instead of blocking the instance in {@code QUIESCING}; the
 * threads are kept for the next calls, as a thaw is measured in milliseconds, and shut
 * down by {@link #close()}.
 * <p>
 * A participant that times out is interrupted. One that does not stop then is not called
 * again while its thread runs (a rollback does not resume it under its own feet), and
 * {@link #stillRunning()} names that thread, with where it is, so that the coordinator
 * refuses to quiesce the instance again until it ends: the call cannot outlive its
 * operation unseen.
 */
final class ParticipantInvoker implements AutoCloseable {

	private static final Logger logger = Logger.getLogger(ParticipantInvoker.class.getName());

	static final String QUIESCE = "quiesce";

	static final String RESUME = "resume";

	private final Duration timeout;

	private final Clock clock;

	private final Map<String, ParticipantStatus> statuses = new ConcurrentHashMap<>();

	private final ExecutorService callers = Executors.newCachedThreadPool((task) -> {
		Thread thread = new Thread(task, "cse-participant");
		thread.setDaemon(true);
		return thread;
	});

	private final Map<String, Call> abandoned = new ConcurrentHashMap<>();

	private final Duration interruptGrace;

	private volatile SettingNames settingNames = SettingNames.JAVA;

	ParticipantInvoker(List<CheckpointParticipant> participants, Duration timeout, Clock clock) {
		this.timeout = timeout;
		this.clock = clock;
		// Time for an interrupted call to stop: a participant that honours the interruption
		// ends within it
		this.interruptGrace = (timeout.compareTo(Duration.ofSeconds(1)) < 0) ? timeout : Duration.ofSeconds(1);
		for (CheckpointParticipant participant : participants) {
			this.statuses.put(participant.getName(), ParticipantStatus.initial(participant));
		}
	}

	/**
	 * Return the longest one call can take before it is given up: its timeout, and the
	 * grace an interrupted call has to stop.
	 * @return the time
	 */
	Duration longestCall() {
		return this.timeout.plus(this.interruptGrace);
	}

	void setSettingNames(SettingNames settingNames) {
		this.settingNames = settingNames;
	}

	Step quiesce(CheckpointParticipant participant, CheckpointContext context) {
		return call(participant, QUIESCE, () -> participant.quiesce(context));
	}

	Step resume(CheckpointParticipant participant, CheckpointContext context) {
		return call(participant, RESUME, () -> participant.resume(context));
	}

	List<ParticipantStatus> statuses(List<CheckpointParticipant> participants) {
		List<ParticipantStatus> result = new ArrayList<>(participants.size());
		for (CheckpointParticipant participant : participants) {
			result.add(this.statuses.get(participant.getName()));
		}
		return result;
	}

	/**
	 * Describe the calls that timed out, did not stop when interrupted and still run.
	 * @return one line each, naming the participant, its thread and where it is
	 */
	List<String> stillRunning() {
		List<String> running = new ArrayList<>();
		this.abandoned.forEach((name, call) -> {
			if (call.isRunning()) {
				running.add("participant '" + name + "' " + call.describe());
			}
			else {
				this.abandoned.remove(name, call);
			}
		});
		return running;
	}

	private Step call(CheckpointParticipant participant, String phase, ParticipantCall body) {
		String name = participant.getName();
		Call earlier = this.abandoned.get(name);
		if (earlier != null && earlier.isRunning()) {
			String error = "not called: " + earlier.describe();
			record(name, phase, Duration.ZERO, error);
			return new Step(name, phase, Duration.ZERO, error);
		}
		long start = System.nanoTime();
		Call call = new Call(phase, "cse-" + phase + "-" + name, body);
		Future<Void> task;
		try {
			task = this.callers.submit(call);
		}
		catch (RejectedExecutionException ex) {
			// Closed: the application is stopping (its context closes the coordinator) while an
			// operation still ran, a resume after a snapshot that a stop followed at once
			String error = "not called: the application is shutting down";
			record(name, phase, Duration.ZERO, error);
			return new Step(name, phase, Duration.ZERO, error);
		}
		String error = await(task, call);
		if (call.isRunning()) {
			this.abandoned.put(name, call);
		}
		Duration duration = Duration.ofNanos(System.nanoTime() - start);
		record(name, phase, duration, error);
		return new Step(name, phase, duration, error);
	}

	private String await(Future<Void> task, Call call) {
		try {
			task.get(this.timeout.toMillis(), TimeUnit.MILLISECONDS);
			return null;
		}
		catch (TimeoutException ex) {
			task.cancel(true);
			String timedOut = "timed out after " + this.timeout.toMillis() + " ms (raise "
					+ this.settingNames.nameOf(Setting.PARTICIPANT_TIMEOUT) + ")";
			return call.awaitEnd(this.interruptGrace) ? timedOut
					: timedOut + " and did not stop when interrupted: " + call.describe();
		}
		catch (ExecutionException ex) {
			Throwable cause = ex.getCause();
			return (cause.getMessage() != null) ? cause.getMessage() : cause.getClass().getName();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			task.cancel(true);
			return "interrupted";
		}
	}

	private void record(String name, String phase, Duration duration, String error) {
		Instant now = this.clock.instant();
		this.statuses.computeIfPresent(name, (key, status) -> QUIESCE.equals(phase)
				? status.quiesced(now, duration, error) : status.resumed(now, duration, error));
		if (error != null && logger.isLoggable(Level.FINE)) {
			logger.fine("Participant '" + name + "' failed to " + phase + ": " + error);
		}
	}

	/**
	 * Stop the invoker's threads: a participant still running is interrupted.
	 */
	@Override
	public void close() {
		this.callers.shutdownNow();
	}

	@FunctionalInterface
	private interface ParticipantCall {

		void run() throws Exception;

	}

	/**
	 * One call of a participant, on a thread named after it for as long as it runs.
	 */
	private static final class Call implements Callable<Void> {

		private final String phase;

		private final String threadName;

		private final ParticipantCall body;

		private final CountDownLatch ended = new CountDownLatch(1);

		private volatile Thread thread;

		Call(String phase, String threadName, ParticipantCall body) {
			this.phase = phase;
			this.threadName = threadName;
			this.body = body;
		}

		@Override
		public Void call() throws Exception {
			Thread current = Thread.currentThread();
			String name = current.getName();
			current.setName(this.threadName);
			this.thread = current;
			try {
				this.body.run();
				return null;
			}
			finally {
				current.setName(name);
				this.ended.countDown();
			}
		}

		/** Whether the call started and has not ended (a call cancelled before it started never runs). */
		boolean isRunning() {
			return this.thread != null && this.ended.getCount() > 0;
		}

		boolean awaitEnd(Duration grace) {
			if (this.thread == null) {
				return true;
			}
			try {
				return this.ended.await(grace.toMillis(), TimeUnit.MILLISECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return false;
			}
		}

		String describe() {
			Thread running = this.thread;
			StackTraceElement[] stack = (running != null) ? running.getStackTrace() : new StackTraceElement[0];
			String where = "";
			// Where the participant's own code is: the first frame outside the JDK
			for (StackTraceElement frame : stack) {
				String type = frame.getClassName();
				if (!type.startsWith("java.") && !type.startsWith("jdk.") && !type.startsWith("sun.")) {
					where = " at " + type + "." + frame.getMethodName() + "(" + frame.getFileName() + ":"
							+ frame.getLineNumber() + ")";
					break;
				}
			}
			return "its " + this.phase + " still runs on thread '" + this.threadName + "'" + where;
		}

	}

}
