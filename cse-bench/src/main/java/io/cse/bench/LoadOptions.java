package io.cse.bench;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

import io.cse.node.cli.DurationConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The load of a burst, as both bursts ({@code burst}, {@code burst-pools}) take it: an idle
 * step, then a high one, sent by so many clients with so long a request timeout.
 */
final class LoadOptions {

	@Option(names = "--clients", description = "Requests under way at most (default: ${DEFAULT-VALUE}).",
			defaultValue = "16")
	int clients;

	@Option(names = "--idle-rate", paramLabel = "PER_SECOND",
			description = "Requests per second before the burst (default: ${DEFAULT-VALUE}).", defaultValue = "5")
	double idleRate;

	@Option(names = "--idle", paramLabel = "TIME", converter = DurationConverter.class,
			description = "How long the idle step lasts (default: ${DEFAULT-VALUE}).", defaultValue = "5s")
	Duration idle;

	@Option(names = "--high-rate", paramLabel = "PER_SECOND",
			description = "Requests per second in the burst (default: ${DEFAULT-VALUE}).", defaultValue = "200")
	double highRate;

	@Option(names = "--high", paramLabel = "TIME", converter = DurationConverter.class,
			description = "How long the burst lasts (default: ${DEFAULT-VALUE}).", defaultValue = "15s")
	Duration high;

	@Option(names = "--request-timeout", paramLabel = "TIME", converter = DurationConverter.class,
			description = "A request without an answer after this long counts as failed (default: ${DEFAULT-VALUE}).",
			defaultValue = "10s")
	Duration requestTimeout;

	/**
	 * Refuse a load that would not step up.
	 * @param spec the command whose options these are, for the message
	 */
	void validate(CommandSpec spec) {
		if (this.clients < 1) {
			throw new ParameterException(spec.commandLine(), "--clients must be at least 1, not " + this.clients);
		}
		if (this.idleRate <= 0 || this.highRate <= this.idleRate) {
			throw new ParameterException(spec.commandLine(), "a burst needs 0 < --idle-rate < --high-rate, not "
					+ this.idleRate + " and " + this.highRate);
		}
	}

	LoadGenerator generator() {
		return new LoadGenerator(this.clients, this.requestTimeout, "/");
	}

	List<LoadGenerator.Step> steps() {
		return List.of(new LoadGenerator.Step("idle", this.idleRate, this.idle),
				new LoadGenerator.Step("high", this.highRate, this.high));
	}

	/** How long the whole load may take to end, with room for its last answers. */
	Duration endTimeout() {
		return this.idle.plus(this.high).plusMinutes(2);
	}

	/** The load, in a sentence of the report. */
	String describe() {
		return String.format(Locale.ROOT, "A load generator in the agent's JVM sends `GET /` on the loopback and "
				+ "the bridge: %.0f requests per second for %d s (idle), then %.0f per second for %d s (the burst), "
				+ "each request issued on schedule whatever the answers (open loop), sent by at most %d client "
				+ "threads over HTTP/1.1 keep-alive connections, with no retry; a request counts as failed when it "
				+ "is answered with anything but 200, fails to connect or send, or has no answer after %d s. ",
				this.idleRate, this.idle.toSeconds(), this.highRate, this.high.toSeconds(), this.clients,
				this.requestTimeout.toSeconds());
	}

}
