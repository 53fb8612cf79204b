package io.cse.node.agent;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

import io.cse.node.CseException;
import io.cse.node.image.Image;
import io.cse.node.instance.NodeContext;
import io.cse.node.linux.Bridge;
import io.cse.node.linux.Criu;
import io.cse.node.linux.Host;

/**
 * Where the agent finds what it restores: images under its images root, and CRIU.
 */
final class Images {

	private final NodeContext context;

	private final Agent.Settings settings;

	private volatile Checked checked;

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

	/**
	 * CRIU, checked and given its cache of the kernel's features once and again only when
	 * its file changes (an upgrade) or the cache is gone: two processes fewer, about 20 ms,
	 * in every restore after the first.
	 */
	Criu criu() {
		Host host = this.context.host();
		Path executable = Criu.find(host, this.settings.criu());
		Optional<Instant> modified = host.lastModified(executable);
		Checked last = this.checked;
		if (last != null && last.criu().executable().equals(executable) && modified.isPresent()
				&& modified.equals(last.modified()) && host.exists(Criu.KERNEL_CACHE)) {
			return last.criu();
		}
		Criu criu = Criu.at(host, executable);
		criu.cacheKernelFeatures(host);
		this.checked = new Checked(criu, modified);
		return criu;
	}

	/**
	 * A CRIU whose version was checked, and when its file had last changed then.
	 */
	private record Checked(Criu criu, Optional<Instant> modified) {
	}

}
