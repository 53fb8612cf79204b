package io.cse.web;

import java.util.function.IntPredicate;

/**
 * Closes the web server's idle keep-alive connections once no request is in flight, so
 * that a quiesced instance holds as few established connections as possible. The
 * listening socket stays open.
 */
@FunctionalInterface
public interface IdleConnectionCloser {

	/** A closer for web servers the starter cannot reach: it closes nothing. */
	IdleConnectionCloser NONE = (busy) -> 0;

	/**
	 * Close every open connection that has no request in flight or held.
	 * <p>
	 * Connections are told apart by their client port alone: a port that two clients
	 * happen to share keeps both connections open, which errs on the safe side, and the
	 * port is not rewritten by proxies the way forwarded client addresses are.
	 * @param busy tells whether the connection with the given client port has a request
	 * in flight or held
	 * @return the number of connections closed
	 */
	int closeIdleConnections(IntPredicate busy);

}
