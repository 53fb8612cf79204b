package io.cse.web;

/**
 * What a request leaves to run once its response has been sent: how an operation that
 * stops or snapshots the process answers first, the way Spring Boot's
 * {@code ShutdownEndpoint} does.
 * <p>
 * The traffic-gate filters ({@link TrafficGateFilter}, {@link ReactiveTrafficGateFilter})
 * offer one to every request to the CSE endpoint, as the request attribute
 * {@link #ATTRIBUTE}; the endpoint {@link #leave leaves} its action in it, and the filter
 * {@link #start starts} the action once the response is committed and flushed. A request
 * that no filter offered one to (no web server, the management server on a port of its
 * own, the traffic gate switched off) starts its action at once: see
 * {@link #leaveOrStart}.
 * <p>
 * Either way the action runs on a thread of its own, never on the server's.
 */
public final class AfterResponseAction {

	/**
	 * The name of the request attribute that holds the request's
	 * {@code AfterResponseAction}.
	 */
	public static final String ATTRIBUTE = AfterResponseAction.class.getName();

	private final Runnable closeConnection;

	private String threadName;

	private Runnable action;

	/**
	 * Create an empty one for a request whose filter starts what is left in it.
	 * @param closeConnection marks the response so that the server closes the connection
	 * once the response is sent, called when an action is left: the process is stopped or
	 * snapshotted right after the answer, and must leave no connection open
	 */
	public AfterResponseAction(Runnable closeConnection) {
		this.closeConnection = closeConnection;
	}

	/**
	 * Leave an action to run once the response is sent. Called before the response is
	 * written, while its headers can still change.
	 * @param threadName the name of the thread that runs it
	 * @param action the action
	 * @throws IllegalStateException if an action was left already
	 */
	public void leave(String threadName, Runnable action) {
		synchronized (this) {
			if (this.action != null) {
				throw new IllegalStateException("An action was left to run after this response already");
			}
			this.threadName = threadName;
			this.action = action;
		}
		this.closeConnection.run();
	}

	/**
	 * Return whether an action was left, and not started yet.
	 * @return whether an action waits for the response
	 */
	public synchronized boolean isLeft() {
		return this.action != null;
	}

	/**
	 * Start the action left, if any, on a thread of its own: what the filter calls once
	 * the response is on its way, whether it could be sent or not (the action holds the
	 * instance: it must run to give it back). Starts the action once at most.
	 */
	public void start() {
		String name;
		Runnable left;
		synchronized (this) {
			name = this.threadName;
			left = this.action;
			this.action = null;
		}
		if (left != null) {
			start(name, left);
		}
	}

	/**
	 * Leave an action to the request's filter, or, if no filter offered to run it, start
	 * it at once on a thread of its own.
	 * @param offered the request's {@code AfterResponseAction}, or {@code null} if it has
	 * none
	 * @param threadName the name of the thread that runs the action
	 * @param action the action
	 */
	public static void leaveOrStart(AfterResponseAction offered, String threadName, Runnable action) {
		if (offered != null) {
			offered.leave(threadName, action);
		}
		else {
			start(threadName, action);
		}
	}

	private static void start(String threadName, Runnable action) {
		Thread thread = new Thread(action, threadName);
		thread.setDaemon(true);
		thread.start();
	}

}
