package io.cse.node.instance;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cse.node.CseException;
import io.cse.node.image.Image;
import io.cse.node.instance.Instance.Kind;
import io.cse.node.linux.Bridge;
import io.cse.node.linux.CommandResult;
import io.cse.node.linux.Criu;
import io.cse.node.linux.Host;
import io.cse.node.linux.NetworkNamespace;
import io.cse.node.linux.ProcessInfo;
import io.cse.node.linux.Subnet;

/**
 * Restores images into instances, clones templates, and stops instances: the mechanism
 * behind {@code cse restore}, {@code clone}, {@code ps} and {@code stop}.
 * <p>
 * Every operation either ends with its instances serving and registered, or undoes
 * everything it did: processes, network namespaces, veth pairs, registry entries (and
 * the bridge if it created it and nothing else uses it). Only the restores' logs stay,
 * for the error message to point at.
 */
public final class Instances {

	/**
	 * The address of an instance restored in the host's namespaces.
	 */
	public static final String HOST_ADDRESS = "127.0.0.1";

	/**
	 * The endpoint an instance tells its identity on.
	 */
	public static final String STATUS_PATH = "/actuator/cse";

	/**
	 * The log of the process that runs {@code criu restore} (its own output, CRIU's log is
	 * {@value Criu#RESTORE_LOG}).
	 */
	public static final String LAUNCHER_LOG = "criu.out";

	private static final Duration KILL_WAIT = Duration.ofSeconds(10);

	private static final long POLL_MILLIS = 5;

	// Errors CRIU 4.2 logs on every restore on these machines, which say nothing about a failure.
	private static final List<String> HARMLESS_CRIU_LINES = List.of("RLIMIT_NOFILE", "Could not process rule",
			"delete table", "^^^");

	private final Host host;

	private final HttpProbe probe;

	private final Registry registry;

	private final ObjectMapper json = new ObjectMapper();

	private final Set<String> pending = ConcurrentHashMap.newKeySet();

	private final Set<ExecutorService> workers = ConcurrentHashMap.newKeySet();

	private volatile boolean closing;

	// The bridge a restore or clone of this object created and has not finished with.
	private volatile Bridge createdBridge;

	public Instances(NodeContext context, Registry registry) {
		this.host = context.host();
		this.probe = context.probe();
		this.registry = registry;
	}

	public Registry registry() {
		return this.registry;
	}

	/**
	 * Restore an image in the host's namespaces: the restored process keeps its pid, so that
	 * pid must be free.
	 * @param image the image
	 * @param criu the CRIU to restore with
	 * @param requestedName the instance's name, or {@code null} for one made from the
	 * image's application name
	 * @param deadline when the instance must serve
	 * @return the serving instance
	 * @throws CseException if anything fails; nothing is left behind then
	 */
	public Started restoreInHost(Image image, Criu criu, String requestedName, Deadline deadline) {
		Instance reserved = this.registry.locked(() -> {
			List<Instance> existing = this.registry.list();
			String name = chooseNames(requestedName, 1, prefixFor(image, "restore"), existing).get(0);
			requirePidFree(image, existing);
			// The pid is recorded at once, as not yet verified (start time 0), so that a
			// concurrent restore of the same image sees it taken.
			Instance instance = newInstance(name, Kind.RESTORE, image, HOST_ADDRESS, null, null, null)
				.withPid(image.pid(), 0);
			this.registry.save(instance);
			return instance;
		});
		return rollingBack(List.of(reserved.name()), () -> {
			Path logDir = prepareLogDir(reserved.name());
			List<String> command = new ArrayList<>();
			command.add("setsid");
			command.addAll(criu.restoreCommand(image.dir(), logDir, true));
			long restoreStart = System.nanoTime();
			CommandResult result = this.host.run(command);
			if (!result.succeeded()) {
				throw new CseException("criu restore of image " + image.id() + " failed (exit " + result.exitCode()
						+ "): " + criuSays(logDir, result.output()));
			}
			ProcessInfo process = this.host.process(image.pid())
				.filter((info) -> !info.isZombie())
				.orElseThrow(() -> new CseException("the restored process " + image.pid()
						+ " ended right after its restore: " + criuSays(logDir, result.output())));
			Instance restored = reserved.withPid(process.pid(), process.startTicks());
			this.registry.save(restored);
			return List.of(awaitServing(restored, deadline, restoreStart, () -> false));
		}).get(0);
	}

	/**
	 * Restore an image in network and PID namespaces of its own, like one clone.
	 * @param image the image
	 * @param criu the CRIU to restore with
	 * @param requestedName the instance's name, or {@code null} for one made from the
	 * image's application name
	 * @param bridge the host bridge, brought up if needed
	 * @param deadline when the instance must serve
	 * @return the serving instance
	 * @throws CseException if anything fails; nothing is left behind then
	 */
	public Started restoreInNamespace(Image image, Criu criu, String requestedName, Bridge bridge, Deadline deadline) {
		return startInNamespaces(image, criu, Kind.RESTORE, requestedName, prefixFor(image, "restore"), 1, 1, bridge,
				deadline).get(0);
	}

	/**
	 * Restore a template image several times, each restore in network and PID namespaces
	 * of its own.
	 * @param image the image, a template
	 * @param criu the CRIU to restore with
	 * @param prefix the clones are named {@code <prefix>-<n>}; {@code null} for the image's
	 * application name
	 * @param count how many clones
	 * @param parallelism how many restores may run at the same time
	 * @param bridge the host bridge, brought up if needed
	 * @param deadline when every clone must serve
	 * @return the serving clones, in the order of their names
	 * @throws CseException if any clone fails; the others are stopped and nothing is left
	 * behind then
	 */
	public List<Started> clone(Image image, Criu criu, String prefix, int count, int parallelism, Bridge bridge,
			Deadline deadline) {
		if (!image.isTemplate()) {
			throw new CseException("image " + image.id() + " is a dump of one instance (kind '"
					+ image.manifest().kind().value() + "'), not a template: its clones would all be the same instance; "
					+ "restore it once with 'cse restore', or take a template of the service to clone it");
		}
		if (count < 1) {
			throw new CseException("--count must be at least 1");
		}
		return startInNamespaces(image, criu, Kind.CLONE, null, (prefix != null) ? prefix : prefixFor(image, "clone"),
				count, Math.max(1, parallelism), bridge, deadline);
	}

	private List<Started> startInNamespaces(Image image, Criu criu, Kind kind, String requestedName, String prefix,
			int count, int parallelism, Bridge bridge, Deadline deadline) {
		Reservation reservation = this.registry.locked(() -> {
			Bridge.State network = bridge.up(null);
			try {
				List<Instance> existing = this.registry.list();
				// Namespaces and interfaces that exist without an entry here (another state folder's,
				// or a crash's leftovers) are never taken: a roll-back would delete them.
				Set<String> namespaces = new HashSet<>(NetworkNamespace.namespaces(this.host));
				Set<Integer> interfaces = new HashSet<>();
				for (String name : NetworkNamespace.hostInterfaces(this.host)) {
					String index = name.startsWith(bridge.name() + "v") ? name.substring(bridge.name().length() + 1) : "";
					if (index.matches("\\d{1,9}")) {
						interfaces.add(Integer.parseInt(index));
					}
				}
				List<String> names = chooseNames(requestedName, count, prefix, existing, namespaces);
				List<String> addresses = allocateAddresses(network.subnet(), count, existing, interfaces);
				List<Instance> instances = new ArrayList<>();
				for (int i = 0; i < count; i++) {
					String address = addresses.get(i);
					Instance instance = newInstance(names.get(i), kind, image, address,
							NetworkNamespace.nameFor(names.get(i)),
							NetworkNamespace.hostInterfaceFor(bridge.name(), network.subnet(), address), bridge.name());
					this.registry.save(instance);
					instances.add(instance);
				}
				return new Reservation(network, instances);
			}
			catch (RuntimeException ex) {
				if (network.created()) {
					downQuietly(bridge);
				}
				throw ex;
			}
		});
		List<String> names = reservation.instances().stream().map(Instance::name).toList();
		if (reservation.network().created()) {
			this.createdBridge = bridge;
		}
		try {
			return rollingBack(names, () -> startAll(reservation, image, criu, parallelism, deadline));
		}
		catch (RuntimeException ex) {
			releaseNetwork(reservation.network().created() ? bridge : null);
			throw ex;
		}
		finally {
			this.createdBridge = null;
		}
	}

	private void releaseNetwork(Bridge created) {
		this.registry.locked(() -> {
			if (this.registry.list().stream().noneMatch(Instance::namespaced)) {
				// A bridge this command created goes, unless other instances came to use it meanwhile.
				if (created != null && created.attachedInterfaces().isEmpty()) {
					downQuietly(created);
				}
				NetworkNamespace.releaseMountIfUnused(this.host);
			}
			return null;
		});
	}

	private List<Started> startAll(Reservation reservation, Image image, Criu criu, int parallelism,
			Deadline deadline) {
		List<Instance> instances = reservation.instances();
		AtomicBoolean failed = new AtomicBoolean();
		AtomicInteger threads = new AtomicInteger();
		ExecutorService executor = Executors.newFixedThreadPool(Math.min(instances.size(), parallelism), (task) -> {
			Thread thread = new Thread(task, "cse-restore-" + threads.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		});
		this.workers.add(executor);
		try {
			List<Future<Started>> futures = new ArrayList<>();
			for (Instance instance : instances) {
				futures.add(executor.submit(() -> {
					if (failed.get() || this.closing) {
						throw new Cancelled();
					}
					try {
						return startInNamespace(instance, image, criu, reservation.network().subnet(), deadline,
								() -> failed.get() || this.closing);
					}
					catch (RuntimeException | Error ex) {
						failed.set(true);
						throw ex;
					}
				}));
			}
			executor.shutdown();
			List<Started> started = new ArrayList<>();
			RuntimeException failure = null;
			for (int i = 0; i < futures.size(); i++) {
				try {
					started.add(futures.get(i).get());
				}
				catch (ExecutionException ex) {
					if (failure == null && !(ex.getCause() instanceof Cancelled)) {
						String what = (instances.size() > 1)
								? "clone " + (i + 1) + " of " + instances.size() + " (" + instances.get(i).name() + ")"
								: instances.get(i).name();
						failure = new CseException(what + " failed: " + messageOf(ex.getCause()), ex.getCause());
					}
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					failed.set(true);
					failure = new CseException("interrupted while restoring");
					break;
				}
			}
			if (failure == null && started.size() < instances.size()) {
				failure = new CseException("the restores were cancelled");
			}
			if (failure != null) {
				failed.set(true);
				awaitTermination(executor);
				throw failure;
			}
			return started;
		}
		finally {
			this.workers.remove(executor);
		}
	}

	private Started startInNamespace(Instance reserved, Image image, Criu criu, Subnet subnet, Deadline deadline,
			BooleanSupplier cancelled) {
		NetworkNamespace network = new NetworkNamespace(this.host, reserved.namespace(), reserved.hostInterface(),
				reserved.bridge(), subnet, reserved.address());
		Path logDir = prepareLogDir(reserved.name());
		network.create();
		if (cancelled.getAsBoolean()) {
			throw new Cancelled();
		}
		// setsid: the restored tree must not get this terminal's signals. unshare --fork: the
		// process that runs criu becomes the PID namespace's init; criu stays attached (no
		// --restore-detached), since the namespace, and the clone, ends when it exits.
		// --kill-child: killing unshare takes the namespace down too.
		List<String> command = new ArrayList<>();
		command.add("setsid");
		command.addAll(network.execPrefix());
		command.addAll(List.of("unshare", "--pid", "--fork", "--kill-child", "--mount-proc"));
		command.addAll(criu.restoreCommand(image.dir(), logDir, false));
		long restoreStart = System.nanoTime();
		long launcherPid = this.host.start(command, logDir.resolve(LAUNCHER_LOG));
		long launcherTicks = this.host.process(launcherPid).map(ProcessInfo::startTicks).orElse(0L);
		Instance launched = reserved.withLauncher(launcherPid, launcherTicks);
		this.registry.save(launched);
		ProcessInfo init = awaitNamespaceInit(launched, deadline, cancelled);
		Instance withInit = launched.withPid(init.pid(), init.startTicks());
		this.registry.save(withInit);
		return awaitServing(withInit, deadline, restoreStart, cancelled);
	}

	private ProcessInfo awaitNamespaceInit(Instance instance, Deadline deadline, BooleanSupplier cancelled) {
		Path logDir = Path.of(instance.logDir());
		while (true) {
			for (long child : this.host.children(instance.launcherPid())) {
				Optional<ProcessInfo> info = this.host.process(child);
				if (info.isPresent() && info.get().isNamespaceInit() && !info.get().isZombie()) {
					return info.get();
				}
			}
			if (alive(instance.launcherPid(), instance.launcherStartTicks()).isEmpty()) {
				throw new CseException("the restore in " + instance.namespace() + " ended at once: "
						+ criuSays(logDir, ""));
			}
			if (deadline.expired()) {
				throw new CseException("the PID namespace of " + instance.name() + " did not start within "
						+ deadline.describe() + ": see " + logDir.resolve(LAUNCHER_LOG));
			}
			if (cancelled.getAsBoolean()) {
				throw new Cancelled();
			}
			pause();
		}
	}

	private Started awaitServing(Instance instance, Deadline deadline, long restoreStart, BooleanSupplier cancelled) {
		URI uri = uri(instance, instance.healthPath());
		Path logDir = Path.of(instance.logDir());
		HttpProbe.Answer last = null;
		while (true) {
			if (cancelled.getAsBoolean() || this.closing) {
				throw new Cancelled();
			}
			Optional<HttpProbe.Answer> answer = this.probe.get(uri);
			if (answer.isPresent() && answer.get().status() == 200) {
				double first200 = deadline.elapsedMillis();
				double restored = (System.nanoTime() - restoreStart) / 1e6;
				Instance running = instance.running(instanceIdOf(instance));
				this.registry.save(running);
				return new Started(running, first200, restored);
			}
			if (answer.isPresent()) {
				last = answer.get();
			}
			if (alive(instance.pid(), instance.pidStartTicks()).isEmpty()) {
				throw new CseException(instance.name() + " ended before it answered 200 on " + uri + ": "
						+ criuSays(logDir, ""));
			}
			if (deadline.expired()) {
				throw new CseException(instance.name() + " did not answer 200 on " + uri + " within "
						+ deadline.describe() + ((last != null) ? " (last answer: " + last.status() + ")"
								: " (no answer)")
						+ ": see its restore's logs in " + logDir + ", or give it longer with --timeout");
			}
			pause();
		}
	}

	private String instanceIdOf(Instance instance) {
		Optional<HttpProbe.Answer> answer = this.probe.get(uri(instance, STATUS_PATH));
		if (answer.isEmpty() || answer.get().status() != 200) {
			return Instance.UNKNOWN_ID;
		}
		try {
			JsonNode id = this.json.readTree(answer.get().body()).path("instance").path("instanceId");
			return (id.isValueNode() && !id.asText().isBlank()) ? id.asText() : Instance.UNKNOWN_ID;
		}
		catch (IOException ex) {
			return Instance.UNKNOWN_ID;
		}
	}

	/**
	 * Stop an instance and remove everything it used: its processes (asked with SIGTERM
	 * first, killed after the grace period), its network namespace and veth pair, its
	 * registry entry and its logs. An instance that is already dead only loses what is left.
	 * A pid that was reused by another process is never signalled.
	 * @param instance the instance
	 * @param grace how long its service may take to stop after SIGTERM
	 * @throws CseException if a process does not end or the network cannot be removed; the
	 * registry entry then stays, so that the stop can be retried
	 */
	public void stop(Instance instance, Duration grace) {
		stop(instance, grace, true);
	}

	/**
	 * Stop an instance and remove everything it used, as {@link #stop(Instance, Duration)}
	 * does, maybe keeping its logs.
	 * @param instance the instance
	 * @param grace how long its service may take to stop after SIGTERM
	 * @param deleteLogs whether its logs go too (a failed start keeps them, for the error
	 * message to point at)
	 */
	public void stop(Instance instance, Duration grace, boolean deleteLogs) {
		remove(instance, grace);
		if (deleteLogs) {
			deleteRecursively(Path.of(instance.logDir()));
		}
	}

	/**
	 * Unmount {@code /run/netns} once no instance in namespaces is left and no other named
	 * network namespace exists, so that stopping the last clone leaves the mounts as they
	 * were before the first.
	 */
	public void releaseNamespaceMountIfUnused() {
		this.registry.locked(() -> {
			if (this.registry.list().stream().noneMatch(Instance::namespaced)) {
				NetworkNamespace.releaseMountIfUnused(this.host);
			}
			return null;
		});
	}

	/**
	 * What an instance is doing.
	 * @param instance the instance
	 * @return {@code alive}, {@code starting} (its {@code cse} command is still restoring it)
	 * or {@code dead}
	 */
	public String status(Instance instance) {
		boolean alive = alive(instance.pid(), instance.pidStartTicks()).isPresent();
		if (Instance.RUNNING.equals(instance.state())) {
			return alive ? "alive" : "dead";
		}
		if (alive(instance.ownerPid(), instance.ownerStartTicks()).isPresent()) {
			return "starting";
		}
		return alive ? "alive" : "dead";
	}

	/**
	 * Undo, when this JVM ends (Ctrl-C), whatever a restore or clone of this object has not
	 * finished.
	 */
	public void rollBackOnExit() {
		Runtime.getRuntime().addShutdownHook(new Thread(() -> {
			if (this.pending.isEmpty()) {
				return;
			}
			this.closing = true;
			for (ExecutorService executor : this.workers) {
				executor.shutdownNow();
				awaitTermination(executor);
			}
			List<String> names = List.copyOf(this.pending);
			for (String name : names) {
				discardQuietly(name);
			}
			try {
				releaseNetwork(this.createdBridge);
			}
			catch (RuntimeException ex) {
				System.err.println("cse: " + ex.getMessage());
			}
			System.err.println("cse: interrupted; removed what this command had started (" + String.join(", ", names)
					+ ")");
		}, "cse-roll-back"));
	}

	private List<Started> rollingBack(List<String> names, Supplier<List<Started>> action) {
		this.pending.addAll(names);
		try {
			List<Started> started = action.get();
			this.pending.removeAll(names);
			return started;
		}
		catch (RuntimeException ex) {
			List<String> leftovers = new ArrayList<>();
			for (String name : names) {
				discard(name).ifPresent((problem) -> leftovers.add(name + " (" + problem + ")"));
			}
			if (ex instanceof Cancelled) {
				throw new CseException("cancelled");
			}
			String message = messageOf(ex);
			if (names.size() > 1 || !leftovers.isEmpty()) {
				message += leftovers.isEmpty()
						? "; stopped the other instances this command started and removed everything they used"
						: "; could not clean up " + String.join(", ", leftovers)
								+ ": remove them with 'cse stop NAME' once the cause is fixed";
			}
			throw new CseException(message, ex);
		}
	}

	private void discardQuietly(String name) {
		discard(name).ifPresent((problem) -> System.err.println("cse: could not clean up " + name + ": " + problem));
	}

	/**
	 * Remove at once (no grace period) what an unfinished restore started.
	 * @return what went wrong, if something did
	 */
	private Optional<String> discard(String name) {
		try {
			this.registry.find(name).ifPresent((instance) -> remove(instance, Duration.ZERO));
			return Optional.empty();
		}
		catch (RuntimeException ex) {
			return Optional.of(messageOf(ex));
		}
		finally {
			this.pending.remove(name);
		}
	}

	private void remove(Instance instance, Duration grace) {
		if (instance.namespaced()) {
			stopNamespace(instance, grace);
			NetworkNamespace.delete(this.host, instance.namespace(), instance.hostInterface());
		}
		else if (instance.hasCgroup()) {
			Services services = new Services(new NodeContext(this.host, this.probe), this.registry);
			services.prepareStop(instance);
			stopInHost(instance, grace);
			services.removeCgroups(instance);
			this.registry.remove(instance.name());
			services.releaseSwapIfUnused(List.of(instance.name()));
			return;
		}
		else {
			stopInHost(instance, grace);
		}
		this.registry.remove(instance.name());
	}

	private void stopNamespace(Instance instance, Duration grace) {
		Optional<ProcessInfo> init = alive(instance.pid(), instance.pidStartTicks());
		if (init.isPresent()) {
			boolean ended = false;
			if (!grace.isZero()) {
				// The restored service is the init's child: SIGTERM lets it shut down; CRIU, the
				// init, exits after it, and the kernel then ends the whole namespace.
				for (long child : this.host.children(init.get().pid())) {
					signal(child, "TERM");
				}
				ended = awaitGone(init.get(), grace);
			}
			if (!ended) {
				signal(init.get().pid(), "KILL");
				requireGone(init.get(), instance);
			}
		}
		Optional<ProcessInfo> launcher = alive(instance.launcherPid(), instance.launcherStartTicks());
		if (launcher.isPresent() && (init.isEmpty() || !awaitGone(launcher.get(), Duration.ofSeconds(2)))) {
			// unshare --kill-child: its death takes a namespace init we never saw along
			signal(launcher.get().pid(), "KILL");
			requireGone(launcher.get(), instance);
		}
		if (NetworkNamespace.exists(this.host, instance.namespace())) {
			// Anything still in the network namespace is ours too (a process that escaped the
			// PID namespace cannot be): nothing may keep it alive.
			CommandResult pids = this.host.run(List.of("ip", "netns", "pids", instance.namespace()));
			for (String line : pids.output().lines().map(String::strip).filter((line) -> line.matches("\\d+")).toList()) {
				Optional<ProcessInfo> process = this.host.process(Long.parseLong(line)).filter((info) -> !info.isZombie());
				if (process.isPresent()) {
					signal(process.get().pid(), "KILL");
					requireGone(process.get(), instance);
				}
			}
		}
	}

	private void stopInHost(Instance instance, Duration grace) {
		Optional<ProcessInfo> process = alive(instance.pid(), instance.pidStartTicks());
		if (process.isEmpty()) {
			return;
		}
		List<ProcessInfo> tree = new ArrayList<>();
		collectDescendants(process.get().pid(), tree);
		boolean ended = false;
		if (!grace.isZero()) {
			signal(process.get().pid(), "TERM");
			ended = awaitGone(process.get(), grace);
		}
		if (!ended) {
			signal(process.get().pid(), "KILL");
		}
		for (ProcessInfo descendant : tree) {
			if (isSameAlive(descendant)) {
				signal(descendant.pid(), "KILL");
			}
		}
		requireGone(process.get(), instance);
		for (ProcessInfo descendant : tree) {
			requireGone(descendant, instance);
		}
	}

	private void collectDescendants(long pid, List<ProcessInfo> into) {
		for (long child : this.host.children(pid)) {
			Optional<ProcessInfo> info = this.host.process(child);
			if (info.isPresent()) {
				into.add(info.get());
				collectDescendants(child, into);
			}
		}
	}

	private void signal(long pid, String signal) {
		// The process may end on its own meanwhile; whether it did is checked afterwards.
		this.host.run(List.of("kill", "-s", signal, Long.toString(pid)));
	}

	private void requireGone(ProcessInfo process, Instance instance) {
		if (!awaitGone(process, KILL_WAIT)) {
			throw new CseException("process " + process.pid() + " (" + process.command() + ") of " + instance.name()
					+ " did not end after SIGKILL within " + KILL_WAIT.toSeconds() + " s (state "
					+ process.state() + "): retry 'cse stop " + instance.name() + "' later");
		}
	}

	private boolean awaitGone(ProcessInfo process, Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (isSameAlive(process)) {
			if (System.nanoTime() - deadline > 0) {
				return false;
			}
			pause();
		}
		return true;
	}

	private boolean isSameAlive(ProcessInfo process) {
		return alive(process.pid(), process.startTicks()).isPresent();
	}

	private Optional<ProcessInfo> alive(long pid, long startTicks) {
		if (pid <= 0 || startTicks <= 0) {
			return Optional.empty();
		}
		return this.host.process(pid).filter((info) -> !info.isZombie() && info.startTicks() == startTicks);
	}

	private void requirePidFree(Image image, List<Instance> existing) {
		long pid = image.pid();
		Optional<ProcessInfo> holder = this.host.process(pid);
		if (holder.isPresent()) {
			String by = holder.get().command()
					+ (holder.get().isZombie() ? ", which has ended but was not reaped by its parent yet" : "");
			throw new CseException("PID " + pid + " is still taken (by " + by
					+ "): wait for it to exit, or restore with --namespace");
		}
		for (Instance other : existing) {
			if (!other.namespaced() && other.pid() == pid && !"dead".equals(status(other))) {
				throw new CseException("PID " + pid + " is still taken (by instance " + other.name()
						+ ", being restored from the same image): wait for it to exit, or restore with --namespace");
			}
		}
	}

	private Instance newInstance(String name, Kind kind, Image image, String address, String namespace,
			String hostInterface, String bridge) {
		long self = ProcessHandle.current().pid();
		long selfTicks = this.host.process(self).map(ProcessInfo::startTicks).orElse(0L);
		return new Instance(name, kind, image.dir().toString(), image.id(), address, image.port(), image.healthPath(),
				namespace, hostInterface, bridge, 0, 0, 0, 0, null, Instance.STARTING, self, selfTicks,
				Instant.now().toString(), this.registry.logDir(name).toString());
	}

	/**
	 * Choose instance names that no registered instance has.
	 * @param requested the one name asked for, or {@code null}
	 * @param count how many names
	 * @param prefix names are {@code <prefix>-<n>}, lowest {@code n} first
	 * @param existing the registered instances
	 * @return the names
	 */
	static List<String> chooseNames(String requested, int count, String prefix, List<Instance> existing) {
		return chooseNames(requested, count, prefix, existing, Set.of());
	}

	/**
	 * Choose instance names that no registered instance has, and whose network namespace
	 * does not exist.
	 * @param requested the one name asked for, or {@code null}
	 * @param count how many names
	 * @param prefix names are {@code <prefix>-<n>}, lowest {@code n} first
	 * @param existing the registered instances
	 * @param namespaces the named network namespaces that exist
	 * @return the names
	 */
	static List<String> chooseNames(String requested, int count, String prefix, List<Instance> existing,
			Set<String> namespaces) {
		Set<String> taken = new HashSet<>();
		existing.forEach((instance) -> taken.add(instance.name()));
		if (requested != null) {
			Registry.requireValidName(requested);
			if (taken.contains(requested)) {
				throw new CseException("an instance named " + requested + " exists already (see 'cse ps'): stop it "
						+ "with 'cse stop " + requested + "', or choose another --name");
			}
			String namespace = NetworkNamespace.nameFor(requested);
			if (namespaces.contains(namespace)) {
				throw new CseException("network namespace " + namespace + " exists already, but no instance of this "
						+ "state folder has it: if nothing uses it, delete it with 'ip netns del " + namespace
						+ "'; or choose another --name");
			}
			return List.of(requested);
		}
		Registry.requireValidName(prefix + "-" + count);
		List<String> names = new ArrayList<>();
		for (int n = 1; names.size() < count; n++) {
			String name = prefix + "-" + n;
			if (!taken.contains(name) && !namespaces.contains(NetworkNamespace.nameFor(name))) {
				names.add(name);
			}
		}
		return names;
	}

	/**
	 * Choose addresses that no registered instance has: the lowest free ones from the
	 * subnet's {@link Subnet#FIRST_INSTANCE_INDEX}th up.
	 * @param subnet the bridge's subnet
	 * @param count how many addresses
	 * @param existing the registered instances
	 * @return the addresses
	 */
	static List<String> allocateAddresses(Subnet subnet, int count, List<Instance> existing) {
		return allocateAddresses(subnet, count, existing, Set.of());
	}

	/**
	 * Choose addresses that no registered instance has, and whose host interface does not
	 * exist.
	 * @param subnet the bridge's subnet
	 * @param count how many addresses
	 * @param existing the registered instances
	 * @param busyIndexes host indexes whose veth interface exists
	 * @return the addresses
	 */
	static List<String> allocateAddresses(Subnet subnet, int count, List<Instance> existing, Set<Integer> busyIndexes) {
		Set<Integer> used = new HashSet<>(busyIndexes);
		for (Instance instance : existing) {
			if (instance.namespaced() && instance.address() != null) {
				used.add(subnet.indexOf(instance.address()));
			}
		}
		List<String> addresses = new ArrayList<>();
		for (int index = Subnet.FIRST_INSTANCE_INDEX; index <= subnet.lastIndex() && addresses.size() < count; index++) {
			if (!used.contains(index)) {
				addresses.add(subnet.address(index));
			}
		}
		if (addresses.size() < count) {
			throw new CseException("no free address left in " + subnet + " for " + count + " more instances ("
					+ used.size() + " in use): stop some with 'cse stop', or stop all and recreate the bridge with a "
					+ "larger subnet ('cse net down', then 'cse net up --subnet 10.199.0.0/20')");
		}
		return addresses;
	}

	static String prefixFor(Image image, String fallback) {
		String application = image.manifest().application().name();
		if (application == null) {
			return fallback;
		}
		String prefix = application.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]+", "-").replaceAll("^-+|-+$", "");
		if (prefix.length() > 30) {
			prefix = prefix.substring(0, 30).replaceAll("-+$", "");
		}
		return prefix.isEmpty() ? fallback : prefix;
	}

	private static URI uri(Instance instance, String path) {
		return URI.create("http://" + instance.address() + ":" + instance.port() + path);
	}

	private Path prepareLogDir(String name) {
		Path dir = this.registry.logDir(name);
		deleteRecursively(dir);
		try {
			Files.createDirectories(dir.getParent(),
					PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
			Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
		}
		catch (IOException ex) {
			throw new CseException("cannot create " + dir + " (" + ex + "): run as root, or point --state-dir to a "
					+ "folder you may write", ex);
		}
		return dir;
	}

	/**
	 * What CRIU said about a failed restore: the last meaningful error lines of its log.
	 */
	static String criuSays(Path logDir, String output) {
		List<String> lines = new ArrayList<>();
		for (String file : List.of(Criu.RESTORE_LOG, LAUNCHER_LOG)) {
			try {
				Files.readAllLines(logDir.resolve(file), StandardCharsets.UTF_8).forEach(lines::add);
			}
			catch (IOException ex) {
				// no such log (yet)
			}
		}
		output.lines().forEach(lines::add);
		List<String> errors = lines.stream()
			.map(String::strip)
			.filter((line) -> line.contains("Error") || line.contains("error"))
			.filter((line) -> HARMLESS_CRIU_LINES.stream().noneMatch(line::contains))
			.toList();
		List<String> shown = errors.isEmpty()
				? lines.stream().map(String::strip).filter((line) -> !line.isEmpty()).toList() : errors;
		shown = shown.subList(Math.max(0, shown.size() - 3), shown.size());
		String said = shown.isEmpty() ? "CRIU logged nothing" : "CRIU said '" + String.join(" | ", shown) + "'";
		return said + " (logs in " + logDir + ")" + hint(lines);
	}

	/**
	 * What to do about the failures we know.
	 */
	private static String hint(List<String> lines) {
		if (lines.stream().anyMatch((line) -> line.contains("Can't open file") && line.contains("hsperfdata_"))) {
			return ". The image maps the JVM's performance data file in /tmp/hsperfdata_<user>, which was deleted "
					+ "(its JVM exited after the dump): take images of JVMs started with -XX:+PerfDisableSharedMem";
		}
		if (lines.stream().anyMatch((line) -> line.contains("Can't fork for") && line.contains("File exists"))) {
			return ". The image's pid is taken: restore with --namespace, or wait until the process with that pid "
					+ "has exited and was reaped";
		}
		if (lines.stream().anyMatch((line) -> line.contains("Address already in use"))) {
			return ". The image's port is taken: stop what listens on it, or restore with --namespace";
		}
		return "";
	}

	private static String messageOf(Throwable ex) {
		return (ex instanceof CseException) ? ex.getMessage() : ex.toString();
	}

	private static void downQuietly(Bridge bridge) {
		try {
			bridge.down();
		}
		catch (RuntimeException ex) {
			System.err.println("cse: could not delete the bridge " + bridge.name() + " this command created: "
					+ ex.getMessage() + "; delete it with 'cse net down'");
		}
	}

	private static void awaitTermination(ExecutorService executor) {
		try {
			if (!executor.awaitTermination(KILL_WAIT.toSeconds(), TimeUnit.SECONDS)) {
				executor.shutdownNow();
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private static void pause() {
		try {
			// Polling is all there is: neither the kernel nor the service tells when it is up.
			Thread.sleep(POLL_MILLIS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new Cancelled();
		}
	}

	static void deleteRecursively(Path dir) {
		if (!Files.exists(dir)) {
			return;
		}
		try {
			Files.walkFileTree(dir, new SimpleFileVisitor<>() {
				@Override
				public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
					Files.delete(file);
					return FileVisitResult.CONTINUE;
				}

				@Override
				public FileVisitResult postVisitDirectory(Path directory, IOException ex) throws IOException {
					Files.delete(directory);
					return FileVisitResult.CONTINUE;
				}
			});
		}
		catch (IOException ex) {
			throw new CseException("cannot delete " + dir + ": " + ex.getMessage(), ex);
		}
	}

	/**
	 * An instance that answered 200.
	 *
	 * @param instance the instance, as registered
	 * @param first200Millis milliseconds from the command's start to its first 200
	 * @param restoreMillis milliseconds from the start of its {@code criu restore} to its
	 * first 200: what a long-running agent would see
	 */
	public record Started(Instance instance, double first200Millis, double restoreMillis) {
	}

	private record Reservation(Bridge.State network, List<Instance> instances) {
	}

	/**
	 * A restore given up because another one failed, or the command is ending.
	 */
	private static final class Cancelled extends RuntimeException {

		private static final long serialVersionUID = 1L;

		Cancelled() {
			super("cancelled", null, false, false);
		}

	}

}
