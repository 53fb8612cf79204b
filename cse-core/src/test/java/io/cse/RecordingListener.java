package io.cse;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import io.cse.CheckpointContext.Resumption;

/**
 * Records what a coordinator tells its listeners.
 */
public final class RecordingListener implements CheckpointListener {

	private final List<InstanceState> states = Collections.synchronizedList(new ArrayList<>());

	private final List<OperationReport> reports = Collections.synchronizedList(new ArrayList<>());

	private final List<String> restores = Collections.synchronizedList(new ArrayList<>());

	@Override
	public void stateChanged(InstanceState previous, InstanceState next) {
		this.states.add(next);
	}

	@Override
	public void operationCompleted(OperationReport report) {
		this.reports.add(report);
	}

	@Override
	public void restored(InstanceIdentity identity, Resumption resumption, String imageId) {
		this.restores.add(resumption + " " + imageId + " " + identity.getInstanceId());
	}

	/**
	 * Return every state the instance entered, in order.
	 * @return the states
	 */
	public List<InstanceState> states() {
		return this.states;
	}

	/**
	 * Return every completed operation's report, in order.
	 * @return the reports
	 */
	public List<OperationReport> reports() {
		return this.reports;
	}

	/**
	 * Return one line per restore: how, from which image, and the instance id after it.
	 * @return the restores
	 */
	public List<String> restores() {
		return this.restores;
	}

}
