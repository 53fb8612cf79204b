package io.cse.http;

/**
 * Closes the idle connections of one HTTP client library's pools.
 * <p>
 * {@link HttpClientPoolParticipant} hands every client and pool it finds to each closer in
 * turn; the first that knows the object closes its idle connections and claims it. One
 * implementation per library, each declared only where its library is on the class path.
 */
public interface HttpClientPoolCloser {

	/**
	 * Close the idle connections of the given object if it is a client or a connection pool
	 * of this closer's library. Connections in use are left alone: they close when they are
	 * given back.
	 * @param candidate a client, a pool, or anything else found in the application
	 * @return whether the object belongs to this closer's library (and was handled)
	 */
	boolean closeIdleConnections(Object candidate);

}
