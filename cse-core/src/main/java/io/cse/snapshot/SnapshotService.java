package io.cse.snapshot;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.cse.CallerText;
import io.cse.CheckpointContext.Operation;
import io.cse.CheckpointCoordinator;
import io.cse.InstanceIdentity;
import io.cse.Setting;
import io.cse.SettingNames;
import io.cse.SnapshotReservation;
import io.cse.OperationReport;
import io.cse.SnapshotOutcome;
import io.cse.SnapshotPlan;
import io.cse.linux.ProcFs;
import io.cse.memory.HeapTrimmer;
import io.cse.memory.MemoryReport;
import io.cse.snapshot.ImageManifest.Kind;

/**
 * Dumps and clones: checks a request, reserves the instance and its image folder, then,
 * on a thread of its own, has the {@link CheckpointCoordinator} quiesce everything and the
 * {@link SnapshotEngine} snapshot the process.
 * <p>
 * Images live under one root folder, readable by their owner only and checked before
 * every snapshot ({@link ImagesRoot}); a request can name its image folder but never
 * leave the root.
 */
public class SnapshotService {

	private static final Logger logger = Logger.getLogger(SnapshotService.class.getName());

	private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

	private static final Pattern IMAGE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

	private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS")
		.withZone(ZoneOffset.UTC);

	private final CheckpointCoordinator coordinator;

	private final SnapshotEngine engine;

	private final Path imagesRoot;

	private final ProcessAudit audit;

	private volatile SettingNames settingNames = SettingNames.JAVA;

	private final HeapTrimmer heapTrimmer;

	private final ProcFs procFs;

	private final Supplier<ImageManifest.Application> application;

	private final Clock clock;

	private final ImagesRoot imagesRootCheck = new ImagesRoot();

	private volatile ImageRetention retention = ImageRetention.KEEP_ALL;

	private volatile SnapshotRateLimit rateLimit = SnapshotRateLimit.NONE;

	private volatile Supplier<? extends Collection<ImageAttachment>> attachments = Collections::emptyList;

	/**
	 * Create a service.
	 * @param coordinator quiesces and resumes the participants
	 * @param engine snapshots the process
	 * @param imagesRoot the folder every image lives in
	 * @param audit checks the quiesced process
	 * @param heapTrimmer trims the heap of the quiesced process so that its image carries
	 * no garbage, or {@code null} to skip the trim
	 * @param procFs reads the process's memory
	 * @param application what the application is, asked for each image (its port is known
	 * only once it serves)
	 * @param clock stamps images
	 */
	public SnapshotService(CheckpointCoordinator coordinator, SnapshotEngine engine, Path imagesRoot,
			ProcessAudit audit, HeapTrimmer heapTrimmer, ProcFs procFs, Supplier<ImageManifest.Application> application,
			Clock clock) {
		this.coordinator = coordinator;
		this.engine = engine;
		this.imagesRoot = imagesRoot.toAbsolutePath().normalize();
		this.audit = audit;
		this.heapTrimmer = heapTrimmer;
		this.procFs = procFs;
		this.application = application;
		this.clock = clock;
	}

	/**
	 * Set what the users of the application call the settings that messages advise
	 * changing.
	 * @param settingNames the names; {@link SettingNames#JAVA} unless set
	 */
	public void setSettingNames(SettingNames settingNames) {
		this.settingNames = settingNames;
	}

	/**
	 * Set which images to delete from the root after a successful snapshot.
	 * @param retention the retention; {@link ImageRetention#KEEP_ALL} unless set
	 */
	public void setRetention(ImageRetention retention) {
		this.retention = retention;
	}

	/**
	 * Set how many snapshots may start in any minute.
	 * @param rateLimit the limit; {@link SnapshotRateLimit#NONE} unless set
	 */
	public void setRateLimit(SnapshotRateLimit rateLimit) {
		this.rateLimit = rateLimit;
	}

	/**
	 * Set the files that every image carries besides the process's own (the endpoint's
	 * token, for whoever restores the image), asked for each snapshot.
	 * @param attachments the attachments; none unless set
	 */
	public void setAttachments(Supplier<? extends Collection<ImageAttachment>> attachments) {
		this.attachments = attachments;
	}

	/**
	 * Return which images are deleted from the root after a successful snapshot.
	 * @return the retention
	 */
	public ImageRetention getRetention() {
		return this.retention;
	}

	/**
	 * Return the engine that takes the snapshots.
	 * @return the engine
	 */
	public SnapshotEngine getEngine() {
		return this.engine;
	}

	/**
	 * Return the folder every image lives in.
	 * @return the images root
	 */
	public Path getImagesRoot() {
		return this.imagesRoot;
	}

	/**
	 * Check a dump or clone request and reserve what it needs. Nothing runs yet.
	 * @param operation {@link Operation#DUMP} or {@link Operation#CLONE}
	 * @param imageName the image folder's name under the root, or {@code null} for a
	 * generated one
	 * @return the reservation, to {@link #run}
	 * @throws EngineUnavailableException if no engine can snapshot this process
	 * @throws InvalidImageException if the image name is not acceptable, or the images
	 * root is open to other users (see {@link ImagesRoot})
	 * @throws io.cse.OperationRejectedException if the instance is not running or busy
	 * @throws SnapshotRateLimitedException if as many snapshots as the rate limit allows
	 * started in the last minute
	 */
	public Ticket prepare(Operation operation, String imageName) {
		EngineStatus status = this.engine.getStatus();
		if (!status.available()) {
			throw new EngineUnavailableException(status.reason());
		}
		this.rateLimit.check(this.settingNames.nameOf(Setting.SNAPSHOT_RATE_LIMIT));
		String imageId = (imageName != null && !imageName.trim().isEmpty()) ? imageName.trim() : generatedName(operation);
		Path folder = resolve(imageId);
		// Before anything changes: a refused root is left as it was.
		this.imagesRootCheck.check(this.imagesRoot, this.settingNames.nameOf(Setting.IMAGES_ROOT));
		SnapshotReservation reservation = this.coordinator.reserve(operation);
		try {
			createPrivate(this.imagesRoot);
			Files.createDirectory(folder, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
		}
		catch (FileAlreadyExistsException ex) {
			reservation.cancel();
			throw new InvalidImageException("Image '" + imageId + "' already exists in " + this.imagesRoot
					+ ": choose another name, or delete it first");
		}
		catch (IOException | RuntimeException ex) {
			reservation.cancel();
			throw new InvalidImageException("Cannot create the image folder " + folder + ": " + ex.getMessage()
					+ " (check " + this.settingNames.nameOf(Setting.IMAGES_ROOT) + ")");
		}
		// Counted once it is sure to start: a refused request takes nothing from the limit.
		this.rateLimit.record();
		return new Ticket(operation, imageId, folder, reservation);
	}

	/**
	 * Snapshot the process as the ticket says: blocks until the process goes on (see
	 * {@link CheckpointCoordinator#snapshot}).
	 * @param ticket what {@link #prepare} returned
	 * @return the report of the snapshot, or of the restore in a restored process
	 */
	public OperationReport run(Ticket ticket) {
		// Before anything is quiesced: the traffic gate would hold these requests.
		ProbeWarmUp.serveFirstProbes(this.application.get(), this.attachments.get());
		return this.coordinator.snapshot(ticket.reservation(), new Plan(ticket));
	}

	private Path resolve(String imageId) {
		if (!IMAGE_NAME.matcher(imageId).matches()) {
			throw new InvalidImageException("Image name '" + CallerText.echoed(imageId) + "' is not allowed: use letters, digits, '.', "
					+ "'_' and '-' (images live in " + this.imagesRoot + ", and a name cannot leave it)");
		}
		try {
			Path folder = this.imagesRoot.resolve(imageId).normalize();
			if (!folder.getParent().equals(this.imagesRoot)) {
				throw new InvalidImageException("Image '" + CallerText.echoed(imageId) + "' would not be in " + this.imagesRoot);
			}
			return folder;
		}
		catch (InvalidPathException ex) {
			throw new InvalidImageException("Image name '" + CallerText.echoed(imageId) + "' is not a valid folder name");
		}
	}

	private String generatedName(Operation operation) {
		String application = this.application.get().name();
		String prefix = (application != null && IMAGE_NAME.matcher(application).matches()) ? application : "image";
		return prefix + "-" + operation.name().toLowerCase(Locale.ROOT) + "-" + STAMP.format(this.clock.instant());
	}

	private static void createPrivate(Path root) throws IOException {
		if (!Files.isDirectory(root)) {
			Files.createDirectories(root, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
		}
	}

	private static void deleteTree(Path folder) {
		if (!Files.exists(folder)) {
			return;
		}
		try (Stream<Path> paths = Files.walk(folder)) {
			paths.sorted(Comparator.reverseOrder()).forEach((path) -> path.toFile().delete());
		}
		catch (IOException ex) {
			logger.warning("Cannot delete " + folder + ": " + ex.getMessage());
		}
	}

	/**
	 * A checked request: the instance is reserved and the image folder created.
	 */
	public static final class Ticket {

		private final Operation operation;

		private final String imageId;

		private final Path folder;

		private final SnapshotReservation reservation;

		Ticket(Operation operation, String imageId, Path folder, SnapshotReservation reservation) {
			this.operation = operation;
			this.imageId = imageId;
			this.folder = folder;
			this.reservation = reservation;
		}

		/**
		 * Return the operation.
		 * @return the operation
		 */
		public Operation operation() {
			return this.operation;
		}

		/**
		 * Return the image's id (its folder's name).
		 * @return the image id
		 */
		public String imageId() {
			return this.imageId;
		}

		/**
		 * Return the image folder.
		 * @return the folder
		 */
		public Path folder() {
			return this.folder;
		}

		/**
		 * Return the instance's reservation.
		 * @return the reservation
		 */
		public SnapshotReservation reservation() {
			return this.reservation;
		}

		/**
		 * Give everything back without snapshotting.
		 */
		public void cancel() {
			this.reservation.cancel();
			deleteTree(this.folder);
		}

	}

	private final class Plan implements SnapshotPlan {

		private final Ticket ticket;

		Plan(Ticket ticket) {
			this.ticket = ticket;
		}

		@Override
		public String imageId() {
			return this.ticket.imageId();
		}

		@Override
		public MemoryReport prepare() {
			HeapTrimmer trimmer = SnapshotService.this.heapTrimmer;
			return (trimmer != null) ? trimmer.trimForSnapshot() : null;
		}

		@Override
		public List<String> audit() throws SnapshotException {
			return SnapshotService.this.audit.audit(keepsRunning());
		}

		private boolean keepsRunning() {
			return this.ticket.operation() == Operation.CLONE && SnapshotService.this.engine.canLeaveRunning();
		}

		@Override
		public SnapshotOutcome take() throws SnapshotException {
			boolean leaveRunning = keepsRunning();
			SnapshotSpec spec = new SnapshotSpec(this.ticket.imageId(), this.ticket.folder(), leaveRunning, manifest());
			attach(this.ticket.folder());
			SnapshotOutcome outcome = SnapshotService.this.engine.snapshot(spec);
			if (outcome == SnapshotOutcome.RESTORED && this.ticket.operation() == Operation.CLONE) {
				// Every restore of a template is a new instance: it must not share the
				// template's identity, whatever the image carries.
				SnapshotService.this.coordinator.getIdentity().regenerate(this.ticket.imageId());
			}
			// After a successful snapshot, in the process that took it (a clone template's,
			// which keeps running) or the one restored from a dump (a dump ends the process
			// that took it); never in a clone, of which there may be many at once.
			if (outcome == SnapshotOutcome.CONTINUED
					|| (outcome == SnapshotOutcome.RESTORED && this.ticket.operation() == Operation.DUMP)) {
				applyRetention();
			}
			return outcome;
		}

		/**
		 * Write the attachments into the image folder, before the engine runs: the sealer
		 * then lists them in the manifest with every other file of the image.
		 */
		private void attach(Path folder) throws SnapshotException {
			for (ImageAttachment attachment : SnapshotService.this.attachments.get()) {
				Path file = folder.resolve(attachment.fileName());
				try {
					Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
					Files.write(file, attachment.content());
				}
				catch (IOException ex) {
					throw new SnapshotException("Cannot write " + file + " into the image: " + ex.getMessage(), ex);
				}
			}
		}

		private void applyRetention() {
			ImageRetention retention = SnapshotService.this.retention;
			try {
				for (Path deleted : retention.prune(SnapshotService.this.imagesRoot, this.ticket.imageId(),
						SnapshotService.this.clock.instant())) {
					logger.info("Deleted image " + deleted + " (" + retention + ")");
				}
			}
			catch (IOException | RuntimeException ex) {
				// The image was taken: a clean-up that fails must not turn it into a failure.
				logger.warning("Cannot delete old images from " + SnapshotService.this.imagesRoot + ": " + ex);
			}
		}

		/**
		 * The whole manifest, taken now: the engine writes it before the image and moves
		 * it into place once the image is complete.
		 */
		private ImageManifest manifest() {
			SnapshotEngine engine = SnapshotService.this.engine;
			ProcFs procFs = SnapshotService.this.procFs;
			InstanceIdentity identity = SnapshotService.this.coordinator.getIdentity();
			return ImageManifest.builder()
				.imageId(this.ticket.imageId())
				.kind((this.ticket.operation() == Operation.CLONE) ? Kind.TEMPLATE : Kind.DUMP)
				.engine(engine.getName(), engine.getStatus().version())
				.createdAt(SnapshotService.this.clock.instant())
				.application(SnapshotService.this.application.get())
				.process(procFs.pid(), procFs.residentBytes())
				.java(System.getProperty("java.version"), System.getProperty("java.home"))
				.javaVendor(System.getProperty("java.vendor"))
				.host(procFs.bootId(), System.getProperty("os.version"))
				.identity(new ImageIdentity(identity.getInstanceId(), identity.getGeneration()))
				.build();
		}

		@Override
		public void discard() {
			deleteTree(this.ticket.folder());
		}

	}

}
