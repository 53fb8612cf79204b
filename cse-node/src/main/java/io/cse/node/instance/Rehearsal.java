package io.cse.node.instance;

import io.cse.node.CseException;

/**
 * Freezes and thaws a clone template as a pool freezes and thaws each of its clones, with
 * requests after every thaw, before the template's image is taken.
 * <p>
 * Why: every clone begins where its template stopped. A template that was never frozen
 * leaves each clone to compile its freeze, its thaw and the request path after a thaw on
 * its own first take; when seven are taken at once on two cores, those compilations are
 * what the burst waits for. A template that has been through the cycle a few times hands
 * its clones more of that code compiled (clones still compile some again: see
 * docs/design-notes.md). One cycle is not enough, nor are requests without cycles
 * (docs/design-notes.md has the figures).
 */
final class Rehearsal {

	/** Requests after each thaw: what a burst sends a clone in its first fraction of a second. */
	static final int REQUESTS = 50;

	private final CgroupServices services;

	private final HttpProbe probe;

	private final Registry registry;

	Rehearsal(CgroupServices services, HttpProbe probe, Registry registry) {
		this.services = services;
		this.probe = probe;
		this.registry = registry;
	}

	/**
	 * Freeze and thaw an instance {@code cycles} times, each thaw followed by
	 * {@link #REQUESTS} {@code GET}s of a path on its application port.
	 * @param name the instance, run in cgroups of its own
	 * @param cycles how many times
	 * @param path the path to ask for after each thaw
	 * @param deadline when every cycle must be done
	 * @return how long the cycles took, in milliseconds
	 */
	double rehearse(String name, int cycles, String path, Deadline deadline) {
		Instance template = this.registry.find(name)
			.orElseThrow(() -> CseException.notFound("no instance named " + name + " (see 'cse ps')"));
		if (!template.hasCgroup()) {
			// said here, not by the freeze: the user asked for a rehearsal, not a freeze
			throw CseException.refused("a rehearsal freezes and thaws " + name + " through the host, and it was "
					+ "started by 'cse " + template.kind() + "', not in cgroups of its own: rehearse a template "
					+ "started with 'cse run', or take this one's image without --rehearse; nothing was taken");
		}
		long start = System.nanoTime();
		for (int cycle = 1; cycle <= cycles; cycle++) {
			this.services.freeze(name, false, 0, deadline);
			this.services.thaw(name, deadline);
			Instance instance = this.registry.find(name)
				.orElseThrow(() -> CseException.notFound(name + " was stopped while it rehearsed: nothing was taken"));
			int answered = this.probe.getKeptAlive(instance.endpoint().uri(path), REQUESTS);
			if (answered == 0) {
				throw new CseException(name + " answered none of " + REQUESTS + " requests to " + path
						+ " after its thaw (rehearsal " + cycle + " of " + cycles + "): it runs, thawed, but no "
						+ "snapshot was taken; see its log " + instance.serviceLog());
			}
		}
		return (System.nanoTime() - start) / 1e6;
	}

}
