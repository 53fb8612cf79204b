package io.cse.node;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people write them on a command line or in a request: {@code 60} (seconds),
 * {@code 60s}, {@code 500ms}, {@code 2m}, {@code 1h}, or ISO-8601 ({@code PT1M}).
 */
public final class DurationText {

	private static final Pattern SIMPLE = Pattern.compile("(\\d+)\\s*(ms|s|m|h)?");

	private DurationText() {
	}

	/**
	 * Read a duration.
	 * @param text the text
	 * @return the duration
	 * @throws IllegalArgumentException with a message that shows how to write one
	 */
	public static Duration parse(String text) {
		Matcher matcher = SIMPLE.matcher(text.trim());
		if (matcher.matches()) {
			long amount = Long.parseLong(matcher.group(1));
			String unit = (matcher.group(2) != null) ? matcher.group(2) : "s";
			return switch (unit) {
				case "ms" -> Duration.ofMillis(amount);
				case "m" -> Duration.ofMinutes(amount);
				case "h" -> Duration.ofHours(amount);
				default -> Duration.ofSeconds(amount);
			};
		}
		try {
			return Duration.parse(text.trim());
		}
		catch (RuntimeException ex) {
			throw new IllegalArgumentException("'" + text + "' is no duration: write it as 60, 60s, 500ms or 2m");
		}
	}

}
