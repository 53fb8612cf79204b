package io.cse.web;

/**
 * Closes the web server's idle keep-alive connections once no request is in flight, so
 * that a quiesced instance holds as few established connections as possible. The
 * listening socket stays open.
 */
@FunctionalInterface
public interface IdleConnectionCloser {

	/** A closer for web servers the starter cannot reach: it closes nothing. */
	IdleConnectionCloser NONE = () -> 0;

	/**
	 * Close every connection that is open but has no request being processed.
	 * @return the number of connections closed
	 */
	int closeIdleConnections();

}
