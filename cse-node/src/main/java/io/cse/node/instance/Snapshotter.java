package io.cse.node.instance;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cse.node.CseException;
import io.cse.node.image.Image;
import io.cse.node.linux.Cgroup;
import io.cse.node.linux.Host;

/**
 * Asks a service for a snapshot of itself, as only the service can take one: its
 * endpoint's {@code POST /actuator/cse/clone} (a template: it keeps running, every restore
 * is a new instance) or {@code /dump} (it stops once its image is complete), then, if
 * asked, waits until the image is complete.
 * <p>
 * The service answers {@code 202} before it snapshots, with the image's folder, which it
 * has made already. The manifest is the last file a snapshot writes, so an image is
 * complete when it has one; a snapshot that fails deletes its folder, and a dump whose
 * process ends without a manifest failed too.
 */
final class Snapshotter {

	private static final long POLL_MILLIS = 20;

	private final Host host;

	private final HttpProbe probe;

	private final Registry registry;

	private final Reaper reaper;

	private final ObjectMapper json = new ObjectMapper();

	Snapshotter(Host host, HttpProbe probe, Registry registry, Reaper reaper) {
		this.host = host;
		this.probe = probe;
		this.registry = registry;
		this.reaper = reaper;
	}

	/**
	 * @see Node#snapshot(String, boolean, String, boolean, Deadline)
	 */
	Snapshot snapshot(String name, boolean template, String imageName, boolean wait, Deadline deadline) {
		Instance instance = this.registry.find(name)
			.orElseThrow(() -> CseException.notFound("no instance named " + name + " (see 'cse ps')"));
		if (this.reaper.alive(instance.process()).isEmpty()) {
			throw new CseException(name + " is not running (see 'cse ps'): nothing to take a snapshot of");
		}
		if (instance.hasCgroup() && Cgroup.FROZEN.equals(CgroupServices.cgroupOf(this.host, instance).state())) {
			// A frozen process answers nothing: the request would wait until it timed out
			throw CseException.refused(name + " is frozen: thaw it first ('cse thaw " + name + "'), then take its snapshot");
		}
		String operation = template ? "clone" : "dump";
		String query = (imageName != null) ? "?image=" + imageName : "";
		long start = System.nanoTime();
		Optional<HttpProbe.Answer> answer = this.probe.post(instance.endpoint().endpointUri("/" + operation + query),
				this.registry.endpointToken(name), deadline.within(HttpProbe.OPERATION_TIMEOUT));
		if (answer.isEmpty() || answer.get().status() != 202) {
			throw new CseException(name + " did not start its snapshot: POST "
					+ instance.endpoint().endpointUri("/" + operation).getPath() + " answered "
					+ answer.map((a) -> a.status() + " " + a.body().strip()).orElse("nothing") + "; nothing was taken");
		}
		JsonNode accepted = read(answer.get().body());
		String imageId = accepted.path("imageId").asText();
		Path folder = Path.of(accepted.path("folder").asText());
		if (imageId.isEmpty() || !folder.isAbsolute()) {
			throw new CseException(name + " started a snapshot but did not say where (its answer: "
					+ answer.get().body().strip() + "): see its log " + instance.serviceLog());
		}
		if (wait) {
			awaitManifest(instance, template, imageId, folder, deadline);
		}
		return new Snapshot(name, operation, imageId, folder.toString(), wait, (System.nanoTime() - start) / 1e6,
				accepted.path("then").asText(null), 0, 0);
	}

	private void awaitManifest(Instance instance, boolean template, String imageId, Path folder, Deadline deadline) {
		Path manifest = folder.resolve(Image.MANIFEST);
		while (!this.host.exists(manifest)) {
			if (!this.host.exists(folder)) {
				throw new CseException("the snapshot of " + instance.name() + " failed: it deleted its unfinished image "
						+ imageId + " and " + (template ? "runs as before" : "goes on running")
						+ "; GET /actuator/cse says why (lastOperation), and its log " + instance.serviceLog());
			}
			if (!template && this.reaper.alive(instance.process()).isEmpty() && !this.host.exists(manifest)) {
				throw new CseException(instance.name() + " ended before its image " + imageId + " was complete: see "
						+ "its log " + instance.serviceLog() + "; delete the image with 'cse images rm " + imageId + "'");
			}
			if (deadline.expired()) {
				throw CseException.timedOut("image " + imageId + " of " + instance.name() + " was not complete within "
						+ deadline.describe() + ": the snapshot may still be under way (see 'cse images ls'); give it "
						+ "longer with --timeout");
			}
			Poll.pause(POLL_MILLIS);
		}
	}

	private JsonNode read(String body) {
		try {
			return this.json.readTree(body);
		}
		catch (IOException ex) {
			return this.json.createObjectNode();
		}
	}

}
