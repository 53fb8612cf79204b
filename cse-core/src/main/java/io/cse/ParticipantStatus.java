package io.cse;

import java.time.Duration;
import java.time.Instant;

/**
 * What a participant did last.
 */
public final class ParticipantStatus {

	private final String name;

	private final int order;

	private final Instant lastQuiescedAt;

	private final Duration lastQuiesceDuration;

	private final Instant lastResumedAt;

	private final Duration lastResumeDuration;

	private final String lastError;

	ParticipantStatus(String name, int order, Instant lastQuiescedAt, Duration lastQuiesceDuration,
			Instant lastResumedAt, Duration lastResumeDuration, String lastError) {
		this.name = name;
		this.order = order;
		this.lastQuiescedAt = lastQuiescedAt;
		this.lastQuiesceDuration = lastQuiesceDuration;
		this.lastResumedAt = lastResumedAt;
		this.lastResumeDuration = lastResumeDuration;
		this.lastError = lastError;
	}

	static ParticipantStatus initial(CheckpointParticipant participant) {
		return new ParticipantStatus(participant.getName(), participant.getOrder(), null, null, null, null, null);
	}

	ParticipantStatus quiesced(Instant at, Duration duration, String error) {
		return new ParticipantStatus(this.name, this.order, at, duration, this.lastResumedAt, this.lastResumeDuration,
				error);
	}

	ParticipantStatus resumed(Instant at, Duration duration, String error) {
		return new ParticipantStatus(this.name, this.order, this.lastQuiescedAt, this.lastQuiesceDuration, at,
				duration, error);
	}

	/**
	 * Return the participant's name.
	 * @return the name
	 */
	public String name() {
		return this.name;
	}

	/**
	 * Return the participant's order.
	 * @return the order
	 */
	public int order() {
		return this.order;
	}

	/**
	 * Return when it last finished quiescing.
	 * @return the time, or {@code null} if it never quiesced
	 */
	public Instant lastQuiescedAt() {
		return this.lastQuiescedAt;
	}

	/**
	 * Return how long its last quiesce took.
	 * @return the duration, or {@code null} if it never quiesced
	 */
	public Duration lastQuiesceDuration() {
		return this.lastQuiesceDuration;
	}

	/**
	 * Return when it last finished resuming.
	 * @return the time, or {@code null} if it never resumed
	 */
	public Instant lastResumedAt() {
		return this.lastResumedAt;
	}

	/**
	 * Return how long its last resume took.
	 * @return the duration, or {@code null} if it never resumed
	 */
	public Duration lastResumeDuration() {
		return this.lastResumeDuration;
	}

	/**
	 * Return why its last quiesce or resume failed.
	 * @return the error, or {@code null} if the last call succeeded
	 */
	public String lastError() {
		return this.lastError;
	}

	@Override
	public String toString() {
		return "ParticipantStatus[name=" + this.name + ", order=" + this.order + ", lastError=" + this.lastError + "]";
	}

}
