package io.cse.node.instance;

import java.net.URI;
import java.time.Duration;
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
	 * Send {@code GET}s one after the other, over connections kept alive between them as a
	 * client under load would, to run a service's request path after a thaw.
	 * @param uri where to
	 * @param requests how many
	 * @return how many were answered, whatever their status
	 */
	default int getKeptAlive(URI uri, int requests) {
		int answered = 0;
		for (int i = 0; i < requests; i++) {
			answered += get(uri, null).isPresent() ? 1 : 0;
		}
		return answered;
	}

	/**
	 * How long an operation's answer is awaited unless the instance says it may take
	 * longer: a freeze drains requests and collects garbage first.
	 */
	Duration OPERATION_TIMEOUT = Duration.ofSeconds(60);

	/**
	 * Send one {@code POST} with no body, as to an actuator operation
	 * ({@code /actuator/cse/freeze}), and wait {@link #OPERATION_TIMEOUT} at most.
	 * @param uri where to
	 * @param token the token the instance's endpoint wants, or {@code null} if it wants none
	 * @return the answer, or empty if nothing answered (refused, timed out, reset)
	 */
	default Optional<Answer> post(URI uri, String token) {
		return post(uri, token, OPERATION_TIMEOUT);
	}

	/**
	 * Send one {@code POST} with no body, as to an actuator operation.
	 * @param uri where to
	 * @param token the token the instance's endpoint wants, or {@code null} if it wants none
	 * @param timeout how long to wait for the answer
	 * @return the answer, or empty if nothing answered (refused, timed out, reset)
	 */
	Optional<Answer> post(URI uri, String token, Duration timeout);

	/**
	 * An HTTP answer.
	 *
	 * @param status its status code
	 * @param body its body as text
	 */
	record Answer(int status, String body) {
	}

}
