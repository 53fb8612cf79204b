package io.cse.http;

import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.http.impl.conn.PoolingHttpClientConnectionManager;

/**
 * Apache HttpClient 4 (behind Spring 5's {@code HttpComponentsClientHttpRequestFactory},
 * the common choice on Spring Boot 2.7): closes the idle connections of its pooling
 * connection manager.
 */
public class ApacheHttpClient4PoolCloser implements HttpClientPoolCloser {

	private static final Log logger = LogFactory.getLog(ApacheHttpClient4PoolCloser.class);

	@Override
	public boolean closeIdleConnections(Object candidate) {
		if (!(candidate instanceof PoolingHttpClientConnectionManager)) {
			return false;
		}
		PoolingHttpClientConnectionManager pool = (PoolingHttpClientConnectionManager) candidate;
		pool.closeExpiredConnections();
		pool.closeIdleConnections(0, TimeUnit.MILLISECONDS);
		int leased = pool.getTotalStats().getLeased();
		if (leased > 0) {
			logger.warn(leased + " Apache HttpClient 4 connection(s) are still in use while the instance is quiesced:"
					+ " a response that was never consumed or closed keeps its connection open");
		}
		return true;
	}

}
