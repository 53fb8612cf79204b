package io.cse.node;

import java.net.URI;
import java.util.Collections;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

import io.cse.node.instance.HttpProbe;

/**
 * An {@link HttpProbe} under which every instance serves at once, except on the hosts
 * told to stay silent; {@code /actuator/cse} reports an instance id made of the address.
 */
public final class FakeProbe implements HttpProbe {

	private final Set<String> silent = Collections.synchronizedSet(new HashSet<>());

	private volatile boolean withoutEndpoint;

	public FakeProbe silent(String host) {
		this.silent.add(host);
		return this;
	}

	private volatile long longestOperationMs;

	/**
	 * Have {@code /actuator/cse} say that an operation may take this long before it fails.
	 */
	public FakeProbe withLongestOperation(long millis) {
		this.longestOperationMs = millis;
		return this;
	}

	public FakeProbe withoutEndpoint() {
		this.withoutEndpoint = true;
		return this;
	}

	private final java.util.List<String> posts = java.util.Collections.synchronizedList(new java.util.ArrayList<>());

	private volatile java.util.function.Function<URI, Optional<Answer>> postAnswers = (uri) -> Optional
		.of(new Answer(200, "{}"));

	/**
	 * Answer every {@code POST} this way.
	 */
	public FakeProbe posts(java.util.function.Function<URI, Optional<Answer>> answers) {
		this.postAnswers = answers;
		return this;
	}

	private final java.util.List<String> tokens = java.util.Collections.synchronizedList(new java.util.ArrayList<>());

	/**
	 * The tokens sent with the {@code POST}s, in order ({@code "none"} where none was).
	 */
	public java.util.List<String> postedTokens() {
		synchronized (this.tokens) {
			return java.util.List.copyOf(this.tokens);
		}
	}

	private final java.util.List<String> postedUris = java.util.Collections
		.synchronizedList(new java.util.ArrayList<>());

	/**
	 * The URIs that were posted to, query included, in order.
	 */
	public java.util.List<String> postedUris() {
		synchronized (this.postedUris) {
			return java.util.List.copyOf(this.postedUris);
		}
	}

	private final java.util.List<java.time.Duration> timeouts = java.util.Collections
		.synchronizedList(new java.util.ArrayList<>());

	/**
	 * How long each {@code POST} was to wait for its answer, in order.
	 */
	public java.util.List<java.time.Duration> postTimeouts() {
		synchronized (this.timeouts) {
			return java.util.List.copyOf(this.timeouts);
		}
	}

	private final java.util.List<String> gets = java.util.Collections.synchronizedList(new java.util.ArrayList<>());

	/**
	 * The {@code GET}s, each as {@code host:port/path token} ({@code none} where no token was
	 * sent).
	 */
	public java.util.List<String> gets() {
		synchronized (this.gets) {
			return java.util.List.copyOf(this.gets);
		}
	}

	/**
	 * The paths that were posted to, in order.
	 */
	public java.util.List<String> posted() {
		synchronized (this.posts) {
			return java.util.List.copyOf(this.posts);
		}
	}

	private final Set<String> hanging = Collections.synchronizedSet(new HashSet<>());

	/**
	 * Have a {@code POST} to a path that ends so get no answer: it waits for its whole
	 * timeout, as a socket's read does when a service does not answer, then answers nothing.
	 */
	public FakeProbe hangs(String pathEnd) {
		this.hanging.add(pathEnd);
		return this;
	}

	private volatile java.util.function.Supplier<String> state = () -> "RUNNING";

	/**
	 * Have {@code /actuator/cse} say the instance is in this state, asked on every status.
	 */
	public FakeProbe inState(java.util.function.Supplier<String> state) {
		this.state = state;
		return this;
	}

	@Override
	public Optional<Answer> post(URI uri, String token, java.time.Duration timeout) {
		this.timeouts.add(timeout);
		this.postedUris.add(uri.toString());
		this.posts.add(uri.getPath());
		this.tokens.add((token != null) ? token : "none");
		if (this.hanging.stream().anyMatch(uri.getPath()::endsWith)) {
			try {
				Thread.sleep(timeout.toMillis());
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			return Optional.empty();
		}
		return this.postAnswers.apply(uri);
	}

	@Override
	public Optional<Answer> get(URI uri, String token) {
		this.gets.add(uri.getHost() + ":" + uri.getPort() + uri.getPath() + " " + ((token != null) ? token : "none"));
		if (this.silent.contains(uri.getHost())) {
			return Optional.empty();
		}
		// The CSE endpoint's status, under whatever base path the actuator has
		if (uri.getPath().endsWith("/cse")) {
			return this.withoutEndpoint ? Optional.of(new Answer(404, ""))
					: Optional.of(new Answer(200, "{\"state\":\"" + this.state.get() + "\",\"instance\":{\"instanceId\":\"id-"
							+ uri.getHost() + "\",\"generation\":1},\"longestOperationMs\":" + this.longestOperationMs
							+ "}"));
		}
		return Optional.of(new Answer(200, "ok"));
	}

}
