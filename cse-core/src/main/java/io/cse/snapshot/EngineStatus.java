package io.cse.snapshot;

import java.util.Objects;

/**
 * Whether an engine can snapshot this process.
 */
public final class EngineStatus {

	private final String engine;

	private final boolean available;

	private final String version;

	private final String reason;

	public EngineStatus(String engine, boolean available, String version, String reason) {
		this.engine = engine;
		this.available = available;
		this.version = version;
		this.reason = reason;
	}

	/**
	 * Return the engine's name.
	 * @return the engine
	 */
	public String engine() {
		return this.engine;
	}

	/**
	 * Return whether snapshots can be taken.
	 * @return the available
	 */
	public boolean available() {
		return this.available;
	}

	/**
	 * Return the version of the tool behind the engine, or {@code null}.
	 * @return the version
	 */
	public String version() {
		return this.version;
	}

	/**
	 * Return why snapshots cannot be taken and what to do, or {@code null} when available.
	 * @return the reason
	 */
	public String reason() {
		return this.reason;
	}

	@Override
	public boolean equals(Object other) {
		if (this == other) {
			return true;
		}
		if (!(other instanceof EngineStatus)) {
			return false;
		}
		EngineStatus that = (EngineStatus) other;
		return Objects.equals(this.engine, that.engine)
				&& this.available == that.available
				&& Objects.equals(this.version, that.version)
				&& Objects.equals(this.reason, that.reason);
	}

	@Override
	public int hashCode() {
		return Objects.hash(this.engine, this.available, this.version, this.reason);
	}

	@Override
	public String toString() {
		return "EngineStatus[engine=" + this.engine + ", available=" + this.available + ", version=" + this.version
				+ ", reason=" + this.reason + "]";
	}

	/**
	 * Create the status of an engine that can snapshot.
	 * @param engine the engine's name
	 * @param version the version of the tool behind it
	 * @return the status
	 */
	public static EngineStatus available(String engine, String version) {
		return new EngineStatus(engine, true, version, null);
	}

	/**
	 * Create the status of an engine that cannot snapshot.
	 * @param engine the engine's name
	 * @param reason why, and what to do
	 * @return the status
	 */
	public static EngineStatus unavailable(String engine, String reason) {
		return new EngineStatus(engine, false, null, reason);
	}

}
