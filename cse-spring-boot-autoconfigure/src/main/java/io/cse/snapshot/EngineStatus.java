package io.cse.snapshot;

/**
 * Whether an engine can snapshot this process.
 *
 * @param engine the engine's name
 * @param available whether snapshots can be taken
 * @param version the version of the tool behind the engine, or {@code null}
 * @param reason why snapshots cannot be taken and what to do, or {@code null} when
 * available
 */
public record EngineStatus(String engine, boolean available, String version, String reason) {

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
