package io.cse.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The HTTP calls the benchmarks make to the service they measure.
 */
final class BenchHttp {

	private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	HttpResponse<String> get(URI uri) throws IOException {
		return send(HttpRequest.newBuilder(uri).GET().build());
	}

	/**
	 * Post to the service.
	 * @param uri where to
	 * @param json the JSON body, or {@code null} for none
	 * @return the answer
	 * @throws IOException if the service cannot be reached
	 */
	HttpResponse<String> post(URI uri, String json) throws IOException {
		HttpRequest.Builder request = HttpRequest.newBuilder(uri);
		if (json != null) {
			request.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
		}
		else {
			request.POST(HttpRequest.BodyPublishers.noBody());
		}
		return send(request.build());
	}

	private HttpResponse<String> send(HttpRequest request) throws IOException {
		try {
			return this.client.send(request, HttpResponse.BodyHandlers.ofString());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IOException(ex);
		}
	}

}
