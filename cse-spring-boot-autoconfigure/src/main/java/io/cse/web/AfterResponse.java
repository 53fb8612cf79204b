package io.cse.web;

import java.util.ArrayList;
import java.util.List;

/**
 * Runs an action once the response to the current request is on its way: what an
 * operation that stops or snapshots the process uses to answer first.
 * <p>
 * The web filter of the starter marks the requests it handles; an action scheduled on
 * such a request runs on a thread of its own once the response has been flushed. Without
 * the filter (no servlet web server), the action starts at once on a thread of its own.
 */
public final class AfterResponse {

	private static final ThreadLocal<List<Runnable>> pending = new ThreadLocal<>();

	private AfterResponse() {
	}

	/**
	 * Schedule an action to run after the current response.
	 * @param name the name of the thread that runs it
	 * @param action the action
	 */
	public static void run(String name, Runnable action) {
		List<Runnable> actions = pending.get();
		Runnable named = () -> start(name, action);
		if (actions != null) {
			actions.add(named);
		}
		else {
			named.run();
		}
	}

	/**
	 * Mark the current thread as handling a request whose response can be awaited.
	 */
	public static void begin() {
		pending.set(new ArrayList<>());
	}

	/**
	 * Start the actions scheduled while handling the current request.
	 */
	public static void end() {
		List<Runnable> actions = pending.get();
		pending.remove();
		if (actions != null) {
			actions.forEach(Runnable::run);
		}
	}

	private static void start(String name, Runnable action) {
		Thread thread = new Thread(action, name);
		thread.setDaemon(true);
		thread.start();
	}

}
