package io.cse.node.instance;

/**
 * A snapshot a service took of itself when the agent asked it.
 *
 * @param instance the instance's name
 * @param operation {@code clone} (a template: the service keeps running, every restore is
 * a new instance) or {@code dump} (the service stops once its image is complete)
 * @param image the image's id: its folder's name
 * @param folder the image's folder
 * @param complete whether the agent waited until the image was complete (its manifest
 * written); if not, the snapshot was only started
 * @param millis from the request to the service's answer, or to the complete image
 * @param then what the service said happens to it next
 * @param rehearsals how many times the template was frozen and thawed before (0 for none)
 * @param rehearsalMillis how long those rehearsals took, before {@code millis}
 */
public record Snapshot(String instance, String operation, String image, String folder, boolean complete,
		double millis, String then, int rehearsals, double rehearsalMillis) {

	Snapshot rehearsed(int cycles, double took) {
		return new Snapshot(this.instance, this.operation, this.image, this.folder, this.complete, this.millis,
				this.then, cycles, took);
	}

}
