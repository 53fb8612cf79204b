package io.cse.node.instance;

import java.net.URI;
import java.util.Optional;

/**
 * Asks an instance over HTTP whether it serves: the second seam of the node agent, next
 * to {@link io.cse.node.linux.Host}, so that tests need no reachable instance.
 */
public interface HttpProbe {

	/**
	 * Send one {@code GET}.
	 * @param uri where to
	 * @param token the token the instance's endpoint wants, sent as
	 * {@code Authorization: Bearer TOKEN}, or {@code null} to send none (any other path
	 * than the endpoint's: the token is for the endpoint only)
	 * @return the answer, or empty if nothing answered (refused, timed out, reset)
	 */
	Optional<Answer> get(URI uri, String token);

	/**
	 * Send one {@code POST} with no body, as to an actuator operation
	 * ({@code /actuator/cse/freeze}).
	 * @param uri where to
	 * @param token the token the instance's endpoint wants, or {@code null} if it wants none
	 * @return the answer, or empty if nothing answered (refused, timed out, reset)
	 */
	Optional<Answer> post(URI uri, String token);

	/**
	 * An HTTP answer.
	 *
	 * @param status its status code
	 * @param body its body as text
	 */
	record Answer(int status, String body) {
	}

}
