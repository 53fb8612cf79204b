package io.cse;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A participant for tests: writes {@code "quiesce NAME"} and {@code "resume NAME"} into a
 * journal (its own, or one shared by several participants to check their order), keeps
 * the contexts it was called with, and fails or blocks when told to. The one recording
 * participant every module's tests share.
 */
public class RecordingParticipant implements CheckpointParticipant {

	private final String name;

	private final int order;

	private final List<String> journal;

	private final List<CheckpointContext> contexts = Collections.synchronizedList(new ArrayList<>());

	private volatile String quiesceFailure;

	private volatile String resumeFailure;

	private volatile CountDownLatch quiesceBlocker;

	/**
	 * Create a participant with a journal of its own.
	 * @param name its name
	 * @param order its order
	 */
	public RecordingParticipant(String name, int order) {
		this(name, order, Collections.synchronizedList(new ArrayList<>()));
	}

	/**
	 * Create a participant that writes into a shared journal.
	 * @param name its name
	 * @param order its order
	 * @param journal the journal, synchronized if participants run on several threads
	 */
	public RecordingParticipant(String name, int order, List<String> journal) {
		this.name = name;
		this.order = order;
		this.journal = journal;
	}

	/**
	 * Make every quiesce fail, after it was recorded.
	 * @param message the failure's message
	 * @return this participant
	 */
	public RecordingParticipant failingToQuiesce(String message) {
		this.quiesceFailure = message;
		return this;
	}

	/**
	 * Make every resume fail, after it was recorded.
	 * @param message the failure's message
	 * @return this participant
	 */
	public RecordingParticipant failingToResume(String message) {
		this.resumeFailure = message;
		return this;
	}

	/**
	 * Make every quiesce block until the latch is released (at most 30 s).
	 * @param latch the latch
	 * @return this participant
	 */
	public RecordingParticipant blockingUntil(CountDownLatch latch) {
		this.quiesceBlocker = latch;
		return this;
	}

	/**
	 * Return the journal this participant writes into.
	 * @return the journal
	 */
	public List<String> calls() {
		return this.journal;
	}

	/**
	 * Return the contexts this participant was called with, in order.
	 * @return the contexts
	 */
	public List<CheckpointContext> contexts() {
		return this.contexts;
	}

	@Override
	public String getName() {
		return this.name;
	}

	@Override
	public int getOrder() {
		return this.order;
	}

	@Override
	public void quiesce(CheckpointContext context) throws Exception {
		this.journal.add("quiesce " + this.name);
		this.contexts.add(context);
		CountDownLatch blocker = this.quiesceBlocker;
		if (blocker != null) {
			blocker.await(30, TimeUnit.SECONDS);
		}
		if (this.quiesceFailure != null) {
			throw new IllegalStateException(this.quiesceFailure);
		}
	}

	@Override
	public void resume(CheckpointContext context) throws Exception {
		this.journal.add("resume " + this.name);
		this.contexts.add(context);
		if (this.resumeFailure != null) {
			throw new IllegalStateException(this.resumeFailure);
		}
	}

}
