package io.cse.node.instance;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import io.cse.node.CseException;
import io.cse.node.image.Image;
import io.cse.node.instance.Instance.Cgroups;
import io.cse.node.instance.Instance.Endpoint;
import io.cse.node.instance.Instance.Kind;
import io.cse.node.instance.Instance.Network;
import io.cse.node.instance.Instance.ProcessId;
import io.cse.node.instance.Instance.Source;
import io.cse.node.instance.Instance.State;
import io.cse.node.linux.Bridge;
import io.cse.node.linux.Cgroup;
import io.cse.node.linux.CommandResult;
import io.cse.node.linux.Criu;
import io.cse.node.linux.Host;
import io.cse.node.linux.NetworkNamespace;
import io.cse.node.linux.ProcessInfo;
import io.cse.node.linux.Subnet;
import io.cse.snapshot.ImageIdentity;
import io.cse.snapshot.ImageManifest;

/**
 * Restores images into instances and clones templates: the mechanism behind
 * {@code cse restore} and {@code cse clone}. Names, addresses and pids are reserved in the
 * registry under its lock first; {@link RollBack} removes them again if the restores fail.
 */
final class Restorer {

	private static final long POLL_MILLIS = 5;

	private final Host host;

	private final Registry registry;

	private final Reaper reaper;

	private final ServingProbe serving;

	private final RollBack rollBack;

	Restorer(Host host, HttpProbe probe, Registry registry, Reaper reaper, RollBack rollBack) {
		this.host = host;
		this.registry = registry;
		this.reaper = reaper;
		this.serving = new ServingProbe(probe, reaper, registry, POLL_MILLIS);
		this.rollBack = rollBack;
	}

	/**
	 * Restore an image in the host's namespaces: the restored process keeps its pid, so that
	 * pid must be free.
	 * @see Node#restore(Image, Criu, String, Deadline)
	 */
	Started restoreInHost(Image image, Criu criu, String requestedName, Deadline deadline) {
		Instance reserved = this.registry.locked(() -> {
			List<Instance> existing = this.registry.list();
			String name = Allocation
				.chooseNames(requestedName, 1, Allocation.prefixFor(image, "restore"), existing)
				.get(0);
			requirePidFree(image, existing);
			// The pid is recorded at once, as not yet verified (start time 0), so that a
			// concurrent restore of the same image sees it taken.
			Instance instance = newInstance(name, Kind.RESTORE, image, Allocation.HOST_ADDRESS, null)
				.withProcess(new ProcessId(image.pid(), 0));
			this.registry.save(instance);
			keepEndpointToken(name, image);
			return instance;
		});
		return this.rollBack.guard(List.of(reserved.name()), () -> {
			Path logDir = LogDirs.prepare(this.registry, reserved.name());
			List<String> command = new ArrayList<>();
			command.add("setsid");
			command.addAll(criu.restoreCommand(image.dir(), logDir, true));
			long restoreStart = System.nanoTime();
			CommandResult result = this.host.run(command);
			if (!result.succeeded()) {
				throw new CseException("criu restore of image " + image.id() + " failed (exit " + result.exitCode()
						+ "): " + CriuDiagnostics.criuSays(logDir, result.output()));
			}
			ProcessInfo process = this.host.process(image.pid())
				.filter((info) -> !info.isZombie())
				.orElseThrow(() -> new CseException("the restored process " + image.pid()
						+ " ended right after its restore: " + CriuDiagnostics.criuSays(logDir, result.output())));
			Instance restored = reserved.withProcess(new ProcessId(process.pid(), process.startTicks()));
			this.registry.save(restored);
			return List.of(awaitServing(restored, image, deadline, restoreStart, () -> false));
		}).get(0);
	}

	/**
	 * Restore an image in network and PID namespaces of its own, like one clone.
	 * @see Node#restoreInNamespace(Image, Criu, String, String, Deadline)
	 */
	Started restoreInNamespace(Image image, Criu criu, String requestedName, Bridge bridge, Deadline deadline) {
		return startInNamespaces(image, criu, Kind.RESTORE, requestedName, Allocation.prefixFor(image, "restore"), 1,
				1, bridge, false, deadline).get(0);
	}

	/**
	 * Restore a template image several times, each restore in network and PID namespaces
	 * of its own.
	 * @see Node#clone(Image, Criu, String, int, int, String, Deadline)
	 */
	List<Started> clone(Image image, Criu criu, String prefix, int count, int parallelism, Bridge bridge,
			boolean ownCgroups, Deadline deadline) {
		if (!image.isTemplate()) {
			throw new CseException("image " + image.id() + " is a dump of one instance (kind '"
					+ image.manifest().kind().value() + "'), not a template: its clones would all be the same instance; "
					+ "restore it once with 'cse restore', or take a template of the service to clone it");
		}
		if (count < 1) {
			throw new CseException("--count must be at least 1");
		}
		return startInNamespaces(image, criu, Kind.CLONE, null,
				(prefix != null) ? prefix : Allocation.prefixFor(image, "clone"), count, Math.max(1, parallelism),
				bridge, ownCgroups, deadline);
	}

	private List<Started> startInNamespaces(Image image, Criu criu, Kind kind, String requestedName, String prefix,
			int count, int parallelism, Bridge bridge, boolean ownCgroups, Deadline deadline) {
		if (ownCgroups) {
			Cgroup.requireUsable(this.host);
		}
		Reservation reservation = this.registry.locked(() -> {
			Bridge.State network = bridge.up(null);
			try {
				List<Instance> existing = this.registry.list();
				// Namespaces and interfaces that exist without an entry here (another state folder's,
				// or a crash's leftovers) are never taken: a roll-back would delete them.
				Set<String> namespaces = new HashSet<>(NetworkNamespace.namespaces(this.host));
				List<String> names = Allocation.chooseNames(requestedName, count, prefix, existing, namespaces);
				List<String> addresses = Allocation.allocateAddresses(network.subnet(), count, existing,
						Allocation.busyIndexes(this.host, bridge));
				List<Instance> instances = new ArrayList<>();
				for (int i = 0; i < count; i++) {
					String name = names.get(i);
					String address = addresses.get(i);
					Instance instance = newInstance(name, kind, image, address,
							new Network(NetworkNamespace.nameFor(name),
									NetworkNamespace.hostInterfaceFor(bridge.name(), network.subnet(), address),
									bridge.name()));
					this.registry.save(instance);
					keepEndpointToken(name, image);
					instances.add(instance);
				}
				return new Reservation(network, instances);
			}
			catch (RuntimeException ex) {
				if (network.created()) {
					RollBack.downQuietly(bridge);
				}
				throw ex;
			}
		});
		List<String> names = reservation.instances().stream().map(Instance::name).toList();
		return this.rollBack.guardNetwork(reservation.network().created() ? bridge : null,
				() -> this.rollBack.guard(names,
						() -> startAll(reservation, image, criu, parallelism, ownCgroups, deadline)));
	}

	private List<Started> startAll(Reservation reservation, Image image, Criu criu, int parallelism,
			boolean ownCgroups, Deadline deadline) {
		List<Instance> instances = reservation.instances();
		AtomicBoolean failed = new AtomicBoolean();
		AtomicInteger threads = new AtomicInteger();
		ExecutorService executor = Executors.newFixedThreadPool(Math.min(instances.size(), parallelism), (task) -> {
			Thread thread = new Thread(task, "cse-restore-" + threads.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		});
		BooleanSupplier cancelled = () -> failed.get() || this.rollBack.closing();
		this.rollBack.track(executor);
		try {
			List<Future<Started>> futures = new ArrayList<>();
			for (Instance instance : instances) {
				futures.add(executor.submit(() -> {
					if (cancelled.getAsBoolean()) {
						throw new Cancelled();
					}
					try {
						return startInNamespace(instance, image, criu, reservation.network().subnet(), ownCgroups,
								deadline, cancelled);
					}
					catch (RuntimeException ex) {
						failed.set(true);
						// interrupted by the roll-back on exit: not a failure of this restore's own
						throw this.rollBack.closing() ? new Cancelled() : ex;
					}
					catch (Error ex) {
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
						failure = new CseException(what + " failed: " + CseException.messageOf(ex.getCause()),
								ex.getCause());
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
				RollBack.awaitTermination(executor);
				throw failure;
			}
			return started;
		}
		finally {
			this.rollBack.untrack(executor);
		}
	}

	private Started startInNamespace(Instance reserved, Image image, Criu criu, Subnet subnet, boolean ownCgroups,
			Deadline deadline, BooleanSupplier cancelled) {
		Network placement = reserved.network();
		NetworkNamespace network = new NetworkNamespace(this.host, placement.namespace(), placement.hostInterface(),
				placement.bridge(), subnet, reserved.endpoint().address());
		Path logDir = LogDirs.prepare(this.registry, reserved.name());
		network.create();
		if (cancelled.getAsBoolean()) {
			throw new Cancelled();
		}
		// setsid: the restored tree must not get this terminal's signals. unshare --fork: the
		// process that runs criu becomes the PID namespace's init; criu stays attached (no
		// --restore-detached), since the namespace, and the clone, ends when it exits.
		// --kill-child: killing unshare takes the namespace down too.
		List<String> launch = new ArrayList<>(network.execPrefix());
		launch.addAll(List.of("unshare", "--pid", "--fork", "--kill-child", "--mount-proc"));
		launch.addAll(criu.restoreCommand(image.dir(), logDir, false));
		if (ownCgroups) {
			// The launcher enters the groups before it runs criu, so that the whole restored tree
			// is in them (criu leaves restored tasks where it runs: --manage-cgroups=ignore) and
			// the clone can be frozen and squeezed like a service 'cse run' started.
			// the entry names the groups before they exist: an agent killed in between leaves
			// groups that its next start finds (see Reconciler)
			Cgroup cgroup = Cgroup.of(this.host, reserved.name());
			cgroup.requireAbsent();
			reserved = reserved.withCgroups(new Cgroups(cgroup.freezer().toString(), cgroup.memory().toString()));
			this.registry.save(reserved);
			cgroup.create();
			launch = cgroup.wrap(launch);
		}
		List<String> command = new ArrayList<>();
		command.add("setsid");
		command.addAll(launch);
		long restoreStart = System.nanoTime();
		long launcherPid = this.host.start(command, logDir.resolve(CriuDiagnostics.LAUNCHER_LOG));
		long launcherTicks = this.host.process(launcherPid).map(ProcessInfo::startTicks).orElse(0L);
		Instance launched = reserved.withLauncher(new ProcessId(launcherPid, launcherTicks));
		this.registry.save(launched);
		ProcessInfo init = awaitNamespaceInit(launched, deadline, cancelled);
		Instance withInit = launched.withProcess(new ProcessId(init.pid(), init.startTicks()));
		this.registry.save(withInit);
		return awaitServing(withInit, image, deadline, restoreStart, cancelled);
	}

	private ProcessInfo awaitNamespaceInit(Instance instance, Deadline deadline, BooleanSupplier cancelled) {
		Path logDir = this.registry.logDir(instance.name());
		while (true) {
			for (long child : this.host.children(instance.launcher().pid())) {
				Optional<ProcessInfo> info = this.host.process(child);
				if (info.isPresent() && info.get().isNamespaceInit() && !info.get().isZombie()) {
					return info.get();
				}
			}
			if (this.reaper.alive(instance.launcher()).isEmpty()) {
				throw new CseException("the restore in " + instance.network().namespace() + " ended at once: "
						+ CriuDiagnostics.criuSays(logDir, ""));
			}
			if (deadline.expired()) {
				throw CseException.timedOut("the PID namespace of " + instance.name() + " did not start within "
						+ deadline.describe() + ": see " + logDir.resolve(CriuDiagnostics.LAUNCHER_LOG));
			}
			if (cancelled.getAsBoolean()) {
				throw new Cancelled();
			}
			Poll.pause(POLL_MILLIS);
		}
	}

	private Started awaitServing(Instance instance, Image image, Deadline deadline, long restoreStart,
			BooleanSupplier cancelled) {
		Path logDir = this.registry.logDir(instance.name());
		return this.serving.awaitServing(instance, true, resumedInstanceId(image), deadline, restoreStart,
				() -> cancelled.getAsBoolean() || this.rollBack.closing(),
				new ServingProbe.Advice(() -> CriuDiagnostics.criuSays(logDir, ""),
						"see its restore's logs in " + logDir + ", or give it longer with --timeout"));
	}

	/**
	 * The id of the instance a restore brings back, where the image tells it: a dump's
	 * restore resumes the instance the dump holds, with its id. A template's restores are
	 * clones, each with an id of its own that only the clone can tell.
	 * @return the id, or {@code null} to ask the restored instance
	 */
	private static String resumedInstanceId(Image image) {
		ImageIdentity identity = image.manifest().identity();
		return (image.isTemplate() || identity == null || identity.instanceId().isBlank()) ? null
				: identity.instanceId();
	}

	private void requirePidFree(Image image, List<Instance> existing) {
		long pid = image.pid();
		Optional<ProcessInfo> holder = this.host.process(pid);
		if (holder.isPresent()) {
			String by = holder.get().command()
					+ (holder.get().isZombie() ? ", which has ended but was not reaped by its parent yet" : "");
			throw CseException.refused("PID " + pid + " is still taken (by " + by
					+ "): wait for it to exit, or restore with --namespace");
		}
		for (Instance other : existing) {
			if (!other.namespaced() && other.process().pid() == pid
					&& this.reaper.liveness(other) != Liveness.DEAD) {
				throw CseException.refused("PID " + pid + " is still taken (by instance " + other.name()
						+ ", being restored from the same image): wait for it to exit, or restore with --namespace");
			}
		}
	}

	/**
	 * Keep the token that the image's endpoint wants, for every call to the restored
	 * instance: it holds the token of the instance the image was taken from.
	 */
	private void keepEndpointToken(String name, Image image) {
		String token = image.endpointToken();
		if (token != null) {
			this.registry.saveEndpointToken(name, token);
		}
	}

	/**
	 * Where an instance restored from an image answers: its application port, and the
	 * ports and paths of its health check and its CSE endpoint, as the image's manifest
	 * records them (a management port of its own, if it has one).
	 */
	private static Endpoint endpointOf(Image image, String address) {
		ImageManifest.Application application = image.manifest().application();
		return new Endpoint(address, image.port(), image.healthPath(), application.healthPort(),
				application.endpointPort(), application.endpointPath());
	}

	private Instance newInstance(String name, Kind kind, Image image, String address, Network network) {
		long self = ProcessHandle.current().pid();
		long selfTicks = this.host.process(self).map(ProcessInfo::startTicks).orElse(0L);
		return new Instance(name, kind, State.STARTING, null, new Source(image.dir().toString(), image.id()),
				endpointOf(image, address), network, ProcessId.NONE, ProcessId.NONE,
				new ProcessId(self, selfTicks), null, Instant.now().toString(), this.registry.logDir(name).toString());
	}

	private record Reservation(Bridge.State network, List<Instance> instances) {
	}

}
