package io.cse;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.cse.CheckpointContext.Resumption;

/**
 * Tells every listener added to a coordinator, in the order they were added.
 */
final class CompositeCheckpointListener implements CheckpointListener {

	private final List<CheckpointListener> listeners = new CopyOnWriteArrayList<>();

	void add(CheckpointListener listener) {
		this.listeners.add(listener);
	}

	@Override
	public void stateChanged(InstanceState previous, InstanceState next) {
		for (CheckpointListener listener : this.listeners) {
			listener.stateChanged(previous, next);
		}
	}

	@Override
	public void operationStarted(OperationReport.Type type) {
		for (CheckpointListener listener : this.listeners) {
			listener.operationStarted(type);
		}
	}

	@Override
	public void operationCompleted(OperationReport report) {
		for (CheckpointListener listener : this.listeners) {
			listener.operationCompleted(report);
		}
	}

	@Override
	public void restored(InstanceIdentity identity, Resumption resumption, String imageId) {
		for (CheckpointListener listener : this.listeners) {
			listener.restored(identity, resumption, imageId);
		}
	}

}
