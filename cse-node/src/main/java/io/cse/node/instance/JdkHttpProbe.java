package io.cse.node.instance;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * {@link HttpProbe} with the JDK's {@link HttpURLConnection}, never through a proxy:
 * instances are on this host. Not {@code java.net.http.HttpClient}: building one sets up
 * TLS whatever the scheme, which cost every {@code cse} command a few hundred
 * milliseconds of start-up before it probed anything.
 */
public final class JdkHttpProbe implements HttpProbe {

	private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);

	private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(3);


	@Override
	public Optional<Answer> get(URI uri, String token) {
		return send(uri, "GET", token, PROBE_TIMEOUT, false);
	}

	@Override
	public int getKeptAlive(URI uri, int requests) {
		int answered = 0;
		for (int i = 0; i < requests; i++) {
			// Read to the end and not closed, each connection goes back to the JDK's
			// keep-alive cache, and the next request to the same port takes it again.
			answered += send(uri, "GET", null, PROBE_TIMEOUT, true).isPresent() ? 1 : 0;
		}
		return answered;
	}

	@Override
	public Optional<Answer> post(URI uri, String token, Duration timeout) {
		return send(uri, "POST", token, timeout, false);
	}

	private Optional<Answer> send(URI uri, String method, String token, Duration timeout, boolean keepAlive) {
		try {
			HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection(Proxy.NO_PROXY);
			connection.setConnectTimeout((int) CONNECT_TIMEOUT.toMillis());
			connection.setReadTimeout((int) timeout.toMillis());
			connection.setRequestMethod(method);
			connection.setUseCaches(false);
			// A fresh connection every time: one kept alive from before a freeze would have
			// been closed by the service's traffic gate, and a first request after the thaw
			// would spend its time finding that out.
			if (!keepAlive) {
				connection.setRequestProperty("Connection", "close");
			}
			if (token != null) {
				connection.setRequestProperty("Authorization", "Bearer " + token);
			}
			// No body, so no Content-Type: with one, HttpURLConnection would declare a form,
			// which the actuator refuses (415).
			int status = connection.getResponseCode();
			try (InputStream body = (status >= 400) ? connection.getErrorStream() : connection.getInputStream()) {
				String text = (body != null) ? new String(body.readAllBytes(), StandardCharsets.UTF_8) : "";
				return Optional.of(new Answer(status, text));
			}
		}
		catch (IOException | IllegalArgumentException ex) {
			return Optional.empty();
		}
	}

}
