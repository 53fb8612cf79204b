package io.cse.samples.secured;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A plain HTTP client for the tests, as a caller of the service: anonymous, a platform or a
 * person with HTTP Basic credentials or a bearer token, or a browser that keeps its cookies.
 */
final class Client {

	private static final Pattern CSRF_FIELD = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"");

	private final HttpClient client;

	private final String base;

	private final String authorization;

	private Client(int port, HttpClient client, String authorization) {
		this.base = "http://127.0.0.1:" + port;
		this.client = client;
		this.authorization = authorization;
	}

	static Client anonymous(int port) {
		return new Client(port, plain().build(), null);
	}

	static Client basic(int port, String username, String password) {
		String credentials = Base64.getEncoder()
			.encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
		return new Client(port, plain().build(), "Basic " + credentials);
	}

	static Client bearer(int port, String token) {
		return new Client(port, plain().build(), "Bearer " + token);
	}

	/**
	 * A browser: it keeps the session cookie it is given.
	 */
	static Client browser(int port) {
		return new Client(port, plain().cookieHandler(new CookieManager()).build(), null);
	}

	private static HttpClient.Builder plain() {
		return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
	}

	HttpResponse<String> get(String path) {
		return send(request(path).GET());
	}

	/**
	 * A {@code POST} with no body and no content type, as the platform sends it.
	 */
	HttpResponse<String> post(String path) {
		return send(request(path).POST(HttpRequest.BodyPublishers.noBody()));
	}

	HttpResponse<String> postForm(String path, Map<String, String> fields) {
		String form = fields.entrySet().stream()
			.map((field) -> encode(field.getKey()) + "=" + encode(field.getValue()))
			.collect(Collectors.joining("&"));
		return send(request(path).header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers.ofString(form)));
	}

	/**
	 * Log in through the application's login form, as a person in a browser does: the form
	 * carries the CSRF token of the page it came with.
	 */
	HttpResponse<String> logIn(String username, String password) {
		return postForm("/login",
				Map.of("username", username, "password", password, "_csrf", csrfToken(get("/login"))));
	}

	static String csrfToken(HttpResponse<String> page) {
		Matcher field = CSRF_FIELD.matcher(page.body());
		if (!field.find()) {
			throw new IllegalStateException("No CSRF token in the page of " + page.uri() + ": " + page.body());
		}
		return field.group(1);
	}

	private HttpRequest.Builder request(String path) {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(this.base + path))
			.timeout(Duration.ofSeconds(60));
		return (this.authorization != null) ? request.header("Authorization", this.authorization) : request;
	}

	private static String encode(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8);
	}

	private HttpResponse<String> send(HttpRequest.Builder request) {
		try {
			return this.client.send(request.build(), HttpResponse.BodyHandlers.ofString());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
