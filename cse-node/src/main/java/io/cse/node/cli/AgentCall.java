package io.cse.node.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cse.node.CseException;
import io.cse.node.CseException.Reason;
import io.cse.node.agent.Agent;
import io.cse.node.agent.AgentClient;
import io.cse.node.agent.ApiRequest;
import io.cse.node.agent.ApiResponse;
import io.cse.node.image.Image;
import io.cse.node.instance.NodeContext;
import io.cse.node.linux.Bridge;

/**
 * How a command reaches the agent: over its socket when a resident agent listens there,
 * else through an agent made in this process for the length of the call, so that one-shot
 * use needs no daemon. Either way the command sends the same request and reads the same
 * JSON answer.
 */
final class AgentCall {

	private final NodeContext context;

	private final Agent.Settings settings;

	private boolean rollBackOnExit;

	private String lastAnswer;

	/**
	 * A call with the settings an agent made for it would have.
	 * @param context the host and HTTP seams, and the resident agent's socket
	 * @param stateDir the registry's folder
	 * @param imagesRoot where images given by id are
	 * @param criu the CRIU to restore with, or {@code null}
	 * @param bridge the bridge clones hang on
	 */
	AgentCall(NodeContext context, Path stateDir, Path imagesRoot, Path criu, String bridge) {
		this.context = context;
		this.settings = new Agent.Settings(stateDir, imagesRoot, criu, bridge);
	}

	AgentCall(NodeContext context, Path stateDir) {
		this(context, stateDir, Path.of(Image.DEFAULT_ROOT), null, Bridge.DEFAULT_NAME);
	}

	/**
	 * Undo the call's unfinished restores if this JVM ends (Ctrl-C) while an agent in this
	 * process makes them; a resident agent finishes or undoes them itself.
	 * @return this call
	 */
	AgentCall rollingBackOnExit() {
		this.rollBackOnExit = true;
		return this;
	}

	<T> T send(String method, String target, Object body, Class<T> answer) {
		return read(send(method, target, body), answer);
	}

	<T> T send(String method, String target, Object body, TypeReference<T> answer) {
		ApiResponse response = send(method, target, body);
		try {
			return Databind.JSON.readValue(response.body(), answer);
		}
		catch (IOException ex) {
			throw new CseException("The agent's answer to " + method + " " + target + " is unreadable: " + ex.getMessage(),
					ex);
		}
	}

	private ApiResponse send(String method, String target, Object body) {
		ApiResponse response = exchange(method, target, body);
		if (response.status() >= 400) {
			throw new CseException(reasonOf(response), errorOf(response));
		}
		this.lastAnswer = response.bodyText();
		return response;
	}

	/**
	 * Return the body of the last answer, as the agent sent it.
	 * @return the JSON text
	 */
	String lastAnswer() {
		return this.lastAnswer;
	}

	private ApiResponse exchange(String method, String target, Object body) {
		Path socket = this.context.agentSocket();
		if (socket != null && AgentClient.answers(socket)) {
			try {
				return new AgentClient(socket).call(method, target, json(body));
			}
			catch (IOException ex) {
				throw new CseException("The agent on " + socket + " did not answer " + method + " " + target + ": "
						+ ex.getMessage() + " (its log says why; 'systemctl status cse-agent' if systemd runs it)", ex);
			}
		}
		try (Agent agent = new Agent(this.context, this.settings)) {
			if (this.rollBackOnExit) {
				agent.rollBackOnExit();
			}
			return agent.handle(ApiRequest.of(method, target, body));
		}
	}

	/**
	 * The body as the resident agent gets it: a flat one written here, so that it needs
	 * no databind; any other as {@link AgentClient} writes it.
	 */
	private static Object json(Object body) {
		return FlatJson.writable(body) ? new String(FlatJson.write((Map<?, ?>) body), StandardCharsets.UTF_8) : body;
	}

	private static <T> T read(ApiResponse response, Class<T> answer) {
		try {
			return FlatJson.readable(answer) ? FlatJson.read(response.body(), answer)
					: Databind.JSON.readValue(response.body(), answer);
		}
		catch (IOException ex) {
			throw new CseException("The agent's answer is unreadable: " + ex.getMessage(), ex);
		}
	}

	/**
	 * Why the agent refused: the {@code reason} of its error body, which the exit code
	 * of the command says again.
	 */
	private static Reason reasonOf(ApiResponse response) {
		try {
			String reason = FlatJson.text(response.body(), "reason");
			if (reason != null) {
				return Reason.of(reason);
			}
		}
		catch (IOException ex) {
			// not JSON: the status says what it can
		}
		return (response.status() == 404) ? Reason.NOT_FOUND : (response.status() < 500) ? Reason.INVALID : Reason.FAILED;
	}

	private static String errorOf(ApiResponse response) {
		try {
			String error = FlatJson.text(response.body(), "error");
			if (error != null) {
				return error;
			}
		}
		catch (IOException ex) {
			// not JSON: show it as it came
		}
		return "the agent answered " + response.status() + ": " + response.bodyText();
	}

	/**
	 * A duration as the API takes it.
	 * @param duration the duration
	 * @return it in milliseconds, as {@code 1500ms}
	 */
	static String duration(Duration duration) {
		return duration.toMillis() + "ms";
	}

	/**
	 * Databind's mapper, made on first use only: a command whose answer is flat never
	 * pays for it.
	 */
	private static final class Databind {

		static final ObjectMapper JSON = new ObjectMapper()
			.configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

	}

}
