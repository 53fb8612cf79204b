package io.cse.snapshot;

import io.cse.SnapshotOutcome;

/**
 * The engine of a process that cannot be snapshotted: freeze and thaw still work, dump and
 * clone explain why they cannot.
 */
public final class NoSnapshotEngine implements SnapshotEngine {

	private final String reason;

	/**
	 * Create an engine that refuses every snapshot.
	 * @param reason why no engine can snapshot this process, and what to install
	 */
	public NoSnapshotEngine(String reason) {
		this.reason = reason;
	}

	@Override
	public String getName() {
		return "none";
	}

	@Override
	public EngineStatus getStatus() {
		return EngineStatus.unavailable("none", this.reason);
	}

	@Override
	public boolean canLeaveRunning() {
		return false;
	}

	@Override
	public SnapshotOutcome snapshot(SnapshotSpec spec) throws SnapshotException {
		throw new SnapshotException(this.reason);
	}

}
