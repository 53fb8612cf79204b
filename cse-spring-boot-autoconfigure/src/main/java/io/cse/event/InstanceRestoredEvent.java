package io.cse.event;

import io.cse.CheckpointCoordinator;
import io.cse.InstanceIdentity;
import io.cse.CheckpointContext.Resumption;

import org.springframework.context.ApplicationEvent;

/**
 * Published in a process restored from an image, once every participant has resumed.
 * After a restore of a clone template the identity is the clone's new one.
 */
public class InstanceRestoredEvent extends ApplicationEvent {

	private final InstanceIdentity identity;

	private final Resumption resumption;

	private final String imageId;

	/**
	 * Create a new event.
	 * @param coordinator the coordinator that resumed the instance
	 * @param identity the identity of the restored instance
	 * @param resumption {@link Resumption#RESTORE} for the same instance,
	 * {@link Resumption#CLONE} for a new clone
	 * @param imageId the image the process was restored from
	 */
	public InstanceRestoredEvent(CheckpointCoordinator coordinator, InstanceIdentity identity, Resumption resumption,
			String imageId) {
		super(coordinator);
		this.identity = identity;
		this.resumption = resumption;
		this.imageId = imageId;
	}

	/**
	 * Return the identity of the restored instance.
	 * @return the identity
	 */
	public InstanceIdentity getIdentity() {
		return this.identity;
	}

	/**
	 * Return whether the process came back as the same instance or as a new clone.
	 * @return how the instance came back
	 */
	public Resumption getResumption() {
		return this.resumption;
	}

	/**
	 * Return the id of the image the process was restored from.
	 * @return the image id
	 */
	public String getImageId() {
		return this.imageId;
	}

}
