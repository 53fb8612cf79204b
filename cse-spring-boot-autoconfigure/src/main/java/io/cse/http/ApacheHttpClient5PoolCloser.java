package io.cse.http;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManager;
import org.apache.hc.core5.pool.PoolStats;
import org.apache.hc.core5.util.TimeValue;

/**
 * Apache HttpClient 5 (behind Spring 6's {@code HttpComponentsClientHttpRequestFactory}
 * and {@code HttpComponentsClientHttpConnector}): closes the idle connections of its
 * classic and async pooling connection managers.
 * <p>
 * A client keeps its connection manager in a private field, so a client is opened by
 * {@link HttpClientPoolParticipant}'s walk, which reaches the manager inside it.
 */
public class ApacheHttpClient5PoolCloser implements HttpClientPoolCloser {

	private static final Log logger = LogFactory.getLog(ApacheHttpClient5PoolCloser.class);

	@Override
	public boolean closeIdleConnections(Object candidate) {
		if (candidate instanceof PoolingHttpClientConnectionManager) {
			PoolingHttpClientConnectionManager pool = (PoolingHttpClientConnectionManager) candidate;
			pool.closeExpired();
			pool.closeIdle(TimeValue.ZERO_MILLISECONDS);
			warnAboutLeased(pool.getTotalStats());
			return true;
		}
		if (candidate instanceof PoolingAsyncClientConnectionManager) {
			PoolingAsyncClientConnectionManager pool = (PoolingAsyncClientConnectionManager) candidate;
			pool.closeExpired();
			pool.closeIdle(TimeValue.ZERO_MILLISECONDS);
			warnAboutLeased(pool.getTotalStats());
			return true;
		}
		// A client is not handled here: the walk goes on into it, to its manager
		return false;
	}

	private static void warnAboutLeased(PoolStats stats) {
		if (stats.getLeased() > 0) {
			logger.warn(stats.getLeased() + " Apache HttpClient 5 connection(s) are still in use while the instance is"
					+ " quiesced: a response that was never closed keeps its connection open");
		}
	}

}
