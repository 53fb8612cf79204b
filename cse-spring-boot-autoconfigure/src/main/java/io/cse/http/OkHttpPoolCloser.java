package io.cse.http;

import okhttp3.ConnectionPool;
import okhttp3.OkHttpClient;

/**
 * OkHttp (behind Spring's {@code OkHttp3ClientHttpRequestFactory}, or used directly):
 * evicts the idle connections of a client's connection pool.
 */
public class OkHttpPoolCloser implements HttpClientPoolCloser {

	@Override
	public boolean closeIdleConnections(Object candidate) {
		if (candidate instanceof OkHttpClient) {
			((OkHttpClient) candidate).connectionPool().evictAll();
			return true;
		}
		if (candidate instanceof ConnectionPool) {
			((ConnectionPool) candidate).evictAll();
			return true;
		}
		return false;
	}

}
