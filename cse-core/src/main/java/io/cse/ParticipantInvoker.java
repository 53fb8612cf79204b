package io.cse;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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

	private volatile SettingNames settingNames = SettingNames.JAVA;

	ParticipantInvoker(List<CheckpointParticipant> participants, Duration timeout, Clock clock) {
		this.timeout = timeout;
		this.clock = clock;
		for (CheckpointParticipant participant : participants) {
			this.statuses.put(participant.getName(), ParticipantStatus.initial(participant));
		}
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

	private Step call(CheckpointParticipant participant, String phase, ParticipantCall call) {
		long start = System.nanoTime();
		String threadName = "cse-" + phase + "-" + participant.getName();
		Future<Void> task = this.callers.submit(() -> {
			Thread thread = Thread.currentThread();
			String name = thread.getName();
			thread.setName(threadName);
			try {
				call.run();
				return null;
			}
			finally {
				thread.setName(name);
			}
		});
		String error = await(task);
		Duration duration = Duration.ofNanos(System.nanoTime() - start);
		record(participant.getName(), phase, duration, error);
		return new Step(participant.getName(), phase, duration, error);
	}

	private String await(Future<Void> task) {
		try {
			task.get(this.timeout.toMillis(), TimeUnit.MILLISECONDS);
			return null;
		}
		catch (TimeoutException ex) {
			task.cancel(true);
			return "timed out after " + this.timeout.toMillis() + " ms (raise "
					+ this.settingNames.nameOf(Setting.PARTICIPANT_TIMEOUT) + ")";
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

}
