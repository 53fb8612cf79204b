package io.cse.node.instance;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import io.cse.node.CseException;
import io.cse.node.linux.NetworkNamespace;

/**
 * What the instances of one state folder may have made on the host: their cgroups, network
 * namespaces and veth pairs, one empty file each under {@code <state-dir>/claims}, made
 * whenever an entry naming them is saved, before they are created. A claim outlives the
 * entry; the next start of the agent drops it once the thing is gone.
 * <p>
 * Why not "whatever carries cse's names": several state folders (a second agent, the
 * tests, a one-shot command with its own {@code --state-dir}) share the host and its
 * naming scheme, and a start of one agent must never remove what another made.
 */
final class Claims {

	private final Path dir;

	Claims(Path stateDir) {
		this.dir = stateDir.resolve("claims");
	}

	/**
	 * Claim what an instance names, unless claimed already.
	 * @param instance the instance
	 */
	void claim(Instance instance) {
		List<Claim> claims = of(instance);
		if (claims.isEmpty()) {
			return;
		}
		try {
			Files.createDirectories(this.dir);
			for (Claim claim : claims) {
				Path file = this.dir.resolve(claim.fileName());
				if (!Files.exists(file)) {
					try {
						Files.createFile(file);
					}
					catch (FileAlreadyExistsException ex) {
						// claimed by a concurrent save of the same instance
					}
				}
			}
		}
		catch (IOException ex) {
			throw new CseException("cannot record in " + this.dir + " what " + instance.name() + " uses (" + ex
					+ "): run as root, or point --state-dir to a folder you may write", ex);
		}
	}

	/**
	 * Every claim of the state folder.
	 * @return the claims, by kind and name
	 */
	Set<Claim> list() {
		Set<Claim> claims = new LinkedHashSet<>();
		if (!Files.isDirectory(this.dir)) {
			return claims;
		}
		try (DirectoryStream<Path> files = Files.newDirectoryStream(this.dir)) {
			for (Path file : files) {
				Claim.parse(file.getFileName().toString()).ifPresent(claims::add);
			}
		}
		catch (IOException ex) {
			throw new CseException("cannot read " + this.dir + ": " + ex, ex);
		}
		return claims;
	}

	/**
	 * Drop a claim whose thing is gone.
	 * @param claim the claim
	 */
	void release(Claim claim) {
		try {
			Files.deleteIfExists(this.dir.resolve(claim.fileName()));
		}
		catch (IOException ex) {
			throw new CseException("cannot delete " + this.dir.resolve(claim.fileName()) + ": " + ex, ex);
		}
	}

	/**
	 * What an instance names on the host.
	 * @param instance the instance
	 * @return its claims
	 */
	static List<Claim> of(Instance instance) {
		List<Claim> claims = new ArrayList<>();
		if (instance.hasCgroup()) {
			claims.add(new Claim(Claim.Kind.CGROUP, instance.name()));
		}
		if (instance.namespaced()) {
			// From the name, and a host interface only of the form the agent gives one: an
			// entry changed by hand must not make the agent delete another namespace or
			// interface of the host as an orphan
			claims.add(new Claim(Claim.Kind.NETNS, NetworkNamespace.nameFor(instance.name())));
			String hostInterface = Stopper.hostInterfaceOf(instance);
			if (hostInterface != null) {
				claims.add(new Claim(Claim.Kind.VETH, hostInterface));
			}
		}
		return claims;
	}

	/**
	 * One thing an instance may have made.
	 *
	 * @param kind what it is
	 * @param name the cgroup's name under the {@code cse} parent, the namespace's name, or
	 * the host end of the veth pair
	 */
	record Claim(Kind kind, String name) {

		String fileName() {
			return this.kind.name().toLowerCase(Locale.ROOT) + "-" + this.name;
		}

		static Optional<Claim> parse(String fileName) {
			for (Kind kind : Kind.values()) {
				String prefix = kind.name().toLowerCase(Locale.ROOT) + "-";
				if (fileName.startsWith(prefix) && fileName.length() > prefix.length()) {
					return Optional.of(new Claim(kind, fileName.substring(prefix.length())));
				}
			}
			return Optional.empty();
		}

		enum Kind {

			CGROUP, NETNS, VETH

		}

	}

}
