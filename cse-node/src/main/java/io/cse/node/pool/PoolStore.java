package io.cse.node.pool;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.cse.node.AtomicFile;
import io.cse.node.CseException;

/**
 * The pools' files, {@code <state-dir>/pools/<name>.json}, and what they hold, kept in
 * memory: the agent is their only writer, so reading a pool costs no file.
 * <p>
 * A change is recorded in memory at once and written by whoever waits for it first: the
 * file then gets the newest state, so that changes made meanwhile (the claims of takes sent
 * at once) are written together, one file write for all, rather than one after the other.
 * A caller that waits for its change returns once the file holds it or a newer one.
 */
final class PoolStore {

	private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

	private final Path dir;

	/** What each pool's file holds once written; {@code null} for a pool being deleted. */
	private final Map<String, PoolState> pools = new HashMap<>();

	private final Map<String, Long> changed = new HashMap<>();

	private final Map<String, Long> written = new HashMap<>();

	/** Held while a file is written: one writer at a time, and always the newest state. */
	private final Object writing = new Object();

	PoolStore(Path stateDir) {
		this.dir = stateDir.resolve("pools");
	}

	List<PoolState> list() {
		List<PoolState> pools = new ArrayList<>();
		if (!Files.isDirectory(this.dir)) {
			return pools;
		}
		try (DirectoryStream<Path> files = Files.newDirectoryStream(this.dir, "*.json")) {
			for (Path file : files) {
				String name = file.getFileName().toString();
				find(name.substring(0, name.length() - ".json".length())).ifPresent(pools::add);
			}
		}
		catch (IOException ex) {
			throw unusable(ex);
		}
		pools.sort(Comparator.comparing(PoolState::name));
		return pools;
	}

	synchronized Optional<PoolState> find(String name) {
		if (this.pools.containsKey(name)) {
			return Optional.ofNullable(this.pools.get(name));
		}
		Path file = this.dir.resolve(name + ".json");
		if (!Files.exists(file)) {
			return Optional.empty();
		}
		PoolState pool = read(file);
		this.pools.put(name, pool);
		return Optional.of(pool);
	}

	/**
	 * Record a pool's new state and write it to its file before returning.
	 * @param pool the new state
	 */
	void save(PoolState pool) {
		awaitWritten(pool.name(), change(pool.name(), pool));
	}

	void delete(String name) {
		awaitWritten(name, change(name, null));
	}

	/**
	 * Record a pool's new state; {@link #awaitWritten} writes it.
	 * @param name the pool's name
	 * @param pool the new state, or {@code null} to delete the pool
	 * @return the change's number, for {@link #awaitWritten}
	 */
	synchronized long change(String name, PoolState pool) {
		this.pools.put(name, pool);
		return this.changed.merge(name, 1L, Long::sum);
	}

	/**
	 * Return once a pool's file holds a change or a newer one, writing the newest state if
	 * no one else has.
	 * @param name the pool's name
	 * @param change what {@link #change} returned
	 * @throws CseException if the file cannot be written
	 */
	void awaitWritten(String name, long change) {
		synchronized (this.writing) {
			PoolState newest;
			long newestChange;
			synchronized (this) {
				if (this.written.getOrDefault(name, 0L) >= change) {
					return;
				}
				newest = this.pools.get(name);
				newestChange = this.changed.get(name);
			}
			write(name, newest);
			synchronized (this) {
				this.written.put(name, newestChange);
				if (newest == null && this.changed.get(name) == newestChange) {
					this.pools.remove(name);
				}
			}
		}
	}

	private void write(String name, PoolState pool) {
		try {
			if (pool == null) {
				Files.deleteIfExists(this.dir.resolve(name + ".json"));
				return;
			}
			Files.createDirectories(this.dir);
			AtomicFile.write(this.dir.resolve(name + ".json"), this.json.writeValueAsBytes(pool));
		}
		catch (IOException ex) {
			throw unusable(ex);
		}
	}

	private PoolState read(Path file) {
		try {
			return this.json.readValue(file.toFile(), PoolState.class);
		}
		catch (IOException ex) {
			throw new CseException("the pool file " + file + " is unreadable (" + ex.getMessage() + "): delete it, and "
					+ "stop the pool's clones with 'cse stop'", ex);
		}
	}

	private CseException unusable(IOException ex) {
		return new CseException("cannot use the pools' folder " + this.dir + ": " + ex, ex);
	}

}
