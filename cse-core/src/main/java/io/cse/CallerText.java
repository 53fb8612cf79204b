package io.cse;

/**
 * A caller's own text (a name, a key, a path) as an error message repeats it: whole when
 * it is short, cut when it is not, so that a refusal of a ten-mebibyte name is not ten
 * mebibytes long, and its log line stays one line.
 */
public final class CallerText {

	/** How many characters of a caller's text a message repeats. */
	static final int ECHOED = 64;

	private CallerText() {
	}

	/**
	 * Return a caller's text as a message repeats it.
	 * @param text the text, or {@code null}
	 * @return the text, cut after {@value #ECHOED} characters with how long it was, and its
	 * line breaks and other control characters escaped
	 */
	public static String echoed(String text) {
		if (text == null) {
			return "null";
		}
		String shown = (text.length() > ECHOED) ? text.substring(0, ECHOED - 3) : text;
		StringBuilder echoed = new StringBuilder(shown.length() + 24);
		for (int i = 0; i < shown.length(); i++) {
			char c = shown.charAt(i);
			if (c < 0x20 || c == 0x7f) {
				echoed.append(String.format("\\u%04x", (int) c));
			}
			else {
				echoed.append(c);
			}
		}
		if (shown.length() < text.length()) {
			echoed.append("... (").append(text.length()).append(" characters)");
		}
		return echoed.toString();
	}

}
