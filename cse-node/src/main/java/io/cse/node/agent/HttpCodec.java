package io.cse.node.agent;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The few parts of HTTP/1.1 the agent's API needs, on both sides: one request per
 * connection, bodies sized by {@code Content-Length}. A small codec rather than a web
 * server because the JDK's own server cannot listen on a Unix socket, and the agent should
 * start in milliseconds with no dependency.
 */
final class HttpCodec {

	static final int MAX_HEAD_BYTES = 16 * 1024;

	static final int MAX_BODY_BYTES = 1024 * 1024;

	private HttpCodec() {
	}

	/**
	 * Read one request.
	 * @param in the connection
	 * @return the request
	 * @throws ApiException (400, 411, 413) for a request the agent cannot read
	 * @throws IOException when the connection fails or closes before a whole request
	 */
	static ApiRequest readRequest(InputStream in) throws IOException {
		String[] lines = readHead(in).split("\r\n");
		String[] requestLine = lines[0].split(" ");
		if (requestLine.length != 3 || !requestLine[2].startsWith("HTTP/1.")) {
			throw ApiException.badRequest("Not an HTTP/1.1 request line: '" + lines[0] + "'");
		}
		Map<String, String> headers = headers(lines);
		if (headers.containsKey("transfer-encoding")) {
			throw new ApiException(411, "Send the body with a Content-Length, not chunked");
		}
		byte[] body = readBody(in, headers);
		String target = requestLine[1];
		int question = target.indexOf('?');
		String path = (question < 0) ? target : target.substring(0, question);
		Map<String, String> query = (question < 0) ? Map.of() : query(target.substring(question + 1));
		return new ApiRequest(requestLine[0].toUpperCase(Locale.ROOT), decode(path), query, headers, body);
	}

	static void writeResponse(OutputStream out, ApiResponse response) throws IOException {
		String head = "HTTP/1.1 " + response.status() + " " + reason(response.status()) + "\r\n" + "Content-Type: "
				+ response.contentType() + "\r\n" + "Content-Length: " + response.body().length + "\r\n"
				+ "Connection: close\r\n\r\n";
		out.write(head.getBytes(StandardCharsets.US_ASCII));
		out.write(response.body());
		out.flush();
	}

	static void writeRequest(OutputStream out, String method, String target, Map<String, String> headers,
			byte[] body) throws IOException {
		StringBuilder head = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n");
		head.append("Host: localhost\r\n");
		headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
		head.append("Content-Length: ").append(body.length).append("\r\n");
		head.append("Connection: close\r\n\r\n");
		out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
		out.write(body);
		out.flush();
	}

	static ApiResponse readResponse(InputStream in) throws IOException {
		String[] lines = readHead(in).split("\r\n");
		String[] statusLine = lines[0].split(" ", 3);
		if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/1.")) {
			throw new IOException("Not an HTTP/1.1 answer: '" + lines[0] + "'");
		}
		Map<String, String> headers = headers(lines);
		byte[] body = headers.containsKey("content-length") ? readBody(in, headers) : in.readAllBytes();
		return new ApiResponse(Integer.parseInt(statusLine[1]),
				headers.getOrDefault("content-type", "application/octet-stream"), body);
	}

	private static String readHead(InputStream in) throws IOException {
		ByteArrayOutputStream head = new ByteArrayOutputStream(256);
		int matched = 0;
		while (matched < 4) {
			int next = in.read();
			if (next < 0) {
				throw new EOFException("The connection closed before the end of the HTTP head");
			}
			head.write(next);
			if (head.size() > MAX_HEAD_BYTES) {
				throw new ApiException(431, "The request's head is longer than " + MAX_HEAD_BYTES + " bytes");
			}
			matched = (next == ((matched % 2 == 0) ? '\r' : '\n')) ? matched + 1 : ((next == '\r') ? 1 : 0);
		}
		return head.toString(StandardCharsets.ISO_8859_1);
	}

	private static Map<String, String> headers(String[] lines) {
		Map<String, String> headers = new LinkedHashMap<>();
		for (int i = 1; i < lines.length; i++) {
			int colon = lines[i].indexOf(':');
			if (colon <= 0) {
				throw ApiException.badRequest("Not an HTTP header: '" + lines[i] + "'");
			}
			headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
					lines[i].substring(colon + 1).trim());
		}
		return headers;
	}

	private static byte[] readBody(InputStream in, Map<String, String> headers) throws IOException {
		String declared = headers.get("content-length");
		if (declared == null) {
			return new byte[0];
		}
		long length;
		try {
			length = Long.parseLong(declared);
		}
		catch (NumberFormatException ex) {
			throw ApiException.badRequest("Content-Length '" + declared + "' is not a number");
		}
		if (length < 0 || length > MAX_BODY_BYTES) {
			throw new ApiException(413, "A body of " + declared + " bytes: the agent takes at most " + MAX_BODY_BYTES);
		}
		byte[] body = in.readNBytes((int) length);
		if (body.length != length) {
			throw new EOFException("The connection closed after " + body.length + " of " + length + " body bytes");
		}
		return body;
	}

	static Map<String, String> query(String query) {
		Map<String, String> parameters = new LinkedHashMap<>();
		for (String pair : query.split("&")) {
			if (!pair.isEmpty()) {
				int equals = pair.indexOf('=');
				String name = decode((equals < 0) ? pair : pair.substring(0, equals));
				parameters.put(name, (equals < 0) ? "" : decode(pair.substring(equals + 1)));
			}
		}
		return parameters;
	}

	static String decode(String text) {
		try {
			return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
		}
		catch (IllegalArgumentException ex) {
			throw ApiException.badRequest("Bad percent-encoding in '" + text + "'");
		}
	}

	private static String reason(int status) {
		return switch (status) {
			case 200 -> "OK";
			case 201 -> "Created";
			case 202 -> "Accepted";
			case 204 -> "No Content";
			case 400 -> "Bad Request";
			case 401 -> "Unauthorized";
			case 404 -> "Not Found";
			case 405 -> "Method Not Allowed";
			case 409 -> "Conflict";
			case 411 -> "Length Required";
			case 413 -> "Content Too Large";
			case 431 -> "Request Header Fields Too Large";
			case 503 -> "Service Unavailable";
			case 504 -> "Gateway Timeout";
			default -> (status < 500) ? "Client Error" : "Server Error";
		};
	}

}
