package io.cse.web;

import java.time.Duration;
import java.util.function.IntPredicate;

/**
 * Closes the web server's idle keep-alive connections once no request is in flight, so
 * that a quiesced instance holds as few established connections as possible. The
 * listening socket stays open.
 */
@FunctionalInterface
public interface IdleConnectionCloser {

	/** A closer for web servers the starter cannot reach: it closes nothing. */
	IdleConnectionCloser NONE = (busy, quietFor) -> 0;

	/**
	 * Close every open connection that has no request in flight or held, and on which
	 * nothing was read or written for a while.
	 * <p>
	 * Connections are told apart by their client port alone: a port that two clients
	 * happen to share keeps both connections open, which errs on the safe side, and the
	 * port is not rewritten by proxies the way forwarded client addresses are.
	 * @param busy tells whether the connection with the given client port has a request
	 * in flight or held
	 * @param quietFor how long a connection must have been quiet to be closed: a client
	 * that uses a connection steadily may be sending its next request on it right now, and
	 * would lose that request if it were closed
	 * @return the number of connections closed
	 */
	int closeIdleConnections(IntPredicate busy, Duration quietFor);

}
