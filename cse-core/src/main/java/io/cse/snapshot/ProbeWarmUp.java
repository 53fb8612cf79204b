package io.cse.snapshot;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.logging.Logger;

/**
 * Serves, once and before an image is taken, the requests that every restore and clone of
 * it gets first: the node agent waits for 200 on the application's health path, then reads
 * the CSE endpoint's status. A path that a JVM has never served loads and links its
 * classes on its first request, about 20 ms for each of these two on a Spring Boot 2.7
 * service on Java 8 (measured after restores of an image taken without this), and every
 * restore of the image would pay it again. Served before the snapshot, the image carries
 * them ready.
 * <p>
 * Best effort, over loopback and plain HTTP: an application that listens elsewhere, or
 * only over TLS, is snapshotted as before. Each request asks the server to close its
 * connection after the answer, so the image holds none of them.
 */
final class ProbeWarmUp {

	private static final Logger logger = Logger.getLogger(ProbeWarmUp.class.getName());

	private static final int TIMEOUT_MILLIS = 2000;

	private ProbeWarmUp() {
	}

	/**
	 * Ask the application's health path, then its CSE endpoint, once each.
	 * @param application where they are
	 * @param attachments what the image will carry: the endpoint's token among them, if
	 * the endpoint wants one
	 */
	static void serveFirstProbes(ImageManifest.Application application, Collection<ImageAttachment> attachments) {
		if (application == null || application.port() < 1) {
			return;
		}
		String healthPath = (application.healthPath() != null) ? application.healthPath() : "/";
		request(application.healthPort(), healthPath, null);
		request(application.endpointPort(), application.endpointPath(), endpointToken(attachments));
	}

	private static String endpointToken(Collection<ImageAttachment> attachments) {
		for (ImageAttachment attachment : attachments) {
			if (ImageAttachment.ENDPOINT_TOKEN.equals(attachment.fileName())) {
				return new String(attachment.content(), StandardCharsets.US_ASCII).trim();
			}
		}
		return null;
	}

	private static void request(int port, String path, String token) {
		if (port < 1 || path == null) {
			return;
		}
		HttpURLConnection connection = null;
		try {
			connection = (HttpURLConnection) new URL("http", "127.0.0.1", port, path).openConnection(Proxy.NO_PROXY);
			connection.setConnectTimeout(TIMEOUT_MILLIS);
			connection.setReadTimeout(TIMEOUT_MILLIS);
			connection.setUseCaches(false);
			connection.setRequestProperty("User-Agent", "cse-warm-up");
			// Else the JDK keeps the connection for the next request to the same server, and
			// disconnect() does not close it: it would go into the image, and the traffic
			// gate would close the server's end under it.
			connection.setRequestProperty("Connection", "close");
			if (token != null) {
				connection.setRequestProperty("Authorization", "Bearer " + token);
			}
			int status = connection.getResponseCode();
			drain((status < 400) ? connection.getInputStream() : connection.getErrorStream());
		}
		catch (IOException | RuntimeException ex) {
			logger.fine("Could not warm " + path + " on port " + port + " before the snapshot: " + ex);
		}
		finally {
			if (connection != null) {
				connection.disconnect();
			}
		}
	}

	private static void drain(InputStream body) throws IOException {
		if (body == null) {
			return;
		}
		try (InputStream in = body) {
			byte[] buffer = new byte[8192];
			while (in.read(buffer) != -1) {
				// the answer does not matter, only that it was served
			}
		}
	}

}
