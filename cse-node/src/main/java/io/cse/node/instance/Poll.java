package io.cse.node.instance;

import io.cse.node.CseException;

/**
 * The pause between two looks at something that tells nobody when it changes: neither the
 * kernel nor a service says when a process has ended, a group is frozen or a port serves.
 */
final class Poll {

	private Poll() {
	}

	/**
	 * Wait a little.
	 * @param millis how long
	 * @throws CseException if the thread is interrupted (its flag stays set)
	 */
	static void pause(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new CseException("interrupted", ex);
		}
	}

}
