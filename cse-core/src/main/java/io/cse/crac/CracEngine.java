package io.cse.crac;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

import io.cse.SnapshotOutcome;
import io.cse.snapshot.EngineStatus;
import io.cse.snapshot.ImageManifest;
import io.cse.snapshot.SnapshotEngine;
import io.cse.snapshot.SnapshotException;
import io.cse.snapshot.SnapshotSpec;

/**
 * Snapshots the process with the JDK's own checkpoint, on a CRaC JDK. The JDK writes the
 * image to the folder given at start-up with {@code -XX:CRaCCheckpointTo}, and always stops
 * the process once the image is written; {@code java -XX:CRaCRestoreFrom=<folder>}
 * restores it.
 * <p>
 * The manifest is written as the CRIU engine writes it, and moved into place last: just
 * before the JDK checkpoints, since nothing runs in this process after that. It is
 * removed again if the checkpoint fails.
 */
public class CracEngine implements SnapshotEngine {

	private static final String CHECKPOINT_TO = "-XX:CRaCCheckpointTo=";

	private static final Set<PosixFilePermission> PRIVATE_FOLDER = PosixFilePermissions.fromString("rwx------");

	private final CracJdkAdapter adapter;

	private final String checkpointTo;

	/**
	 * Create an engine that checkpoints through the given adapter.
	 * @param adapter the adapter to the JDK's CRaC support
	 */
	public CracEngine(CracJdkAdapter adapter) {
		this(adapter, checkpointTo());
	}

	CracEngine(CracJdkAdapter adapter, String checkpointTo) {
		this.adapter = adapter;
		this.checkpointTo = checkpointTo;
	}

	private static String checkpointTo() {
		return ManagementFactory.getRuntimeMXBean()
			.getInputArguments()
			.stream()
			.filter((argument) -> argument.startsWith(CHECKPOINT_TO))
			.map((argument) -> argument.substring(CHECKPOINT_TO.length()))
			.findFirst()
			.orElse(null);
	}

	@Override
	public String getName() {
		return "crac";
	}

	@Override
	public boolean canLeaveRunning() {
		return false;
	}

	@Override
	public EngineStatus getStatus() {
		if (!this.adapter.isCracJdk()) {
			return EngineStatus.unavailable(getName(), "This JDK has no CRaC support: run the service on a CRaC JDK "
					+ "(for example Azul Zulu with CRaC), or use the criu engine");
		}
		if (this.checkpointTo == null) {
			return EngineStatus.unavailable(getName(), "The JDK was started without -XX:CRaCCheckpointTo=<folder>: "
					+ "add it to the service's JVM options");
		}
		return EngineStatus.available(getName(), System.getProperty("java.vm.version"));
	}

	/**
	 * Return the folder the JDK writes its image to.
	 * @return the {@code -XX:CRaCCheckpointTo} folder, or {@code null}
	 */
	public String getCheckpointTo() {
		return this.checkpointTo;
	}

	@Override
	public SnapshotOutcome snapshot(SnapshotSpec spec) throws SnapshotException {
		EngineStatus status = getStatus();
		if (!status.available()) {
			throw new SnapshotException(status.reason());
		}
		Path folder = Paths.get(this.checkpointTo).toAbsolutePath().normalize();
		Path manifest;
		try {
			// The JDK writes the process's whole memory there: its owner's alone, whatever
			// the folder was (a file the JDK writes later gets its umask, see docs/security.md).
			Files.createDirectories(folder, PosixFilePermissions.asFileAttribute(PRIVATE_FOLDER));
			Files.setPosixFilePermissions(folder, PRIVATE_FOLDER);
			// Written in full, then moved into place at once: whoever waits for the
			// manifest never reads half of it.
			spec.manifest().writePending(folder);
			manifest = ImageManifest.publish(folder);
		}
		catch (IOException ex) {
			throw new SnapshotException("Cannot write the manifest into " + folder + ": " + ex.getMessage(), ex);
		}
		try {
			this.adapter.checkpoint();
			return SnapshotOutcome.RESTORED;
		}
		catch (Exception ex) {
			try {
				Files.deleteIfExists(manifest);
			}
			catch (IOException deleteFailure) {
				ex.addSuppressed(deleteFailure);
			}
			throw new SnapshotException("The JDK's checkpoint failed: " + ex.getMessage(), ex);
		}
	}

}
