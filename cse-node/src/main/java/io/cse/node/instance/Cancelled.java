package io.cse.node.instance;

/**
 * A restore given up because another one of the same command failed, or the command is
 * ending: not a failure of its own, so it is never reported as one.
 */
final class Cancelled extends RuntimeException {

	private static final long serialVersionUID = 1L;

	Cancelled() {
		super("cancelled", null, false, false);
	}

}
