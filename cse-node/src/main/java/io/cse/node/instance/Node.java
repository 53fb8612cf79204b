package io.cse.node.instance;

import java.time.Duration;
import java.util.List;

import io.cse.node.CseException;
import io.cse.node.image.Image;
import io.cse.node.linux.Bridge;
import io.cse.node.linux.Criu;
import io.cse.node.linux.Host;
import io.cse.node.linux.NetworkNamespace;
import io.cse.node.linux.Subnet;

/**
 * The node agent's operations on the instances of one state folder: one method for each
 * command of {@code cse}, each giving back what it did as data. The command line and a
 * resident agent both work through this class; everything behind it is package-private.
 * <p>
 * Every operation that starts instances either ends with them serving and registered, or
 * removes everything it did but their logs.
 */
public final class Node {

	/**
	 * The lowest memory limit a squeeze goes down to, unless told otherwise.
	 */
	public static final long DEFAULT_SQUEEZE_FLOOR = 4L * 1024 * 1024;

	/**
	 * The most freezes and thaws a template rehearses before its image: each is a full
	 * quiesce of the service, and 3 is what pools were measured with.
	 */
	public static final int MAX_REHEARSALS = 10;

	private final Host host;

	private final Registry registry;

	private final Reaper reaper;

	private final Stopper stopper;

	private final CgroupServices services;

	private final RollBack rollBack;

	private final Restorer restorer;

	private final Reconciler reconciler;

	private final Snapshotter snapshotter;

	private final Rehearsal rehearsal;

	/**
	 * A node working through the given seams on the given registry.
	 * @param context the host and HTTP seams
	 * @param registry the registry of the state folder
	 */
	public Node(NodeContext context, Registry registry) {
		this.host = context.host();
		this.registry = registry;
		this.reaper = new Reaper(this.host);
		ZramSwap swap = new ZramSwap(this.host, registry);
		this.stopper = new Stopper(this.host, registry, this.reaper, swap);
		this.services = new CgroupServices(this.host, context.probe(), registry, this.reaper, this.stopper, swap);
		this.rollBack = new RollBack(this.host, registry, this.stopper);
		this.restorer = new Restorer(this.host, context.probe(), registry, this.reaper, this.rollBack);
		this.reconciler = new Reconciler(this.host, context.probe(), registry, this.reaper, this.stopper);
		this.snapshotter = new Snapshotter(this.host, context.probe(), registry, this.reaper);
		this.rehearsal = new Rehearsal(this.services, context.probe(), registry);
	}

	/**
	 * The registry this node works on.
	 * @return the registry
	 */
	public Registry registry() {
		return this.registry;
	}

	/**
	 * Start a service in cgroups of its own, wait until {@code /actuator/cse} answers 200,
	 * and register it: {@code cse run}.
	 * @param name the instance's name
	 * @param port the service's HTTP port
	 * @param command the service's command
	 * @param deadline when it must answer
	 * @return the serving instance, and how long it took
	 * @throws CseException if anything fails; the process, the cgroups and the registry
	 * entry are gone then (the log stays)
	 */
	public Started run(String name, int port, List<String> command, Deadline deadline) {
		return run(name, port, port, Instance.Endpoint.DEFAULT_ENDPOINT_PATH, command, deadline);
	}

	/**
	 * Start a service whose actuator is on a management port of its own, or under another
	 * base path, as {@link #run(String, int, List, Deadline)} does: the agent waits for its
	 * CSE endpoint there, and freezes and thaws it there.
	 * @param name the instance's name
	 * @param port the service's HTTP port
	 * @param managementPort the port of its actuator ({@code management.server.port}), or
	 * {@code port}
	 * @param endpointPath the CSE endpoint's path on that port
	 * @param command the command that starts it
	 * @param deadline when it must answer 200
	 * @return the started instance
	 */
	public Started run(String name, int port, int managementPort, String endpointPath, List<String> command,
			Deadline deadline) {
		return this.services.run(name, new Instance.Endpoint(Allocation.HOST_ADDRESS, port, endpointPath,
				managementPort, managementPort, endpointPath), command, deadline);
	}

	/**
	 * Quiesce a service {@link #run} started and freeze its cgroup; with a squeeze, push its
	 * memory out to compressed swap: {@code cse freeze [--squeeze]}.
	 * @param name the instance's name
	 * @param squeeze whether to squeeze
	 * @param floorBytes the lowest memory limit a squeeze tries
	 * ({@link #DEFAULT_SQUEEZE_FLOOR})
	 * @return the footprint before and after, and how long each step took
	 * @throws CseException if the service refuses to freeze (it keeps running) or the
	 * cgroup does not freeze (it is thawed again)
	 */
	public Frozen freeze(String name, boolean squeeze, long floorBytes) {
		return freeze(name, squeeze, floorBytes, Deadline.none());
	}

	/**
	 * Freeze as {@link #freeze(String, boolean, long)} does, within a deadline: a freeze
	 * that does not end by then is called off, and the service runs as before:
	 * {@code cse freeze --timeout}.
	 * @param name the instance's name
	 * @param squeeze whether to squeeze
	 * @param floorBytes the lowest memory limit a squeeze tries
	 * @param deadline when the freeze, and the squeeze, must have ended
	 * @return the footprint before and after, and how long each step took
	 * @throws CseException if the service refuses to freeze, or does not freeze in time
	 * (it keeps running; {@link CseException.Reason#TIMED_OUT} for the second)
	 */
	public Frozen freeze(String name, boolean squeeze, long floorBytes, Deadline deadline) {
		return this.services.freeze(name, squeeze, floorBytes, deadline);
	}

	/**
	 * Restore a frozen service's memory limit, thaw its cgroup, let it resume, and wait
	 * for its first 200 on {@code /}: {@code cse thaw}.
	 * @param name the instance's name
	 * @return how long each step took
	 * @throws CseException if a step fails
	 */
	public Thawed thaw(String name) {
		return thaw(name, Deadline.none());
	}

	/**
	 * Thaw as {@link #thaw(String)} does, within a deadline: {@code cse thaw --timeout}. A
	 * thaw cannot be called off: a service that has not confirmed its resume by then goes
	 * on resuming.
	 * @param name the instance's name
	 * @param deadline when the service must have answered its thaw
	 * @return how long each step took
	 * @throws CseException if a step fails, or the service does not answer in time
	 * ({@link CseException.Reason#TIMED_OUT})
	 */
	public Thawed thaw(String name, Deadline deadline) {
		return this.services.thaw(name, deadline);
	}

	/**
	 * Wait until a connection to a frozen service's port waits in its listening socket's
	 * queue, then thaw it as {@link #thaw(String)} does: {@code cse thaw --on-request}.
	 * @param name the instance's name
	 * @param deadline when a connection must have come, and the thaw after it ended
	 * @return how long each step of the thaw took, from the moment the connection was seen
	 * @throws CseException if the service is not frozen, or no connection came in time
	 */
	public Thawed thawOnRequest(String name, Deadline deadline) {
		return this.services.thawOnRequest(name, deadline);
	}

	/**
	 * Ask a running instance for a snapshot of itself and, if asked, wait until its image
	 * is complete: {@code cse snapshot}. Only the service can take it (its CSE endpoint's
	 * {@code clone} or {@code dump}), in the images folder it is configured with.
	 * @param name the instance's name
	 * @param template a clone template (the service keeps running) rather than a dump (it
	 * stops once the image is complete)
	 * @param imageName the image folder's name, or {@code null} for one the service makes up
	 * @param wait whether to wait until the image is complete
	 * @param deadline when it must be
	 * @return the image
	 * @throws CseException if the instance is not running, is frozen, refuses, or its
	 * snapshot fails or does not end in time ({@link CseException.Reason#TIMED_OUT})
	 */
	public Snapshot snapshot(String name, boolean template, String imageName, boolean wait, Deadline deadline) {
		return this.snapshotter.snapshot(name, template, imageName, wait, deadline);
	}

	/**
	 * Take a clone template as {@link #snapshot} does, after freezing and thawing the
	 * service as a pool does its clones, {@code cycles} times, each thaw followed by
	 * requests to {@code path}: its clones then find more of that path compiled.
	 * {@code cse snapshot --template --rehearse N}.
	 * @param name the instance's name, run in cgroups of its own ({@code cse run})
	 * @param imageName the image folder's name, or {@code null} for one the service makes up
	 * @param cycles how many freezes and thaws, 1 to {@value #MAX_REHEARSALS}
	 * @param path the path on its application port to ask for after each thaw
	 * @param wait whether to wait until the image is complete
	 * @param deadline when the rehearsals and the image must be done
	 * @return the image, with the time the rehearsals took
	 * @throws CseException as {@link #snapshot} does, and if a freeze or a thaw fails or the
	 * service answers no request after a thaw (no image is taken then)
	 */
	public Snapshot rehearsedTemplate(String name, String imageName, int cycles, String path, boolean wait,
			Deadline deadline) {
		if (cycles < 1 || cycles > MAX_REHEARSALS) {
			throw new IllegalArgumentException("a template rehearses 1 to " + MAX_REHEARSALS + " times, not " + cycles);
		}
		double millis = this.rehearsal.rehearse(name, cycles, path, deadline);
		return this.snapshotter.snapshot(name, true, imageName, wait, deadline).rehearsed(cycles, millis);
	}

	/**
	 * How many connections to an instance's port wait for it: more than none on a frozen
	 * instance means someone wants it thawed.
	 * @param instance the instance
	 * @return the connections in its listening socket's queue, and those it holds
	 */
	public int waitingConnections(Instance instance) {
		return this.services.waitingConnections(instance);
	}

	/**
	 * The state of an instance's freezer group.
	 * @param instance the instance
	 * @return {@code FROZEN}, {@code THAWED}, {@code FREEZING}, {@code GONE}, or
	 * {@code null} for an instance in no cgroup of its own
	 */
	public String freezerState(Instance instance) {
		return this.services.freezerState(instance);
	}

	/**
	 * Restore an image in the host's namespaces: {@code cse restore}. The restored process
	 * keeps its pid, so that pid must be free.
	 * @param image the image
	 * @param criu the CRIU to restore with
	 * @param name the instance's name, or {@code null} for one made from the image's
	 * application name
	 * @param deadline when the instance must serve
	 * @return the serving instance
	 * @throws CseException if anything fails; nothing but its logs is left behind then
	 */
	public Started restore(Image image, Criu criu, String name, Deadline deadline) {
		return this.restorer.restoreInHost(image, criu, name, deadline);
	}

	/**
	 * Restore an image in network and PID namespaces of its own, like one clone:
	 * {@code cse restore --namespace}.
	 * @param image the image
	 * @param criu the CRIU to restore with
	 * @param name the instance's name, or {@code null} for one made from the image's
	 * application name
	 * @param bridge the name of the host bridge, brought up if needed
	 * ({@link Bridge#DEFAULT_NAME})
	 * @param deadline when the instance must serve
	 * @return the serving instance
	 * @throws CseException if anything fails; nothing but its logs is left behind then
	 */
	public Started restoreInNamespace(Image image, Criu criu, String name, String bridge, Deadline deadline) {
		return this.restorer.restoreInNamespace(image, criu, name, new Bridge(this.host, bridge), deadline);
	}

	/**
	 * Restore a template image several times, each restore in network and PID namespaces
	 * of its own: {@code cse clone}.
	 * @param image the image, a template
	 * @param criu the CRIU to restore with
	 * @param prefix the clones are named {@code <prefix>-<n>}; {@code null} for the image's
	 * application name
	 * @param count how many clones
	 * @param parallelism how many restores may run at the same time
	 * @param bridge the name of the host bridge, brought up if needed
	 * @param freezable whether each clone gets cgroups of its own, so that {@link #freeze}
	 * and {@link #thaw} work on it as on a service {@link #run} started
	 * @param deadline when every clone must serve
	 * @return the serving clones, in the order of their names
	 * @throws CseException if any clone fails; the others are stopped and nothing but their
	 * logs is left behind then
	 */
	public List<Started> clone(Image image, Criu criu, String prefix, int count, int parallelism, String bridge,
			boolean freezable, Deadline deadline) {
		return this.restorer.clone(image, criu, prefix, count, parallelism, new Bridge(this.host, bridge), freezable,
				deadline);
	}

	/**
	 * Undo, when this JVM ends (Ctrl-C), whatever a restore or clone of this node has not
	 * finished. For a command that ends with its operation; a resident agent has its own
	 * shutdown.
	 */
	public void rollBackOnExit() {
		this.rollBack.onExit();
	}

	/**
	 * Make the host agree with the registry again after an agent was killed: adopt the
	 * instances that run; remove dead ones and roll back starts whose {@code cse} process
	 * is gone, with everything they held; thaw services whose freeze or thaw was not
	 * confirmed; remove what this state folder's instances made that no entry names; turn
	 * off the zram swap no service needs. For a resident agent when it starts, before it
	 * answers requests: never while another operation of this node runs.
	 * @return one finding for each instance and each leftover, and what was done
	 * @throws CseException if the registry cannot be read
	 */
	public ReconcileReport reconcile() {
		return this.reconciler.reconcile();
	}

	/**
	 * The registered instances and what they are doing: {@code cse ps}.
	 * @return every instance in the registry, by name
	 */
	public List<InstanceStatus> list() {
		return this.registry.list()
			.stream()
			.map((instance) -> new InstanceStatus(instance, this.reaper.liveness(instance),
					this.services.freezerState(instance)))
			.toList();
	}

	/**
	 * What an instance that {@code run} started uses now: CPU time, resident and charged
	 * memory, and what zram holds.
	 * @param instance the instance; it must have cgroups of its own
	 * @return its footprint; -1 for what cannot be read
	 */
	public Footprint footprint(Instance instance) {
		return this.services.footprint(instance);
	}

	/**
	 * Stop an instance and remove everything it used: its processes (asked with SIGTERM
	 * first, killed after the grace period), its network namespace and veth pair, its
	 * cgroups, its registry entry, its logs if asked; and the zram swap a squeeze turned on, once
	 * no service {@link #run} started is left: {@code cse stop}. An instance that is already
	 * dead only loses what is left. A pid that was reused by another process is never
	 * signalled.
	 * @param name the instance's name
	 * @param grace how long its service may take to stop after SIGTERM
	 * @param purge whether its logs go too: kept by default, for whoever wants to know
	 * why it stopped
	 * @return the instance as it was, and what it was doing
	 * @throws CseException if there is no such instance, or a process does not end or
	 * something cannot be removed; the registry entry then stays, so that the stop can be
	 * retried
	 */
	public Stopped stop(String name, Duration grace, boolean purge) {
		Instance instance = this.registry.find(name)
			.orElseThrow(() -> CseException.notFound("no instance named " + name + " (see 'cse ps')"));
		Liveness before = this.reaper.liveness(instance);
		this.stopper.stop(instance, grace, purge);
		if (instance.namespaced()) {
			// the last clone stopped leaves the mounts as they were before the first
			this.stopper.releaseNamespaceMountIfUnused();
		}
		return new Stopped(instance, before);
	}

	/**
	 * Create the host bridge that instances in namespaces hang on, and bring it up:
	 * {@code cse net up}. Does nothing that is done already.
	 * @param bridge the bridge's name ({@link Bridge#DEFAULT_NAME})
	 * @param subnet its subnet, or {@code null} for the one it has, else
	 * {@link Subnet#DEFAULT}
	 * @return its subnet, and whether this call created it
	 */
	public Bridge.State netUp(String bridge, Subnet subnet) {
		Bridge up = new Bridge(this.host, bridge);
		return this.registry.locked(() -> up.up(subnet));
	}

	/**
	 * Delete the host bridge: {@code cse net down}.
	 * @param bridge the bridge's name
	 * @return whether there was a bridge to delete
	 * @throws CseException while instances use it
	 */
	public boolean netDown(String bridge) {
		Bridge down = new Bridge(this.host, bridge);
		return this.registry.locked(() -> {
			List<String> users = this.registry.list()
				.stream()
				.filter((instance) -> instance.namespaced() && down.name().equals(instance.network().bridge()))
				.map(Instance::name)
				.toList();
			if (!users.isEmpty()) {
				throw CseException.refused("bridge " + down.name() + " is used by " + users.size() + " instance"
						+ ((users.size() == 1) ? "" : "s") + " (" + String.join(", ", users)
						+ "): stop them first with 'cse stop --all'");
			}
			List<String> attached = down.attachedInterfaces();
			if (!attached.isEmpty()) {
				throw new CseException("bridge " + down.name() + " still has interfaces attached ("
						+ String.join(", ", attached) + "), of instances this state folder does not know: stop "
						+ "them with 'cse stop --all --state-dir <their state folder>', or delete the interfaces "
						+ "with 'ip link del <name>'");
			}
			boolean deleted = down.down();
			NetworkNamespace.releaseMountIfUnused(this.host);
			return deleted;
		});
	}

}
