package io.cse.node.instance;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.cse.CallerText;
import io.cse.node.AtomicFile;
import io.cse.node.CseException;

/**
 * The instances the node agent started: one JSON file per instance under
 * {@code <state-dir>/instances}, each replaced atomically, and the restores' logs under
 * {@code <state-dir>/logs/<name>}. Changes that must see a consistent registry (choosing
 * names and addresses, taking the bridge down) run under a lock that works across
 * {@code cse} processes. This class alone reads and writes those files; it also reads the
 * flat entries an earlier {@code cse} wrote.
 */
public final class Registry {

	/**
	 * The state folder unless {@code --state-dir} or {@code CSE_STATE_DIR} says otherwise.
	 */
	public static final String DEFAULT_STATE_DIR = "/var/lib/cse/run";

	// A field only entries of the nested format have.
	private static final String NESTED_FIELD = "endpoint";

	private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,39}");

	// FileChannel locks belong to the whole JVM: threads of one process take this one first.
	private static final ReentrantLock THREADS = new ReentrantLock();

	private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

	private final Path stateDir;

	private final Claims claims;

	public Registry(Path stateDir) {
		this.stateDir = stateDir.toAbsolutePath().normalize();
		this.claims = new Claims(this.stateDir);
	}

	public Path stateDir() {
		return this.stateDir;
	}

	/**
	 * Check that a name can name an instance (and its files and network namespace).
	 * @param name the name
	 * @throws CseException if it cannot
	 */
	public static void requireValidName(String name) {
		if (!NAME.matcher(name).matches() || name.endsWith(".json")) {
			throw new CseException(CseException.Reason.INVALID, "'" + CallerText.echoed(name) + "' cannot name an instance: use 1 to 40 letters, digits, '.', '_' "
					+ "or '-', starting with a letter or digit");
		}
	}

	/**
	 * Run an action while no other {@code cse} process (nor thread) changes the registry
	 * under the same lock.
	 * @param <T> what the action returns
	 * @param action the action
	 * @return what it returned
	 */
	public <T> T locked(Supplier<T> action) {
		THREADS.lock();
		try {
			createDirectory(this.stateDir);
			requireTrusted(this.stateDir);
			try (FileChannel channel = FileChannel.open(this.stateDir.resolve(".lock"), StandardOpenOption.CREATE,
					StandardOpenOption.WRITE); FileLock lock = channel.lock()) {
				return action.get();
			}
			catch (IOException ex) {
				throw unusable(ex);
			}
		}
		finally {
			THREADS.unlock();
		}
	}

	/**
	 * The registered instances, by name.
	 * @return every instance in the registry
	 */
	public List<Instance> list() {
		Path dir = instancesDir();
		List<Instance> instances = new ArrayList<>();
		if (!Files.isDirectory(dir)) {
			if (Files.exists(this.stateDir) && !Files.isReadable(this.stateDir)) {
				throw unusable(new AccessDeniedException(this.stateDir.toString()));
			}
			return instances;
		}
		requireTrusted(this.stateDir);
		requireTrusted(dir);
		try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
			for (Path file : files) {
				read(file).ifPresent(instances::add);
			}
		}
		catch (IOException ex) {
			throw unusable(ex);
		}
		instances.sort(Comparator.comparing(Instance::name));
		return instances;
	}

	/**
	 * Find an instance.
	 * @param name its name
	 * @return the instance, or empty if the registry has none of that name
	 */
	public Optional<Instance> find(String name) {
		requireValidName(name);
		if (Files.isDirectory(instancesDir())) {
			requireTrusted(this.stateDir);
			requireTrusted(instancesDir());
		}
		return read(instancesDir().resolve(name + ".json"));
	}

	/**
	 * Add or replace an instance's entry, atomically: a reader sees the old entry or the new
	 * one, never part of one.
	 * @param instance the instance
	 */
	public void save(Instance instance) {
		requireValidName(instance.name());
		Path dir = instancesDir();
		createDirectory(this.stateDir);
		createDirectory(dir);
		// claimed before the entry names it, so before anything of it is made
		this.claims.claim(instance);
		try {
			AtomicFile.write(dir.resolve(instance.name() + ".json"), this.json.writeValueAsBytes(instance));
		}
		catch (IOException ex) {
			throw unusable(ex);
		}
	}

	/**
	 * Remove an instance's entry.
	 * @param name its name
	 * @return whether there was one
	 */
	public boolean remove(String name) {
		requireValidName(name);
		try {
			Files.deleteIfExists(endpointTokenFile(name));
			return Files.deleteIfExists(instancesDir().resolve(name + ".json"));
		}
		catch (IOException ex) {
			throw unusable(ex);
		}
	}

	/**
	 * Keep the token that an instance's endpoint wants, readable by this user only.
	 * @param name the instance's name
	 * @param token the token
	 * @return the file that holds it, {@code <state-dir>/tokens/<name>}
	 */
	public Path saveEndpointToken(String name, String token) {
		Path file = endpointTokenFile(name);
		createDirectory(this.stateDir);
		createDirectory(file.getParent());
		try {
			Path temporary = Files.createTempFile(file.getParent(), "." + name, ".tmp",
					PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
			Files.writeString(temporary, token + "\n", StandardCharsets.US_ASCII);
			Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
			return file;
		}
		catch (IOException ex) {
			throw unusable(ex);
		}
	}

	/**
	 * The token that an instance's endpoint wants, found from the instance's name alone
	 * (never from a path its entry holds).
	 * @param name the instance's name
	 * @return the token, or {@code null} if the instance's endpoint wants none
	 */
	public String endpointToken(String name) {
		Path file = endpointTokenFile(name);
		try {
			return Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)
					? Files.readString(file, StandardCharsets.US_ASCII).strip() : null;
		}
		catch (IOException ex) {
			throw unusable(ex);
		}
	}

	/**
	 * The file of the token that an instance's endpoint wants.
	 * @param name the instance's name
	 * @return {@code <state-dir>/tokens/<name>}
	 */
	public Path endpointTokenFile(String name) {
		requireValidName(name);
		return this.stateDir.resolve("tokens").resolve(name);
	}

	/**
	 * The folder for the logs of an instance's restore.
	 * @param name the instance's name
	 * @return {@code <state-dir>/logs/<name>}
	 */
	public Path logDir(String name) {
		requireValidName(name);
		return this.stateDir.resolve("logs").resolve(name);
	}

	/**
	 * What the instances of this state folder may have made on the host.
	 * @return the claims
	 */
	Claims claims() {
		return this.claims;
	}

	private Path instancesDir() {
		return this.stateDir.resolve("instances");
	}

	private Optional<Instance> read(Path file) {
		try {
			JsonNode entry = this.json.readTree(file.toFile());
			if (entry == null || !entry.isObject()) {
				throw new JsonMappingException(null, "not a JSON object");
			}
			// Entries of an earlier cse have every field at the top level: they are read (and
			// stay so until the instance is saved again), so that its instances can be stopped.
			if (!entry.has(NESTED_FIELD)) {
				return Optional.of(this.json.treeToValue(entry, LegacyInstance.class).toInstance());
			}
			return Optional.of(this.json.treeToValue(entry, Instance.class));
		}
		catch (NoSuchFileException | FileNotFoundException ex) {
			return Optional.empty();
		}
		catch (JsonProcessingException ex) {
			throw new CseException("registry entry " + file + " is unreadable (" + ex.getOriginalMessage()
					+ "): check with 'ip netns list' and 'ps' that its instance is gone, then delete the file");
		}
		catch (IOException ex) {
			if (!Files.exists(file)) {
				return Optional.empty();
			}
			throw unusable(ex);
		}
	}

	private void createDirectory(Path dir) {
		if (Files.isDirectory(dir)) {
			return;
		}
		try {
			Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
		}
		catch (IOException ex) {
			throw unusable(ex);
		}
	}

	/**
	 * Check that a folder of the state is the agent's own: the agent runs as root and acts
	 * on what the entries say (which processes to signal), so a folder that another user
	 * could write, or replace with a link, would let that user steer it.
	 */
	private void requireTrusted(Path dir) {
		try {
			PosixFileAttributes attributes = Files.readAttributes(dir, PosixFileAttributes.class,
					LinkOption.NOFOLLOW_LINKS);
			if (attributes.isSymbolicLink() || !attributes.isDirectory()) {
				throw new CseException("the state folder " + dir + " is not a folder (a link, or a file): point "
						+ "--state-dir (or CSE_STATE_DIR) to a folder of its own");
			}
			String owner = attributes.owner().getName();
			String self = System.getProperty("user.name");
			if (!owner.equals(self) && !owner.equals("root")) {
				throw new CseException("the state folder " + dir + " belongs to user " + owner + ", not to " + self
						+ " or root: its entries could steer this agent; run 'chown -R " + self + " " + dir
						+ "' if you trust them");
			}
			Set<PosixFilePermission> permissions = attributes.permissions();
			if (permissions.contains(PosixFilePermission.GROUP_WRITE)
					|| permissions.contains(PosixFilePermission.OTHERS_WRITE)) {
				throw new CseException("the state folder " + dir + " can be changed by other users (mode "
						+ PosixFilePermissions.toString(permissions) + "): its entries could steer this agent; run "
						+ "'chmod 700 " + dir + "' if you trust them");
			}
		}
		catch (NoSuchFileException ex) {
			// nothing there yet: nothing to trust
		}
		catch (IOException | UnsupportedOperationException ex) {
			throw new CseException("cannot check who may change the state folder " + dir + ": " + ex.getMessage());
		}
	}

	private CseException unusable(IOException ex) {
		String reason = (ex instanceof AccessDeniedException) ? "permission denied" : ex.toString();
		return new CseException("cannot use the state folder " + this.stateDir + " (" + reason
				+ "): run as root, or point --state-dir (or CSE_STATE_DIR) to a folder you may write", ex);
	}

}
