package io.cse.node.instance;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * {@link HttpProbe} with the JDK's HTTP client, never through a proxy: instances are on
 * this host.
 */
public final class JdkHttpProbe implements HttpProbe {

	private final HttpClient client = HttpClient.newBuilder()
		.proxy(HttpClient.Builder.NO_PROXY)
		.version(HttpClient.Version.HTTP_1_1)
		.connectTimeout(Duration.ofSeconds(1))
		.build();

	@Override
	public Optional<Answer> get(URI uri) {
		return send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(3)).GET().build());
	}

	@Override
	public Optional<Answer> post(URI uri) {
		// A freeze drains requests and collects garbage first: give it longer than a probe.
		return send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
			.POST(HttpRequest.BodyPublishers.noBody())
			.build());
	}

	private Optional<Answer> send(HttpRequest request) {
		try {
			HttpResponse<String> response = this.client.send(request, HttpResponse.BodyHandlers.ofString());
			return Optional.of(new Answer(response.statusCode(), response.body()));
		}
		catch (IOException ex) {
			return Optional.empty();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return Optional.empty();
		}
	}

}
