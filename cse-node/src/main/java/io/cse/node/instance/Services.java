package io.cse.node.instance;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicReference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cse.node.CseException;
import io.cse.node.instance.Instance.Kind;
import io.cse.node.linux.Cgroup;
import io.cse.node.linux.Host;
import io.cse.node.linux.ProcessInfo;
import io.cse.node.linux.Zram;

/**
 * Services that the node agent starts itself and freezes: the mechanism behind
 * {@code cse run}, {@code freeze} and {@code thaw}, and the part of {@code cse stop} that
 * removes their cgroups and the compressed swap the agent set up.
 * <p>
 * A service runs in cgroup v1 {@code freezer} and {@code memory} groups of its own,
 * entered before its JVM starts. A freeze asks the service to quiesce
 * ({@code POST /actuator/cse/freeze}) and then freezes the group, so that it uses no CPU;
 * a squeeze then lowers the group's memory limit so that the kernel pushes its pages to
 * zram. A thaw undoes both in the opposite order.
 */
public final class Services {

	/**
	 * The file in the state folder that says the agent turned zram swap on (and so turns it
	 * off once no service it runs is left).
	 */
	public static final String SWAP_MARKER = "swap-set-up-by-cse";

	/**
	 * The lowest memory limit a squeeze goes down to, unless told otherwise.
	 */
	public static final long DEFAULT_SQUEEZE_FLOOR = 4L * 1024 * 1024;

	private static final String FREEZE_PATH = Instances.STATUS_PATH + "/freeze";

	private static final String THAW_PATH = Instances.STATUS_PATH + "/thaw";

	private static final Duration CGROUP_TIMEOUT = Duration.ofSeconds(10);

	private static final Duration RESUME_TIMEOUT = Duration.ofSeconds(30);

	private static final long POLL_MILLIS = 2;

	private static final long CLOCK_TICKS_PER_SECOND = 100;

	private final Host host;

	private final HttpProbe probe;

	private final Registry registry;

	private final Zram zram;

	private final ObjectMapper json = new ObjectMapper();

	public Services(NodeContext context, Registry registry) {
		this.host = context.host();
		this.probe = context.probe();
		this.registry = registry;
		this.zram = new Zram(this.host);
	}

	/**
	 * Start a service in cgroups of its own, wait until {@code /actuator/cse} answers 200,
	 * and register it.
	 * @param name the instance's name
	 * @param port the service's HTTP port
	 * @param command the service's command
	 * @param deadline when it must answer
	 * @return the serving instance, and how long it took
	 * @throws CseException if anything fails; the process, the cgroups and the registry
	 * entry are gone then (the log stays)
	 */
	public Instances.Started run(String name, int port, List<String> command, Deadline deadline) {
		Cgroup.requireUsable(this.host);
		Cgroup cgroup = Cgroup.of(this.host, name);
		Instance reserved = this.registry.locked(() -> {
			Instances.chooseNames(name, 1, name, this.registry.list());
			cgroup.create();
			long self = ProcessHandle.current().pid();
			long selfTicks = this.host.process(self).map(ProcessInfo::startTicks).orElse(0L);
			Instance instance = new Instance(name, Kind.RUN, null, "-", Instances.HOST_ADDRESS, port,
					Instances.STATUS_PATH, null, null, null, 0, 0, 0, 0, null, Instance.STARTING, self, selfTicks,
					Instant.now().toString(), this.registry.logDir(name).toString(), cgroup.freezer().toString(),
					cgroup.memory().toString(), 0);
			this.registry.save(instance);
			return instance;
		});
		AtomicReference<Instance> current = new AtomicReference<>(reserved);
		// Ctrl-C while the service starts: leave nothing behind but its log.
		Thread rollBack = new Thread(() -> {
			try {
				instances().stop(current.get(), Duration.ZERO, false);
				System.err.println("cse: interrupted; stopped " + name + " and removed its cgroups");
			}
			catch (RuntimeException ex) {
				System.err.println("cse: could not clean up " + name + ": " + messageOf(ex));
			}
		}, "cse-roll-back");
		Runtime.getRuntime().addShutdownHook(rollBack);
		try {
			return start(current, name, port, command, cgroup, deadline);
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

	private Instances.Started start(AtomicReference<Instance> current, String name, int port, List<String> command,
			Cgroup cgroup, Deadline deadline) {
		Instance reserved = current.get();
		Instance instance = reserved;
		try {
			Path log = logOf(reserved);
			Files.createDirectories(log.getParent());
			List<String> wrapped = new ArrayList<>();
			// a session of its own: a Ctrl-C at the terminal of 'cse run' does not reach the service
			wrapped.add("setsid");
			wrapped.addAll(cgroup.wrap(command));
			long start = System.nanoTime();
			long pid = this.host.start(wrapped, log);
			ProcessInfo process = this.host.process(pid)
				.orElseThrow(() -> new CseException(name + " ended at once: " + tail(log)));
			instance = reserved.withPid(pid, process.startTicks());
			current.set(instance);
			this.registry.save(instance);
			URI status = uri(instance, Instances.STATUS_PATH);
			Optional<HttpProbe.Answer> last = Optional.empty();
			while (true) {
				Optional<HttpProbe.Answer> answer = this.probe.get(status);
				if (answer.isPresent() && answer.get().status() == 200) {
					Instance running = instance.running(instanceIdOf(answer.get()));
					this.registry.save(running);
					return new Instances.Started(running, deadline.elapsedMillis(), (System.nanoTime() - start) / 1e6);
				}
				last = answer.isPresent() ? answer : last;
				if (!isAlive(instance)) {
					throw new CseException(name + " ended before " + status + " answered 200: " + tail(log));
				}
				if (deadline.expired()) {
					throw new CseException(name + " did not answer 200 on " + status + " within " + deadline.describe()
							+ last.map((seen) -> " (last answer: " + seen.status() + ")").orElse(" (no answer)")
							+ ": see its log " + log + ", check that it listens on --port " + port
							+ " and exposes the cse endpoint, or give it longer with --timeout");
				}
				pause();
			}
		}
		catch (IOException | RuntimeException ex) {
			Instance failed = instance;
			try {
				instances().stop(failed, Duration.ZERO, false);
			}
			catch (RuntimeException cleanup) {
				ex.addSuppressed(cleanup);
				throw new CseException(messageOf(ex) + "; could not clean up (" + messageOf(cleanup)
						+ "): remove what is left with 'cse stop " + name + "'", ex);
			}
			throw (ex instanceof CseException cse) ? cse : new CseException(messageOf(ex), ex);
		}
	}

	private Instances instances() {
		return new Instances(new NodeContext(this.host, this.probe), this.registry);
	}

	/**
	 * Quiesce a service and freeze its cgroup; with a squeeze, push its memory out to
	 * compressed swap.
	 * @param name the instance's name
	 * @param squeeze whether to squeeze
	 * @param floor the lowest memory limit a squeeze tries
	 * @return the footprint before and after
	 * @throws CseException if the service refuses to freeze (it keeps running) or the
	 * cgroup does not freeze (it is thawed again)
	 */
	public Frozen freeze(String name, boolean squeeze, long floor) {
		Instance instance = requireRunInstance(name);
		Cgroup cgroup = cgroupOf(instance);
		if (Cgroup.FROZEN.equals(cgroup.state())) {
			throw new CseException(name + " is frozen already: thaw it with 'cse thaw " + name + "'");
		}
		Footprint before = footprint(instance, cgroup);
		long start = System.nanoTime();
		Optional<HttpProbe.Answer> answer = this.probe.post(uri(instance, FREEZE_PATH));
		if (answer.isEmpty() || answer.get().status() != 200) {
			throw new CseException(name + " refused to freeze: POST " + FREEZE_PATH + " answered "
					+ answer.map((a) -> a.status() + " " + a.body().strip()).orElse("nothing")
					+ "; it keeps running. See its log " + logOf(instance));
		}
		double quiesced = (System.nanoTime() - start) / 1e6;
		try {
			cgroup.freeze(CGROUP_TIMEOUT);
		}
		catch (RuntimeException ex) {
			this.probe.post(uri(instance, THAW_PATH));
			throw ex;
		}
		double frozen = (System.nanoTime() - start) / 1e6;
		boolean swapSetUp = false;
		if (squeeze) {
			swapSetUp = this.registry.locked(() -> {
				boolean made = this.zram.ensureSwap();
				if (made) {
					markSwapSetUp();
				}
				return made;
			});
			long limit = cgroup.limit().orElseThrow(() -> new CseException("cgroup " + cgroup.memory() + " is gone"));
			this.registry.save(instance.withLimitBeforeSqueeze(limit));
			squeezeDown(cgroup, floor);
		}
		double total = (System.nanoTime() - start) / 1e6;
		Footprint after = footprint(instance, cgroup);
		return new Frozen(before, after, quiesced, frozen, total, squeeze, swapSetUp);
	}

	/**
	 * Lower the group's limit in halves, down to the floor, until the kernel cannot get it
	 * under the next one.
	 */
	private void squeezeDown(Cgroup cgroup, long floor) {
		long current = cgroup.usage().orElse(0);
		while (current > floor) {
			long next = Math.max(floor, current / 2);
			try {
				cgroup.limit(next);
			}
			catch (CseException ex) {
				// "Device or resource busy": what is left cannot be swapped out; stop here
				return;
			}
			current = Math.min(next, cgroup.usage().orElse(next));
		}
	}

	/**
	 * Restore a frozen service's memory limit, thaw its cgroup, let it resume, and wait
	 * for its first 200 on {@code /}.
	 * @param name the instance's name
	 * @return how long each step took
	 * @throws CseException if a step fails
	 */
	public Thawed thaw(String name) {
		Instance instance = requireRunInstance(name);
		Cgroup cgroup = cgroupOf(instance);
		long start = System.nanoTime();
		if (instance.limitBeforeSqueeze() > 0) {
			cgroup.limit(instance.limitBeforeSqueeze());
			this.registry.save(instance.withLimitBeforeSqueeze(0));
		}
		boolean wasFrozen = Cgroup.FROZEN.equals(cgroup.state());
		cgroup.thaw(CGROUP_TIMEOUT);
		double cgroupThawed = (System.nanoTime() - start) / 1e6;
		Optional<HttpProbe.Answer> answer = this.probe.post(uri(instance, THAW_PATH));
		boolean byRequest = false;
		if (answer.isPresent() && answer.get().status() == 409) {
			// A request that reached the service first thawed it (thaw-on-request): wait until it runs.
			byRequest = true;
			awaitState(instance, "RUNNING");
		}
		else if (answer.isEmpty() || answer.get().status() != 200) {
			throw new CseException(name + "'s cgroup is thawed, but POST " + THAW_PATH + " answered "
					+ answer.map((a) -> a.status() + " " + a.body().strip()).orElse("nothing") + ": see its log "
					+ logOf(instance));
		}
		double resumed = (System.nanoTime() - start) / 1e6;
		URI root = uri(instance, "/");
		while (true) {
			Optional<HttpProbe.Answer> home = this.probe.get(root);
			if (home.isPresent() && home.get().status() == 200) {
				break;
			}
			if ((System.nanoTime() - start) > RESUME_TIMEOUT.toNanos()) {
				throw new CseException(name + " is thawed but " + root + " did not answer 200 within "
						+ RESUME_TIMEOUT.toSeconds() + " s: see its log " + logOf(instance));
			}
			pause();
		}
		double first200 = (System.nanoTime() - start) / 1e6;
		return new Thawed(wasFrozen, byRequest, cgroupThawed, resumed, first200);
	}

	/**
	 * Wait until a connection to a frozen service's port waits in its listening socket's
	 * queue, then thaw it as {@link #thaw(String)} does: the host's half of thaw-on-request.
	 * @param name the instance's name
	 * @param wait how long to wait for a connection
	 * @return how long each step of the thaw took, from the moment the connection was seen
	 * @throws CseException if the service is not frozen, or no connection came in time
	 */
	public Thawed thawOnRequest(String name, Duration wait) {
		Instance instance = requireRunInstance(name);
		if (!Cgroup.FROZEN.equals(cgroupOf(instance).state())) {
			throw new CseException(name + " is not frozen (" + cgroupOf(instance).state() + "): freeze it with 'cse "
					+ "freeze " + name + "' first");
		}
		long deadline = System.nanoTime() + wait.toNanos();
		while (queuedConnections(instance.port()) == 0) {
			if (System.nanoTime() - deadline > 0) {
				throw new CseException("no connection to " + name + "'s port " + instance.port() + " within "
						+ wait.toSeconds() + " s: it stays frozen");
			}
			pause();
		}
		return thaw(name);
	}

	/**
	 * The connections waiting to be accepted on a listening TCP port: for a socket in
	 * {@code LISTEN} state, {@code /proc/net/tcp} shows its accept queue's length as
	 * {@code rx_queue}. A frozen service accepts none, so they pile up there.
	 * @param port the port
	 * @return how many connections wait, over IPv4 and IPv6 listeners
	 */
	int queuedConnections(int port) {
		String hexPort = String.format("%04X", port);
		int queued = 0;
		for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
			for (String line : this.host.readFile(Path.of(table)).orElse("").lines().skip(1).toList()) {
				String[] fields = line.strip().split("\\s+");
				if (fields.length > 4 && "0A".equals(fields[3]) && fields[1].endsWith(":" + hexPort)) {
					queued += Integer.parseInt(fields[4].substring(fields[4].indexOf(':') + 1), 16);
				}
			}
		}
		return queued;
	}

	private void awaitState(Instance instance, String state) {
		long start = System.nanoTime();
		while (true) {
			Optional<HttpProbe.Answer> answer = this.probe.get(uri(instance, Instances.STATUS_PATH));
			if (answer.isPresent() && answer.get().status() == 200 && state.equals(stateOf(answer.get()))) {
				return;
			}
			if ((System.nanoTime() - start) > RESUME_TIMEOUT.toNanos()) {
				throw new CseException(instance.name() + " did not reach state " + state + " within "
						+ RESUME_TIMEOUT.toSeconds() + " s after its thaw: see its log " + logOf(instance));
			}
			pause();
		}
	}

	/**
	 * Make a service's processes able to end: restore its memory limit and thaw its group
	 * (a process in a frozen cgroup v1 group does not act on signals, not even SIGKILL).
	 * @param instance the instance
	 */
	void prepareStop(Instance instance) {
		if (!instance.hasCgroup()) {
			return;
		}
		Cgroup cgroup = cgroupOf(instance);
		if (!cgroup.exists()) {
			return;
		}
		if (instance.limitBeforeSqueeze() > 0) {
			cgroup.limit(instance.limitBeforeSqueeze());
		}
		if (!Cgroup.THAWED.equals(cgroup.state())) {
			cgroup.thaw(CGROUP_TIMEOUT);
		}
	}

	/**
	 * Remove a stopped service's cgroups, and the zram swap the agent set up once no other
	 * service it runs is left.
	 * @param instance the instance, whose processes have ended
	 * @throws CseException if a group cannot be removed
	 */
	void removeCgroups(Instance instance) {
		if (!instance.hasCgroup()) {
			return;
		}
		Cgroup cgroup = cgroupOf(instance);
		// whatever is still in the group is the service's, even if it left its process tree
		for (long pid : cgroup.pids()) {
			this.host.run(List.of("kill", "-s", "KILL", Long.toString(pid)));
		}
		long deadline = System.nanoTime() + CGROUP_TIMEOUT.toNanos();
		// the kernel removes an ended process from its groups a little after it is reaped
		while (!cgroup.remove()) {
			if (System.nanoTime() - deadline > 0) {
				throw new CseException("could not remove cgroup " + cgroup + " of " + instance.name()
						+ " (processes in it: " + cgroup.pids() + "): retry 'cse stop " + instance.name() + "'");
			}
			pause();
		}
	}

	/**
	 * Turn the zram swap the agent set up off, if it did and no service it runs is left.
	 * @param stopped the instances being removed
	 */
	void releaseSwapIfUnused(List<String> stopped) {
		this.registry.locked(() -> {
			Path marker = this.registry.stateDir().resolve(SWAP_MARKER);
			if (!Files.exists(marker)) {
				return null;
			}
			boolean needed = this.registry.list()
				.stream()
				.anyMatch((other) -> other.kind() == Kind.RUN && !stopped.contains(other.name()));
			if (!needed) {
				this.zram.tearDown();
				try {
					Files.deleteIfExists(marker);
				}
				catch (IOException ex) {
					throw new CseException("turned zram swap off, but cannot delete " + marker + ": " + ex, ex);
				}
			}
			return null;
		});
	}

	private void markSwapSetUp() {
		try {
			Files.createDirectories(this.registry.stateDir());
			Files.writeString(this.registry.stateDir().resolve(SWAP_MARKER), this.zram.device() + "\n");
		}
		catch (IOException ex) {
			throw new CseException("cannot record in " + this.registry.stateDir() + " that zram swap was set up: " + ex,
					ex);
		}
	}

	/**
	 * What a service costs now.
	 * @param instance the instance
	 * @return its CPU time, resident and charged memory, and what zram holds
	 */
	public Footprint footprint(Instance instance) {
		return footprint(instance, cgroupOf(instance));
	}

	private Footprint footprint(Instance instance, Cgroup cgroup) {
		long cpuMillis = -1;
		Optional<String> stat = this.host.readFile(Path.of("/proc", Long.toString(instance.pid()), "stat"));
		if (stat.isPresent()) {
			String[] fields = stat.get().substring(stat.get().lastIndexOf(')') + 2).trim().split(" ");
			// utime and stime, fields 14 and 15 of the whole line
			cpuMillis = (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 1000 / CLOCK_TICKS_PER_SECOND;
		}
		long rss = -1;
		Optional<String> status = this.host.readFile(Path.of("/proc", Long.toString(instance.pid()), "status"));
		if (status.isPresent()) {
			rss = status.get().lines().filter((line) -> line.startsWith("VmRSS:")).findFirst()
				.map((line) -> Long.parseLong(line.replaceAll("\\D", "")) * 1024).orElse(-1L);
		}
		OptionalLong charged = cgroup.usage();
		Optional<Zram.Usage> compressed = this.zram.usage();
		return new Footprint(cpuMillis, rss, charged.orElse(-1), compressed.map(Zram.Usage::originalBytes).orElse(-1L),
				compressed.map(Zram.Usage::compressedBytes).orElse(-1L));
	}

	/**
	 * The freezer state of a service.
	 * @param instance the instance
	 * @return {@code FROZEN}, {@code THAWED}, {@code FREEZING}, or {@code -} for an instance
	 * with no cgroup
	 */
	public String freezerState(Instance instance) {
		return instance.hasCgroup() ? cgroupOf(instance).state() : "-";
	}

	private Instance requireRunInstance(String name) {
		Registry.requireValidName(name);
		Instance instance = this.registry.find(name)
			.orElseThrow(() -> new CseException("no instance named " + name + " (see 'cse ps')"));
		if (!instance.hasCgroup()) {
			throw new CseException(name + " was started by 'cse " + instance.kind() + "', not in cgroups of its own: "
					+ "only services started with 'cse run' can be frozen by the host");
		}
		if (!isAlive(instance)) {
			throw new CseException(name + " is not running (its process " + instance.pid() + " is gone): remove it "
					+ "with 'cse stop " + name + "'");
		}
		return instance;
	}

	private Cgroup cgroupOf(Instance instance) {
		return new Cgroup(this.host, Path.of(instance.freezerCgroup()), Path.of(instance.memoryCgroup()));
	}

	private boolean isAlive(Instance instance) {
		return instance.pid() > 0 && this.host.process(instance.pid())
			.filter((info) -> !info.isZombie() && info.startTicks() == instance.pidStartTicks())
			.isPresent();
	}

	private String instanceIdOf(HttpProbe.Answer answer) {
		try {
			JsonNode id = this.json.readTree(answer.body()).path("instance").path("instanceId");
			return (id.isValueNode() && !id.asText().isBlank()) ? id.asText() : Instance.UNKNOWN_ID;
		}
		catch (IOException ex) {
			return Instance.UNKNOWN_ID;
		}
	}

	private String stateOf(HttpProbe.Answer answer) {
		try {
			return this.json.readTree(answer.body()).path("state").asText();
		}
		catch (IOException ex) {
			return "";
		}
	}

	static Path logOf(Instance instance) {
		return Path.of(instance.logDir()).resolve("service.log");
	}

	private static String tail(Path log) {
		try {
			List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
			List<String> last = lines.subList(Math.max(0, lines.size() - 5), lines.size());
			return last.isEmpty() ? "it wrote nothing to " + log
					: "its log " + log + " ends with '" + String.join(" | ", last).strip() + "'";
		}
		catch (IOException ex) {
			return "see its log " + log;
		}
	}

	private static URI uri(Instance instance, String path) {
		return URI.create("http://" + instance.address() + ":" + instance.port() + path);
	}

	private static String messageOf(Throwable ex) {
		return (ex instanceof CseException) ? ex.getMessage() : ex.toString();
	}

	private static void pause() {
		try {
			Thread.sleep(POLL_MILLIS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new CseException("interrupted");
		}
	}

	/**
	 * What a service costs at one moment. A figure the host could not read is {@code -1}.
	 *
	 * @param cpuMillis CPU time of its main process so far (user and system, all threads)
	 * @param residentBytes its resident memory ({@code VmRSS})
	 * @param chargedBytes the memory charged to its cgroup ({@code memory.usage_in_bytes})
	 * @param swappedBytes what zram holds, uncompressed (all of the device, not only this
	 * service's)
	 * @param compressedBytes the same, compressed
	 */
	public record Footprint(long cpuMillis, long residentBytes, long chargedBytes, long swappedBytes,
			long compressedBytes) {
	}

	/**
	 * What a freeze did.
	 *
	 * @param before the footprint before
	 * @param after the footprint after
	 * @param quiescedMillis until the service answered its freeze
	 * @param frozenMillis until its cgroup was frozen
	 * @param totalMillis until the squeeze, if any, was done
	 * @param squeezed whether it was squeezed
	 * @param swapSetUp whether this freeze turned zram swap on
	 */
	public record Frozen(Footprint before, Footprint after, double quiescedMillis, double frozenMillis,
			double totalMillis, boolean squeezed, boolean swapSetUp) {
	}

	/**
	 * What a thaw did.
	 *
	 * @param wasFrozen whether the cgroup was frozen
	 * @param thawedByRequest whether a request had thawed the service before its thaw call
	 * @param cgroupThawedMillis until the cgroup ran again
	 * @param resumedMillis until the service said it runs
	 * @param first200Millis until {@code /} answered 200
	 */
	public record Thawed(boolean wasFrozen, boolean thawedByRequest, double cgroupThawedMillis, double resumedMillis,
			double first200Millis) {
	}

}
