package io.cse.node.pool;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.cse.node.AtomicFile;
import io.cse.node.CseException;

/**
 * The pools' files: {@code <state-dir>/pools/<name>.json}.
 */
final class PoolStore {

	private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

	private final Path dir;

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
				pools.add(read(file));
			}
		}
		catch (IOException ex) {
			throw unusable(ex);
		}
		pools.sort(Comparator.comparing(PoolState::name));
		return pools;
	}

	Optional<PoolState> find(String name) {
		Path file = this.dir.resolve(name + ".json");
		return Files.exists(file) ? Optional.of(read(file)) : Optional.empty();
	}

	void save(PoolState pool) {
		try {
			Files.createDirectories(this.dir);
			AtomicFile.write(this.dir.resolve(pool.name() + ".json"), this.json.writeValueAsBytes(pool));
		}
		catch (IOException ex) {
			throw unusable(ex);
		}
	}

	void delete(String name) {
		try {
			Files.deleteIfExists(this.dir.resolve(name + ".json"));
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
