package io.cse.node.instance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicReference;

import io.cse.node.CseException;
import io.cse.node.instance.Instance.Cgroups;
import io.cse.node.instance.Instance.Endpoint;
import io.cse.node.instance.Instance.Freeze;
import io.cse.node.instance.Instance.Kind;
import io.cse.node.instance.Instance.ProcessId;
import io.cse.node.instance.Instance.Source;
import io.cse.node.instance.Instance.State;
import io.cse.node.linux.Cgroup;
import io.cse.node.linux.Host;
import io.cse.node.linux.ProcessInfo;
import io.cse.node.linux.Zram;

/**
 * Services that the node agent starts itself in cgroups, and freezes: the mechanism behind
 * {@code cse run}, {@code freeze} and {@code thaw}.
 * <p>
 * A service runs in cgroup v1 {@code freezer} and {@code memory} groups of its own,
 * entered before its JVM starts. A freeze asks the service to quiesce
 * ({@code POST /actuator/cse/freeze}) and then freezes the group, so that it uses no CPU;
 * a squeeze then lowers the group's memory limit so that the kernel pushes its pages to
 * zram. A thaw undoes both in the opposite order.
 */
final class CgroupServices {

	/**
	 * How long a cgroup may take to freeze, thaw or empty.
	 */
	static final Duration CGROUP_TIMEOUT = Duration.ofSeconds(10);

	private static final String FREEZE = "/freeze";

	private static final String HOLD_REQUESTS = "?thawOnRequest=false";

	static final String THAW = "/thaw";

	/**
	 * The environment variable that tells a service where its endpoint token is: Spring
	 * Boot reads it as {@code cse.endpoint.token-file}.
	 */
	static final String TOKEN_FILE_VARIABLE = "CSE_ENDPOINT_TOKENFILE";

	private static final SecureRandom RANDOM = new SecureRandom();

	private static final Duration RESUME_TIMEOUT = Duration.ofSeconds(30);

	private static final long POLL_MILLIS = 2;

	private static final long CLOCK_TICKS_PER_SECOND = 100;

	private final Host host;

	private final HttpProbe probe;

	private final Registry registry;

	private final Reaper reaper;

	private final ServingProbe serving;

	private final Stopper stopper;

	private final ZramSwap swap;

	CgroupServices(Host host, HttpProbe probe, Registry registry, Reaper reaper, Stopper stopper, ZramSwap swap) {
		this.host = host;
		this.probe = probe;
		this.registry = registry;
		this.reaper = reaper;
		this.serving = new ServingProbe(probe, reaper, registry, POLL_MILLIS);
		this.stopper = stopper;
		this.swap = swap;
	}

	/**
	 * The cgroup a service runs in, found from its name: never from the paths its state
	 * file records, which whoever could write that file could point at any group (or any
	 * file the agent then writes "FROZEN" into, or removes).
	 * @param host the host
	 * @param instance the instance, which has cgroups
	 * @return its cgroup
	 */
	static Cgroup cgroupOf(Host host, Instance instance) {
		return Cgroup.of(host, instance.name());
	}

	/**
	 * Start a service in cgroups of its own, wait until its CSE endpoint answers 200, and
	 * register it.
	 * @see Node#run(String, int, List, Deadline)
	 */
	Started run(String name, Endpoint endpoint, List<String> command, Deadline deadline) {
		Cgroup.requireUsable(this.host);
		Cgroup cgroup = Cgroup.of(this.host, name);
		Instance reserved = this.registry.locked(() -> {
			Allocation.chooseNames(name, 1, name, this.registry.list());
			cgroup.requireAbsent();
			long self = ProcessHandle.current().pid();
			long selfTicks = this.host.process(self).map(ProcessInfo::startTicks).orElse(0L);
			Instance instance = new Instance(name, Kind.RUN, State.STARTING, null, new Source(null, "-"),
					endpoint, null, ProcessId.NONE,
					ProcessId.NONE, new ProcessId(self, selfTicks),
					new Cgroups(cgroup.freezer().toString(), cgroup.memory().toString()), Instant.now().toString(),
					this.registry.logDir(name).toString());
			// The entry first, then the groups: an agent killed in between leaves groups that
			// an entry names, which its next start removes (see Reconciler).
			this.registry.save(instance);
			this.registry.saveEndpointToken(name, newEndpointToken());
			try {
				cgroup.create();
			}
			catch (RuntimeException ex) {
				this.registry.remove(name);
				throw ex;
			}
			return instance;
		});
		AtomicReference<Instance> current = new AtomicReference<>(reserved);
		// Ctrl-C while the service starts: leave nothing behind but its log.
		Thread rollBack = new Thread(() -> {
			try {
				this.stopper.stop(current.get(), Duration.ZERO, false);
				System.err.println("cse: interrupted; stopped " + name + " and removed its cgroups");
			}
			catch (RuntimeException ex) {
				System.err.println("cse: could not clean up " + name + ": " + CseException.messageOf(ex));
			}
		}, "cse-roll-back");
		Runtime.getRuntime().addShutdownHook(rollBack);
		try {
			// The service's endpoint wants the token from then on (cse.endpoint.token-file),
			// if its starter knows the setting; an image of it carries the token along.
			List<String> withToken = new ArrayList<>();
			withToken.add("env");
			withToken.add(TOKEN_FILE_VARIABLE + "=" + this.registry.endpointTokenFile(name));
			withToken.addAll(command);
			return start(current, withToken, cgroup, deadline);
		}
		finally {
			try {
				Runtime.getRuntime().removeShutdownHook(rollBack);
			}
			catch (IllegalStateException ex) {
				// the JVM is shutting down: the hook runs
			}
		}
	}

	/**
	 * A token for the endpoint of a service this agent starts: 32 random bytes, in
	 * base64url.
	 */
	static String newEndpointToken() {
		byte[] token = new byte[32];
		RANDOM.nextBytes(token);
		return Base64.getUrlEncoder().withoutPadding().encodeToString(token);
	}

	private Started start(AtomicReference<Instance> current, List<String> command, Cgroup cgroup, Deadline deadline) {
		Instance instance = current.get();
		String name = instance.name();
		Path log = instance.serviceLog();
		try {
			Files.createDirectories(log.getParent());
			List<String> wrapped = new ArrayList<>();
			// a session of its own: a Ctrl-C at the terminal of 'cse run' does not reach the service
			wrapped.add("setsid");
			wrapped.addAll(cgroup.wrap(command));
			long start = System.nanoTime();
			long pid = this.host.start(wrapped, log);
			ProcessInfo process = this.host.process(pid)
				.orElseThrow(() -> new CseException(name + " ended at once: " + LogDirs.tail(log)));
			instance = instance.withProcess(new ProcessId(pid, process.startTicks()));
			current.set(instance);
			this.registry.save(instance);
			return this.serving.awaitServing(instance, false, deadline, start, () -> false,
					new ServingProbe.Advice(() -> LogDirs.tail(log),
							"see its log " + log + ", check that it listens on --port " + instance.endpoint().port()
									+ " and exposes the cse endpoint, or give it longer with --timeout"));
		}
		catch (IOException | RuntimeException ex) {
			try {
				this.stopper.stop(current.get(), Duration.ZERO, false);
			}
			catch (RuntimeException cleanup) {
				ex.addSuppressed(cleanup);
				throw new CseException(CseException.messageOf(ex) + "; could not clean up ("
						+ CseException.messageOf(cleanup) + "): remove what is left with 'cse stop " + name + "'", ex);
			}
			throw (ex instanceof CseException cse) ? cse : new CseException(CseException.messageOf(ex), ex);
		}
	}

	/**
	 * Quiesce a service and freeze its cgroup; with a squeeze, push its memory out to
	 * compressed swap. A freeze that does not end by the deadline is called off: the
	 * service runs as before.
	 * @see Node#freeze(String, boolean, long, Deadline)
	 */
	Frozen freeze(String name, boolean squeeze, long floor, Deadline deadline) {
		Instance instance = requireRunInstance(name);
		Cgroup cgroup = cgroupOf(this.host, instance);
		if (Cgroup.FROZEN.equals(cgroup.state())) {
			throw new CseException(name + " is frozen already: thaw it with 'cse thaw " + name + "'");
		}
		Footprint before = footprint(instance, cgroup);
		// Recorded before the service is asked: an agent killed from here until the freeze is
		// confirmed leaves FREEZING, and its next start thaws the service.
		String token = this.registry.endpointToken(instance.name());
		// How long the service may take, from its status: kept for the thaw, which asks nothing first
		Duration timeout = this.serving.operationTimeout(instance, token);
		instance = record(instance, instance.cgroups().withFreeze(Freeze.FREEZING).withOperationTimeout(timeout));
		long start = System.nanoTime();
		// thawOnRequest=false: a request that reaches the service before its cgroup is frozen
		// waits for the agent's thaw, rather than thaw it inside a group about to freeze
		Duration wait = deadline.within(timeout);
		Optional<HttpProbe.Answer> answer = this.probe.post(instance.endpoint().endpointUri(FREEZE + HOLD_REQUESTS),
				token, wait);
		if (answer.isEmpty()) {
			// No answer in time: the service may still be quiescing, and must not be left half-way
			callOffQuiesce(instance, token, timeout);
			boolean callersLimit = wait.compareTo(timeout) < 0;
			String what = name + " did not answer its freeze (POST " + instance.endpoint().endpointUri(FREEZE).getPath()
					+ ") within " + (callersLimit ? deadline.describe() : timeout.toSeconds() + " s");
			String after = ": the freeze was called off and it runs as before. See its log " + instance.serviceLog();
			throw callersLimit ? CseException.timedOut(what + after + ", or give it longer with --timeout")
					: new CseException(what + after);
		}
		if (answer.get().status() != 200) {
			record(instance, instance.cgroups().withFreeze(Freeze.THAWED));
			throw new CseException(name + " refused to freeze: POST " + instance.endpoint().endpointUri(FREEZE).getPath()
					+ " answered " + answer.get().status() + " " + answer.get().body().strip()
					+ "; it keeps running. See its log " + instance.serviceLog());
		}
		double quiesced = (System.nanoTime() - start) / 1e6;
		try {
			cgroup.freeze(deadline.within(CGROUP_TIMEOUT));
		}
		catch (RuntimeException ex) {
			this.probe.post(instance.endpoint().endpointUri(THAW), token);
			record(instance, instance.cgroups().withFreeze(Freeze.THAWED));
			throw deadline.expired() ? CseException.timedOut(name + "'s cgroup did not freeze within "
					+ deadline.describe() + " (" + CseException.messageOf(ex) + "): the freeze was called off and it "
					+ "runs as before; give it longer with --timeout") : ex;
		}
		double frozen = (System.nanoTime() - start) / 1e6;
		boolean swapSetUp = false;
		boolean squeezedInTime = true;
		try {
			if (squeeze) {
				swapSetUp = this.swap.ensureOn();
				long limit = cgroup.limit().orElseThrow(() -> new CseException("cgroup " + cgroup.memory() + " is gone"));
				instance = record(instance, instance.cgroups().withLimitBeforeSqueeze(limit));
				squeezedInTime = squeezeDown(cgroup, floor, deadline);
			}
		}
		finally {
			// frozen, whether or not the squeeze got far: confirmed
			record(instance, instance.cgroups().withFreeze(Freeze.FROZEN));
		}
		if (!squeezedInTime) {
			// All or nothing: a caller told "timed out" expects the service as it was
			thaw(name, Deadline.none());
			throw CseException.timedOut(name + " froze, but its squeeze did not end within " + deadline.describe()
					+ ": it was thawed again and runs as before; give it longer with --timeout, or a higher --floor");
		}
		double total = (System.nanoTime() - start) / 1e6;
		Footprint after = footprint(instance, cgroup);
		return new Frozen(before, after, quiesced, frozen, total, squeeze, swapSetUp);
	}

	/**
	 * Bring back a service whose answer to its freeze did not come in time. It may still
	 * be quiescing: its endpoint refuses a thaw until the quiesce has ended, done (then it
	 * is thawed) or rolled back by the service itself (then it runs already). Its own
	 * participants' timeouts bound that, which is what {@code timeout} is made of.
	 */
	private void callOffQuiesce(Instance instance, String token, Duration timeout) {
		long until = System.nanoTime() + timeout.toNanos();
		while (true) {
			Optional<String> state = this.serving.state(instance, token);
			if (state.isPresent() && "RUNNING".equals(state.get())) {
				break;
			}
			if (state.isPresent() && "FROZEN".equals(state.get())) {
				Optional<HttpProbe.Answer> thawed = this.probe.post(instance.endpoint().endpointUri(THAW), token);
				if (thawed.isPresent() && thawed.get().status() == 200) {
					break;
				}
			}
			if (System.nanoTime() - until > 0) {
				// Left FREEZING: the agent's next start thaws it, as after a crash mid-freeze
				throw new CseException(instance.name() + " did not answer its freeze, nor end it within "
						+ timeout.toSeconds() + " s (state " + state.orElse("unknown") + "): thaw it with 'cse thaw "
						+ instance.name() + "', and see its log " + instance.serviceLog());
			}
			Poll.pause(POLL_MILLIS * 50);
		}
		record(instance, instance.cgroups().withFreeze(Freeze.THAWED));
	}

	/**
	 * Lower the group's limit in halves, down to the floor, until the kernel cannot get it
	 * under the next one.
	 * @return whether it got there before the deadline
	 */
	private boolean squeezeDown(Cgroup cgroup, long floor, Deadline deadline) {
		long current = cgroup.usage().orElse(0);
		while (current > floor) {
			if (deadline.expired()) {
				return false;
			}
			long next = Math.max(floor, current / 2);
			try {
				cgroup.limit(next);
			}
			catch (CseException ex) {
				// "Device or resource busy": what is left cannot be swapped out; stop here
				return true;
			}
			current = Math.min(next, cgroup.usage().orElse(next));
		}
		return true;
	}

	/**
	 * Restore a frozen service's memory limit, thaw its cgroup, let it resume, and wait
	 * for its 200 to the thaw.
	 * @see Node#thaw(String, Deadline)
	 */
	Thawed thaw(String name, Deadline deadline) {
		Instance instance = requireRunInstance(name);
		Cgroup cgroup = cgroupOf(this.host, instance);
		long start = System.nanoTime();
		// THAWING until the service confirmed it resumed: an agent killed meanwhile leaves
		// it, and its next start finishes the thaw.
		instance = record(instance, instance.cgroups().withFreeze(Freeze.THAWING));
		if (instance.cgroups().squeezed()) {
			cgroup.limit(instance.cgroups().limitBeforeSqueeze());
			instance = record(instance, instance.cgroups().withLimitBeforeSqueeze(0));
		}
		boolean wasFrozen = Cgroup.FROZEN.equals(cgroup.state());
		cgroup.thaw(deadline.within(CGROUP_TIMEOUT));
		double cgroupThawed = (System.nanoTime() - start) / 1e6;
		Duration wait = deadline.within(instance.cgroups().operationTimeout());
		Optional<HttpProbe.Answer> answer = this.probe.post(instance.endpoint().endpointUri(THAW),
				this.registry.endpointToken(instance.name()), wait);
		boolean byRequest = false;
		if (answer.isPresent() && answer.get().status() == 409) {
			// A request that reached the service first thawed it (thaw-on-request): wait until it runs.
			byRequest = true;
			this.serving.awaitState(instance, "RUNNING", deadline.within(RESUME_TIMEOUT));
		}
		else if (answer.isEmpty() && wait.compareTo(instance.cgroups().operationTimeout()) < 0) {
			// Thawing cannot be called off as a freeze can: the service goes on resuming
			throw CseException.timedOut(name + "'s cgroup is thawed, but it did not confirm its resume (POST "
					+ instance.endpoint().endpointUri(THAW).getPath() + ") within " + deadline.describe()
					+ ": it goes on resuming; see 'cse ps' and its log " + instance.serviceLog());
		}
		else if (answer.isEmpty() || answer.get().status() != 200) {
			throw new CseException(name + "'s cgroup is thawed, but POST " + instance.endpoint().endpointUri(THAW).getPath() + " answered "
					+ answer.map((a) -> a.status() + " " + a.body().strip()).orElse("nothing") + ": see its log "
					+ instance.serviceLog());
		}
		// The service's 200 to its thaw is its first answer: its traffic gate is open and it
		// serves from then on. No second request to a path of the application's, which may
		// answer 401 or 404 by design and would cost a round trip on every thaw.
		double serving = (System.nanoTime() - start) / 1e6;
		record(instance, instance.cgroups().withFreeze(Freeze.THAWED));
		return new Thawed(wasFrozen, byRequest, cgroupThawed, serving, serving);
	}

	/**
	 * Save an instance with another record of its cgroups, atomically.
	 * @return the saved instance
	 */
	private Instance record(Instance instance, Cgroups cgroups) {
		Instance changed = instance.withCgroups(cgroups);
		this.registry.save(changed);
		return changed;
	}

	/**
	 * Wait until a connection to a frozen service's port waits in its listening socket's
	 * queue, then thaw it as {@link #thaw(String, Deadline)} does.
	 * @see Node#thawOnRequest(String, Deadline)
	 */
	Thawed thawOnRequest(String name, Deadline deadline) {
		Instance instance = requireRunInstance(name);
		String state = cgroupOf(this.host, instance).state();
		if (!Cgroup.FROZEN.equals(state)) {
			throw new CseException(name + " is not frozen (" + state + "): freeze it with 'cse freeze " + name
					+ "' first");
		}
		while (waitingConnections(instance) == 0) {
			if (deadline.expired()) {
				throw CseException.timedOut("no connection to " + name + "'s port " + instance.endpoint().port()
						+ " within " + deadline.describe() + ": it stays frozen");
			}
			Poll.pause(POLL_MILLIS);
		}
		return thaw(name, deadline);
	}

	/**
	 * The connections that wait for a frozen service: those in its listening socket's
	 * accept queue, and those it accepted but holds. For a socket in {@code LISTEN} state,
	 * {@code /proc/net/tcp} shows the accept queue's length as {@code rx_queue}: a frozen
	 * service accepts none, so they pile up there. An {@code ESTABLISHED} connection to
	 * the port counts when bytes wait in it unread ({@code rx_queue}): a request a client
	 * sent on a keep-alive connection that the quiesce left open (it had been in use a
	 * moment before). An idle one does not: the quiesce keeps connections in steady use
	 * open, and they say nothing of a request. What is not seen: a request the service
	 * read, and its traffic gate holds, in the moment between its quiesce and the freeze
	 * of its cgroup; it waits for the next thaw. An instance in a network namespace of its
	 * own has its own tables, seen through its process.
	 * @param instance the instance
	 * @return how many connections wait, over IPv4 and IPv6
	 */
	int waitingConnections(Instance instance) {
		String hexPort = String.format("%04X", instance.endpoint().port());
		Path net = instance.namespaced() ? Path.of("/proc", Long.toString(instance.process().pid()), "net")
				: Path.of("/proc/net");
		int waiting = 0;
		for (Path table : List.of(net.resolve("tcp"), net.resolve("tcp6"))) {
			for (String line : this.host.readFile(table).orElse("").lines().skip(1).toList()) {
				String[] fields = line.strip().split("\\s+");
				if (fields.length <= 4 || !fields[1].endsWith(":" + hexPort)) {
					continue;
				}
				if ("0A".equals(fields[3])) {
					waiting += Integer.parseInt(fields[4].substring(fields[4].indexOf(':') + 1), 16);
				}
				else if ("01".equals(fields[3])
						&& Integer.parseInt(fields[4].substring(fields[4].indexOf(':') + 1), 16) > 0) {
					waiting++;
				}
			}
		}
		return waiting;
	}

	/**
	 * The state of a service's freezer group.
	 * @param instance the instance
	 * @return {@code FROZEN}, {@code THAWED} or {@code FREEZING}, or {@code null} for an
	 * instance in no cgroup of its own
	 */
	String freezerState(Instance instance) {
		return instance.hasCgroup() ? cgroupOf(this.host, instance).state() : null;
	}

	/**
	 * What a service costs now.
	 * @param instance the instance, which has cgroups
	 * @return its CPU time, resident and charged memory, and what zram holds
	 */
	Footprint footprint(Instance instance) {
		return footprint(instance, cgroupOf(this.host, instance));
	}

	private Footprint footprint(Instance instance, Cgroup cgroup) {
		Path proc = Path.of("/proc", Long.toString(instance.process().pid()));
		long cpuMillis = -1;
		Optional<String> stat = this.host.readFile(proc.resolve("stat"));
		if (stat.isPresent()) {
			String[] fields = stat.get().substring(stat.get().lastIndexOf(')') + 2).trim().split(" ");
			// utime and stime, fields 14 and 15 of the whole line
			cpuMillis = (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 1000 / CLOCK_TICKS_PER_SECOND;
		}
		long rss = -1;
		Optional<String> status = this.host.readFile(proc.resolve("status"));
		if (status.isPresent()) {
			rss = status.get().lines().filter((line) -> line.startsWith("VmRSS:")).findFirst()
				.map((line) -> Long.parseLong(line.replaceAll("\\D", "")) * 1024).orElse(-1L);
		}
		OptionalLong charged = cgroup.usage();
		Optional<Zram.Usage> compressed = this.swap.usage();
		return new Footprint(cpuMillis, rss, charged.orElse(-1), compressed.map(Zram.Usage::originalBytes).orElse(-1L),
				compressed.map(Zram.Usage::compressedBytes).orElse(-1L));
	}

	private Instance requireRunInstance(String name) {
		Registry.requireValidName(name);
		Instance instance = this.registry.find(name)
			.orElseThrow(() -> CseException.notFound("no instance named " + name + " (see 'cse ps')"));
		if (!instance.hasCgroup()) {
			throw CseException.refused(name + " was started by 'cse " + instance.kind() + "', not in cgroups of its own: "
					+ "only services started with 'cse run', and clones made freezable (a pool's, or 'cse clone "
					+ "--freezable'), can be frozen by the host");
		}
		if (this.reaper.alive(instance.process()).isEmpty()) {
			throw new CseException(name + " is not running (its process " + instance.process().pid()
					+ " is gone): remove it with 'cse stop " + name + "'");
		}
		return instance;
	}

}
