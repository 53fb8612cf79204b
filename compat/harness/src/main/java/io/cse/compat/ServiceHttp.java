package io.cse.compat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What a caller sends to one instance of a service, at {@code http://address:port}: the
 * same requests on every Spring Boot line.
 */
public final class ServiceHttp {

	private static final ObjectMapper JSON = new ObjectMapper();

	private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private final String base;

	private final String authorization;

	/**
	 * A client of the instance at the given address and port.
	 * @param address its address
	 * @param port its HTTP port
	 */
	public ServiceHttp(String address, int port) {
		this("http://" + address + ":" + port, null);
	}

	private ServiceHttp(String base, String authorization) {
		this.base = base;
		this.authorization = authorization;
	}

	/**
	 * Return a client of the same instance that sends every request with the token its
	 * endpoint wants ({@code cse.endpoint.token-file}).
	 * @param token the token
	 * @return the client
	 */
	public ServiceHttp withToken(String token) {
		return new ServiceHttp(this.base, "Bearer " + token);
	}

	/**
	 * Return the instance's base URL.
	 * @return {@code http://address:port}
	 */
	public String base() {
		return this.base;
	}

	public HttpResponse<String> get(String path) {
		return send(request(path).GET());
	}

	/**
	 * Send a {@code GET} without waiting for its answer.
	 * @param path the path
	 * @return the answer, once there is one
	 */
	public CompletableFuture<HttpResponse<String>> getAsync(String path) {
		return CLIENT.sendAsync(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
	}

	public HttpResponse<String> post(String path) {
		return send(request(path).POST(HttpRequest.BodyPublishers.noBody()));
	}

	public HttpResponse<String> postJson(String path, String json) {
		return send(request(path).header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(json)));
	}

	/**
	 * Read a JSON answer.
	 * @param response an answer
	 * @return its body as a tree
	 */
	public static JsonNode json(HttpResponse<String> response) {
		try {
			return JSON.readTree(response.body());
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Not JSON (" + response.statusCode() + "): " + response.body(), ex);
		}
	}

	private HttpRequest.Builder request(String path) {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(this.base + path))
			.timeout(Duration.ofSeconds(60));
		return (this.authorization != null) ? request.header("Authorization", this.authorization) : request;
	}

	private static HttpResponse<String> send(HttpRequest.Builder request) {
		try {
			return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while waiting for an answer", ex);
		}
	}

}
