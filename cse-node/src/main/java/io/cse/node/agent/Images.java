package io.cse.node.agent;

import io.cse.node.CseException;
import io.cse.node.image.Image;
import io.cse.node.instance.NodeContext;
import io.cse.node.linux.Bridge;
import io.cse.node.linux.Criu;

/**
 * Where the agent finds what it restores: images under its images root, and CRIU.
 */
final class Images {

	private final NodeContext context;

	private final Agent.Settings settings;

	Images(NodeContext context, Agent.Settings settings) {
		this.context = context;
		this.settings = settings;
	}

	/**
	 * The image a request names: one that is missing, incomplete or not safe to restore is
	 * the caller's to fix, so a 400 rather than the agent's failure.
	 */
	Image find(String image) {
		try {
			return Image.find(image, this.settings.imagesRoot());
		}
		catch (CseException ex) {
			throw ApiException.badRequest(ex);
		}
	}

	/**
	 * A bridge's name as a request gives it: a bad one is the caller's to fix.
	 */
	String validBridge(String name) {
		try {
			return new Bridge(this.context.host(), name).name();
		}
		catch (CseException ex) {
			throw ApiException.badRequest(ex);
		}
	}

	Criu criu() {
		Criu criu = Criu.locate(this.context.host(), this.settings.criu());
		criu.cacheKernelFeatures(this.context.host());
		return criu;
	}

}
