package io.cse.endpoint;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.util.EnumSet;
import java.util.Set;

import io.cse.snapshot.ImageAttachment;

import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.lang.Nullable;
import org.springframework.util.Assert;

/**
 * The secret that every request to the CSE endpoint must carry, as
 * {@code Authorization: Bearer TOKEN}, once {@code cse.endpoint.token-file} names a file
 * that holds it. The node agent writes such a file for each service it starts and passes
 * its path in the {@code CSE_ENDPOINT_TOKENFILE} environment variable.
 * <p>
 * The file is read once, at start: a snapshot keeps the token in memory, so a restored
 * instance and its clones answer to the token of the instance they were taken from, and
 * each image carries it ({@link #imageAttachment()}) for the node agent that restores it.
 * The file must be private to its owner (no group or other permission) and not a symbolic
 * link, or the application does not start: a token that others can read protects nothing.
 */
public final class EndpointToken {

	static final int MIN_LENGTH = 16;

	private static final int UNAUTHORIZED = 401;

	private static final String BEARER = "Bearer ";

	private static final EndpointToken NONE = new EndpointToken(null);

	private static final Set<PosixFilePermission> GROUP_OR_OTHERS = EnumSet.of(PosixFilePermission.GROUP_READ,
			PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
			PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

	@Nullable
	private final byte[] expected;

	@Nullable
	private final String token;

	private EndpointToken(@Nullable String token) {
		this.token = token;
		this.expected = (token != null) ? (BEARER + token).getBytes(StandardCharsets.US_ASCII) : null;
	}

	/**
	 * Return the token of an endpoint that anyone who reaches it may call.
	 * @return no token
	 */
	public static EndpointToken none() {
		return NONE;
	}

	/**
	 * Read a token from its file.
	 * @param file the file, private to its owner
	 * @return the token
	 * @throws IllegalStateException if the file is missing, a link, readable by others, or
	 * does not hold a usable token; the message says what to do
	 */
	public static EndpointToken readFrom(Path file) {
		String token;
		try {
			PosixFileAttributeView posix = Files.getFileAttributeView(file, PosixFileAttributeView.class,
					LinkOption.NOFOLLOW_LINKS);
			if (posix != null) {
				PosixFileAttributes attributes = posix.readAttributes();
				if (!attributes.isRegularFile()) {
					throw invalid(file, "is not a regular file (a symbolic link or a folder)");
				}
				Set<PosixFilePermission> open = EnumSet.noneOf(PosixFilePermission.class);
				open.addAll(attributes.permissions());
				open.retainAll(GROUP_OR_OTHERS);
				if (!open.isEmpty()) {
					throw invalid(file, "can be read or written by its group or by others; run chmod 600 " + file);
				}
			}
			token = new String(Files.readAllBytes(file), StandardCharsets.UTF_8).trim();
		}
		catch (IOException ex) {
			throw invalid(file, "cannot be read (" + ex + ")");
		}
		if (token.length() < MIN_LENGTH) {
			throw invalid(file, "holds " + token.length() + " characters: write a token of at least " + MIN_LENGTH
					+ " random characters into it, for example: head -c 32 /dev/urandom | base64 > " + file);
		}
		for (int i = 0; i < token.length(); i++) {
			char c = token.charAt(i);
			if (c <= ' ' || c > '~') {
				throw invalid(file, "holds a character that an HTTP header cannot carry (at index " + i
						+ "): use letters, digits and punctuation only");
			}
		}
		return new EndpointToken(token);
	}

	private static IllegalStateException invalid(Path file, String problem) {
		return new IllegalStateException("The endpoint token file " + file + " (cse.endpoint.token-file) " + problem);
	}

	/**
	 * Return whether requests must carry a token.
	 * @return whether a token was read
	 */
	public boolean isRequired() {
		return this.expected != null;
	}

	/**
	 * Return the token as an image carries it, for whoever restores the image
	 * ({@link ImageAttachment#ENDPOINT_TOKEN}).
	 * @return the attachment
	 * @throws IllegalStateException if no token is required
	 */
	public ImageAttachment imageAttachment() {
		Assert.state(this.token != null, "No token is required: there is nothing to attach");
		return new ImageAttachment(ImageAttachment.ENDPOINT_TOKEN, (this.token + "\n").getBytes(StandardCharsets.US_ASCII));
	}

	/**
	 * Return whether a request may call the endpoint.
	 * @param authorization the request's {@code Authorization} header, {@code null} if it
	 * has none or it could not be read
	 * @return whether no token is required or the header carries the token
	 */
	public boolean permits(@Nullable String authorization) {
		if (this.expected == null) {
			return true;
		}
		if (authorization == null) {
			return false;
		}
		// In constant time, so that the time of a refusal does not tell how much was right
		return MessageDigest.isEqual(this.expected, authorization.trim().getBytes(StandardCharsets.UTF_8));
	}

	/**
	 * Return the answer to a request without the token: 401, and what to send. It tells
	 * nothing of the instance, not even its state.
	 * @return the answer
	 */
	static WebEndpointResponse<Object> refused() {
		return new WebEndpointResponse<>(new ErrorDescriptor("This endpoint requires 'Authorization: Bearer TOKEN', "
				+ "with the token from the file that cse.endpoint.token-file names", null),
				UNAUTHORIZED);
	}

}
