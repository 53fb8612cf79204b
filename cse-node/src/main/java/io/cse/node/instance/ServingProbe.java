package io.cse.node.instance;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cse.node.CseException;

/**
 * Asks an instance over HTTP until it serves, and reads what its {@code /actuator/cse}
 * tells: the one wait-until-serving loop of restores, clones and {@code cse run}.
 */
final class ServingProbe {

	/**
	 * The endpoint an instance tells its identity and state on.
	 */
	static final String STATUS_PATH = "/actuator/cse";

	// Beyond the instance's own longest operation: its heap trim, the answer on its way back
	private static final Duration OPERATION_MARGIN = Duration.ofSeconds(10);

	private final HttpProbe probe;

	private final Reaper reaper;

	private final Registry registry;

	private final ObjectMapper json = new ObjectMapper();

	private final long pollMillis;

	/**
	 * A probe that asks every {@code pollMillis}: a thaw is timed to the millisecond, a
	 * dozen restores at once had better not wake up that often.
	 */
	ServingProbe(HttpProbe probe, Reaper reaper, Registry registry, long pollMillis) {
		this.probe = probe;
		this.reaper = reaper;
		this.registry = registry;
		this.pollMillis = pollMillis;
	}

	/**
	 * Wait until an instance answers 200, then register it as running with the instance id
	 * it tells.
	 * @param instance the instance, with its main process known
	 * @param healthCheck whether to poll its health path until it answers 200, or its CSE
	 * endpoint (a service that {@code cse run} starts)
	 * @param deadline when it must answer
	 * @param startNanos {@link System#nanoTime()} when its process started (or its restore)
	 * @param cancelled whether to give up
	 * @param advice what to tell when it fails
	 * @return the serving instance
	 * @throws CseException if its process ends or the deadline passes first
	 * @throws Cancelled if it was given up
	 */
	Started awaitServing(Instance instance, boolean healthCheck, Deadline deadline, long startNanos,
			BooleanSupplier cancelled, Advice advice) {
		return awaitServing(instance, healthCheck, null, deadline, startNanos, cancelled, advice);
	}

	/**
	 * Wait until an instance answers 200, then register it as running with its instance id.
	 * @param instance the instance, with its main process known
	 * @param healthCheck whether to poll its health path until it answers 200, or its CSE
	 * endpoint (a service that {@code cse run} starts)
	 * @param knownInstanceId the instance's id where it is known already, or {@code null}
	 * to ask the instance: one request less on the way to the caller's answer (the first
	 * request on a path of a restored instance takes 8 to 12 ms)
	 * @param deadline when it must answer
	 * @param startNanos {@link System#nanoTime()} when its process started (or its restore)
	 * @param cancelled whether to give up
	 * @param advice what to tell when it fails
	 * @return the serving instance
	 * @throws CseException if its process ends or the deadline passes first
	 * @throws Cancelled if it was given up
	 */
	Started awaitServing(Instance instance, boolean healthCheck, String knownInstanceId, Deadline deadline,
			long startNanos, BooleanSupplier cancelled, Advice advice) {
		URI status = instance.endpoint().endpointUri("");
		URI uri = healthCheck ? instance.endpoint().healthUri() : status;
		String token = this.registry.endpointToken(instance.name());
		Optional<HttpProbe.Answer> last = Optional.empty();
		while (true) {
			if (cancelled.getAsBoolean()) {
				throw new Cancelled();
			}
			// The token goes to the endpoint only, never to the health path
			Optional<HttpProbe.Answer> answer = this.probe.get(uri, uri.equals(status) ? token : null);
			if (answer.isPresent() && answer.get().status() == 200) {
				double first200 = deadline.elapsedMillis();
				double started = (System.nanoTime() - startNanos) / 1e6;
				Instance running = instance.running((knownInstanceId != null) ? knownInstanceId
						// The health path may be another than the one that tells the identity.
						: (uri.equals(status) ? answer : this.probe.get(status, token)).map(this::instanceIdOf)
							.orElse(Instance.UNKNOWN_ID));
				this.registry.save(running);
				return new Started(running, first200, started);
			}
			last = answer.isPresent() ? answer : last;
			if (this.reaper.alive(instance.process()).isEmpty()) {
				throw new CseException(instance.name() + " ended before it answered 200 on " + uri + ": "
						+ advice.whyEnded().get());
			}
			if (deadline.expired()) {
				throw CseException.timedOut(instance.name() + " did not answer 200 on " + uri + " within "
						+ deadline.describe()
						+ last.map((seen) -> " (last answer: " + seen.status() + ")").orElse(" (no answer)") + ": "
						+ advice.whatToDo());
			}
			Poll.pause(this.pollMillis);
		}
	}

	/**
	 * Wait until an instance's {@code /actuator/cse} says it is in a state.
	 * @param instance the instance
	 * @param state the state, as the service names it ({@code RUNNING})
	 * @param timeout how long at most
	 * @throws CseException if it does not get there in time
	 */
	void awaitState(Instance instance, String state, Duration timeout) {
		long start = System.nanoTime();
		String token = this.registry.endpointToken(instance.name());
		while (true) {
			Optional<HttpProbe.Answer> answer = this.probe.get(instance.endpoint().endpointUri(""), token);
			if (answer.isPresent() && answer.get().status() == 200 && state.equals(stateOf(answer.get()))) {
				return;
			}
			if ((System.nanoTime() - start) > timeout.toNanos()) {
				throw CseException.timedOut(instance.name() + " did not reach state " + state + " within "
						+ timeout.toSeconds() + " s after its thaw: see its log " + instance.serviceLog());
			}
			Poll.pause(this.pollMillis);
		}
	}

	/**
	 * How long to wait for the answer to an operation on an instance: as long as its
	 * {@code /actuator/cse} says an operation may take before it fails
	 * ({@code longestOperationMs}, every participant at its timeout), with a margin, and
	 * {@link HttpProbe#OPERATION_TIMEOUT} at least.
	 * @param instance the instance
	 * @param token the token its endpoint wants, or {@code null}
	 * @return the time
	 */
	Duration operationTimeout(Instance instance, String token) {
		long longest = this.probe.get(instance.endpoint().endpointUri(""), token)
			.filter((answer) -> answer.status() == 200)
			.map((answer) -> {
				try {
					return this.json.readTree(answer.body()).path("longestOperationMs").asLong(0);
				}
				catch (IOException ex) {
					return 0L;
				}
			})
			.orElse(0L);
		Duration wanted = Duration.ofMillis(longest).plus(OPERATION_MARGIN);
		return (wanted.compareTo(HttpProbe.OPERATION_TIMEOUT) > 0) ? wanted : HttpProbe.OPERATION_TIMEOUT;
	}

	private String instanceIdOf(HttpProbe.Answer answer) {
		if (answer.status() != 200) {
			return Instance.UNKNOWN_ID;
		}
		try {
			JsonNode id = this.json.readTree(answer.body()).path("instance").path("instanceId");
			return (id.isValueNode() && !id.asText().isBlank()) ? id.asText() : Instance.UNKNOWN_ID;
		}
		catch (IOException ex) {
			return Instance.UNKNOWN_ID;
		}
	}

	/**
	 * The state an instance's {@code /actuator/cse} says it is in.
	 * @param instance the instance
	 * @param token the token its endpoint wants, or {@code null}
	 * @return the state ({@code RUNNING}, {@code QUIESCING}, {@code FROZEN}...), or empty
	 * if it did not answer 200
	 */
	Optional<String> state(Instance instance, String token) {
		return this.probe.get(instance.endpoint().endpointUri(""), token)
			.filter((answer) -> answer.status() == 200)
			.map(this::stateOf);
	}

	private String stateOf(HttpProbe.Answer answer) {
		try {
			return this.json.readTree(answer.body()).path("state").asText();
		}
		catch (IOException ex) {
			return "";
		}
	}

	/**
	 * What an error message says when an instance does not come to serve.
	 *
	 * @param whyEnded why its process ended, worked out when it did
	 * @param whatToDo what to do when it took too long
	 */
	record Advice(Supplier<String> whyEnded, String whatToDo) {
	}

}
