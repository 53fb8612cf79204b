package io.cse.node.instance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import io.cse.node.CseException;
import io.cse.node.linux.Host;
import io.cse.node.linux.Zram;

/**
 * The compressed swap a squeeze pushes a frozen service's memory to: turned on by the
 * first squeeze if the host has no swap, and off again once no service {@code cse run}
 * started is left. A marker file in the state folder remembers that the agent turned it
 * on, so that swap the host had before is never turned off.
 */
final class ZramSwap {

	/**
	 * The file in the state folder that says the agent turned zram swap on.
	 */
	static final String MARKER = "swap-set-up-by-cse";

	private final Registry registry;

	private final Zram zram;

	ZramSwap(Host host, Registry registry) {
		this.registry = registry;
		this.zram = new Zram(host);
	}

	/**
	 * Turn zram swap on unless some swap is on already.
	 * @return whether this call turned it on
	 */
	boolean ensureOn() {
		return this.registry.locked(() -> {
			boolean made = this.zram.ensureSwap();
			if (made) {
				markSetUp();
			}
			return made;
		});
	}

	/**
	 * What zram holds now.
	 * @return its usage, or empty if the host has no zram device
	 */
	Optional<Zram.Usage> usage() {
		return this.zram.usage();
	}

	/**
	 * Turn the zram swap the agent set up off, if it did and no service it runs is left.
	 * @param stopped the instances being removed
	 */
	void releaseIfUnused(List<String> stopped) {
		this.registry.locked(() -> {
			Path marker = this.registry.stateDir().resolve(MARKER);
			if (!Files.exists(marker)) {
				return null;
			}
			boolean needed = this.registry.list()
				.stream()
				.anyMatch((other) -> other.hasCgroup() && !stopped.contains(other.name()));
			if (!needed) {
				this.zram.tearDown();
				try {
					Files.deleteIfExists(marker);
				}
				catch (IOException ex) {
					throw new CseException("turned zram swap off, but cannot delete " + marker + ": " + ex, ex);
				}
			}
			return null;
		});
	}

	private void markSetUp() {
		try {
			Files.createDirectories(this.registry.stateDir());
			Files.writeString(this.registry.stateDir().resolve(MARKER), this.zram.device() + "\n");
		}
		catch (IOException ex) {
			throw new CseException("cannot record in " + this.registry.stateDir() + " that zram swap was set up: " + ex,
					ex);
		}
	}

}
