package io.cse.ready;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

import io.cse.ready.UniquenessHazard.Severity;

/**
 * Thrown at start-up when a {@link ServerlessReady @ServerlessReady} bean has uniqueness
 * hazards at or above the severity that
 * {@code cse.serverless-ready.hazard-check.fail-on} names.
 */
public class UniquenessHazardException extends IllegalStateException {

	private final Severity failOn;

	private final List<UniquenessHazard> hazards;

	/**
	 * Create an exception for the given hazards.
	 * @param failOn the lowest severity that stops the start-up
	 * @param hazards the hazards at or above that severity, at least one
	 */
	public UniquenessHazardException(Severity failOn, List<UniquenessHazard> hazards) {
		super(hazards.size() + " uniqueness hazard(s) stop the start-up ("
				+ "cse.serverless-ready.hazard-check.fail-on=" + failOn.name().toLowerCase(Locale.ROOT) + "):"
				+ hazards.stream()
					.map((hazard) -> System.lineSeparator() + " - " + hazard.describe())
					.collect(Collectors.joining()));
		this.failOn = failOn;
		this.hazards = Collections.unmodifiableList(new ArrayList<>(hazards));
	}

	/**
	 * Return the lowest severity that stops the start-up.
	 * @return the severity
	 */
	public Severity getFailOn() {
		return this.failOn;
	}

	/**
	 * Return the hazards that stop the start-up.
	 * @return the hazards
	 */
	public List<UniquenessHazard> getHazards() {
		return this.hazards;
	}

}
