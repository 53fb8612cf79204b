package io.cse.node.instance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import io.cse.node.CseException;
import io.cse.node.instance.Claims.Claim;
import io.cse.node.instance.Instance.Freeze;
import io.cse.node.instance.Instance.ProcessId;
import io.cse.node.instance.Instance.State;
import io.cse.node.instance.ReconcileReport.Finding;
import io.cse.node.instance.ReconcileReport.What;
import io.cse.node.linux.Cgroup;
import io.cse.node.linux.Host;
import io.cse.node.linux.NetworkNamespace;
import io.cse.node.linux.ProcessInfo;

/**
 * What a resident agent does when it starts: it makes the host agree with its registry
 * again after an agent was killed in the middle of something. Instances whose process
 * runs are adopted; dead ones, and starts whose {@code cse} process is gone, are removed
 * with everything they held; a freeze or thaw the agent did not confirm is undone (the
 * service thawed and told so); and what this state folder's instances made that no entry
 * names any more ({@link Claims}) is removed, as is the zram swap once no service needs it.
 * <p>
 * Every step is one the agent's own operations already take ({@link Stopper}, the thaw),
 * so a reconcile killed half-way is finished by the next one.
 */
final class Reconciler {

	private static final long CLOCK_TICKS_PER_SECOND = 100;

	private static final Duration KILL_WAIT = Duration.ofSeconds(10);

	private final Host host;

	private final HttpProbe probe;

	private final Registry registry;

	private final Reaper reaper;

	private final Stopper stopper;

	Reconciler(Host host, HttpProbe probe, Registry registry, Reaper reaper, Stopper stopper) {
		this.host = host;
		this.probe = probe;
		this.registry = registry;
		this.reaper = reaper;
		this.stopper = stopper;
	}

	/**
	 * Reconcile the registry with the host.
	 * @return what was found and done
	 * @throws CseException if the registry cannot be read
	 */
	ReconcileReport reconcile() {
		List<Finding> findings = new ArrayList<>();
		List<Instance> entries = this.registry.list();
		for (Instance instance : entries) {
			// entries of a cse that kept no claims: claimed now, so that nothing of theirs is orphaned
			this.registry.claims().claim(instance);
		}
		for (Instance instance : entries) {
			findings.addAll(reconcile(instance));
		}
		findings.addAll(this.registry.locked(this::removeOrphans));
		boolean swapMarked = Files.exists(this.registry.stateDir().resolve(ZramSwap.MARKER));
		if (swapMarked) {
			findings.addAll(attempt(What.ZRAM_SWAP, "zram swap", () -> {
				this.stopper.releaseSwapIfUnused();
				return Files.exists(this.registry.stateDir().resolve(ZramSwap.MARKER)) ? null
						: "turned off: the swap a squeeze turned on, with no service left that needs it";
			}));
		}
		findings.addAll(attempt(What.ORPHAN_NAMESPACE, "/run/netns", () -> {
			this.stopper.releaseNamespaceMountIfUnused();
			return null;
		}));
		return new ReconcileReport(Instant.now().toString(), List.copyOf(findings));
	}

	private List<Finding> reconcile(Instance instance) {
		String name = instance.name();
		// only a start is rolled back; an entry in any other state is adopted or removed by its process
		if (instance.state() == State.STARTING) {
			Optional<ProcessInfo> owner = this.reaper.alive(instance.owner());
			if (owner.isPresent() && owner.get().pid() != ProcessHandle.current().pid()) {
				return List.of(new Finding(What.STARTING_INSTANCE, name,
						"left to process " + owner.get().pid() + " (" + owner.get().command() + "), which is starting it",
						false));
			}
			return attempt(What.HALF_DONE_START, name, () -> {
				Instance verified = withRestoredProcess(instance);
				this.stopper.stop(verified, Duration.ZERO, false);
				return "rolled back the " + instance.kind() + " that process " + instance.owner().pid()
						+ " did not finish: " + held(verified) + "; its logs stay in " + instance.logDir();
			});
		}
		Optional<ProcessInfo> process = this.reaper.alive(instance.process());
		if (process.isEmpty()) {
			return attempt(What.DEAD_INSTANCE, name, () -> {
				this.stopper.stop(instance, Duration.ZERO, false);
				return "its process " + instance.process().pid() + " is gone: " + held(instance)
						+ "; its logs stay in " + instance.logDir();
			});
		}
		List<Finding> findings = new ArrayList<>();
		findings.add(new Finding(What.RUNNING_INSTANCE, name, "adopted (" + instance.kind() + ", pid "
				+ process.get().pid() + freezeNote(instance) + ")", false));
		if (instance.hasCgroup()) {
			findings.addAll(reconcileFreeze(instance));
		}
		return findings;
	}

	/**
	 * Thaw a service whose freeze or thaw the agent began and did not confirm, or whose group
	 * is frozen though the agent never confirmed a freeze.
	 */
	private List<Finding> reconcileFreeze(Instance instance) {
		Freeze recorded = instance.cgroups().freeze();
		if (recorded == null || recorded == Freeze.FROZEN) {
			// confirmed, or an entry of a cse that did not record freezes: as it is
			return List.of();
		}
		Cgroup cgroup = CgroupServices.cgroupOf(this.host, instance);
		String state = cgroup.state();
		if (recorded == Freeze.THAWED && !Cgroup.FROZEN.equals(state)) {
			return List.of();
		}
		What what = (recorded == Freeze.THAWING) ? What.UNFINISHED_THAW : What.UNCONFIRMED_FREEZE;
		return attempt(what, instance.name(), () -> {
			String squeeze = "";
			if (instance.cgroups().squeezed()) {
				cgroup.limit(instance.cgroups().limitBeforeSqueeze());
				squeeze = "restored its memory limit, ";
			}
			if (!Cgroup.THAWED.equals(cgroup.state())) {
				cgroup.thaw(CgroupServices.CGROUP_TIMEOUT);
			}
			Optional<HttpProbe.Answer> answer = this.probe.post(instance.endpoint().endpointUri(CgroupServices.THAW),
					this.registry.endpointToken(instance.name()), instance.cgroups().operationTimeout());
			// 409: it was not frozen (it had not quiesced yet, or a request thawed it first)
			if (answer.isEmpty() || (answer.get().status() != 200 && answer.get().status() != 409)) {
				throw new CseException(squeeze + "thawed its cgroup (it was " + state + "), but POST "
						+ instance.endpoint().endpointUri(CgroupServices.THAW).getPath() + " answered "
						+ answer.map((a) -> a.status() + " " + a.body().strip()).orElse("nothing")
						+ ": see its log " + instance.serviceLog() + ", then 'cse thaw " + instance.name() + "'");
			}
			this.registry.save(instance.withCgroups(instance.cgroups().withLimitBeforeSqueeze(0)
				.withFreeze(Freeze.THAWED)));
			return squeeze + "thawed its cgroup (it was " + state + ") and told the service to resume (POST "
					+ instance.endpoint().endpointUri(CgroupServices.THAW).getPath() + " answered " + answer.get().status() + ")";
		});
	}

	/**
	 * Remove what the claims name and no entry does: under the registry's lock, so that no
	 * start reserves a name meanwhile.
	 */
	private List<Finding> removeOrphans() {
		List<Instance> entries = this.registry.list();
		Set<Claim> named = new HashSet<>();
		entries.forEach((instance) -> named.addAll(Claims.of(instance)));
		List<Finding> findings = new ArrayList<>();
		List<Claim> claims = new ArrayList<>(this.registry.claims().list());
		// a namespace's deletion takes its veth pair along: namespaces first
		claims.sort((a, b) -> a.kind().compareTo(b.kind()));
		for (Claim claim : claims) {
			if (named.contains(claim)) {
				continue;
			}
			List<Finding> found = switch (claim.kind()) {
				case CGROUP -> removeOrphanCgroup(claim.name());
				case NETNS -> removeOrphanNamespace(claim.name());
				case VETH -> removeOrphanVeth(claim.name());
			};
			findings.addAll(found);
			if (found.stream().noneMatch(Finding::failed)) {
				this.registry.claims().release(claim);
			}
		}
		return findings;
	}

	private List<Finding> removeOrphanCgroup(String name) {
		Optional<Cgroup> orphan = orphanCgroup(name);
		if (orphan.isEmpty()) {
			return List.of();
		}
		Cgroup cgroup = orphan.get();
		return attempt(What.ORPHAN_CGROUP, cgroup.freezer().toString(), () -> {
			// a frozen v1 group's processes act on no signal, not even SIGKILL
			if (this.host.exists(cgroup.freezer()) && !Cgroup.THAWED.equals(cgroup.state())) {
				cgroup.thaw(CgroupServices.CGROUP_TIMEOUT);
			}
			int processes = cgroup.pids().size();
			this.stopper.removeCgroup(cgroup, "no instance (a leftover of " + name + ")",
					"kill what is in it and remove it with rmdir");
			return "no entry names it: killed the " + processes + " process" + ((processes == 1) ? "" : "es")
					+ " in it and removed it";
		});
	}

	/**
	 * The groups a service of that name had, in whichever hierarchy they exist.
	 */
	private Optional<Cgroup> orphanCgroup(String name) {
		Path freezer = Cgroup.ROOT.resolve("freezer").resolve(Cgroup.PARENT).resolve(name);
		Path memory = Cgroup.ROOT.resolve("memory").resolve(Cgroup.PARENT).resolve(name);
		if (this.host.exists(freezer) || this.host.exists(memory)) {
			return Optional.of(new Cgroup(this.host, freezer, memory));
		}
		Path unified = Cgroup.ROOT.resolve(Cgroup.PARENT).resolve(name);
		if (this.host.exists(unified)) {
			return Optional.of(new Cgroup(this.host, unified, unified));
		}
		return Optional.empty();
	}

	private List<Finding> removeOrphanNamespace(String namespace) {
		if (!NetworkNamespace.exists(this.host, namespace)) {
			return List.of();
		}
		return attempt(What.ORPHAN_NAMESPACE, namespace, () -> {
			String pids = this.host.run(List.of("ip", "netns", "pids", namespace)).output();
			List<ProcessInfo> inside = pids.lines()
				.map(String::strip)
				.filter((line) -> line.matches("\\d+"))
				.flatMap((line) -> this.host.process(Long.parseLong(line)).stream())
				.filter((info) -> !info.isZombie())
				.toList();
			for (ProcessInfo process : inside) {
				// one kill may take others along (an init's end ends its PID namespace)
				if (this.reaper.isSameAlive(process)) {
					this.reaper.signal(process.pid(), "KILL");
				}
				if (!this.reaper.awaitGone(process, KILL_WAIT)) {
					throw new CseException("process " + process.pid() + " in " + namespace
							+ " did not end after SIGKILL: delete it later with 'ip netns del " + namespace + "'");
				}
			}
			int killed = inside.size();
			NetworkNamespace.delete(this.host, namespace, null);
			return "no entry names it: killed the " + killed + " process" + ((killed == 1) ? "" : "es")
					+ " in it and deleted it";
		});
	}

	private List<Finding> removeOrphanVeth(String hostInterface) {
		if (!this.host.run(List.of("ip", "-o", "link", "show", "dev", hostInterface)).succeeded()) {
			return List.of();
		}
		return attempt(What.ORPHAN_VETH, hostInterface, () -> {
			NetworkNamespace.delete(this.host, null, hostInterface);
			return "no entry names it: deleted the veth pair";
		});
	}

	/**
	 * An in-host restore records its pid before CRIU gives the process back, without its
	 * start time: a process on that pid that started after the entry was made is the
	 * restore's (the pid was free when it was reserved), and is taken for it so that the
	 * roll-back kills it. Anything older is another process's, and is left alone.
	 */
	private Instance withRestoredProcess(Instance instance) {
		ProcessId recorded = instance.process();
		if (instance.namespaced() || recorded.pid() <= 0 || recorded.startTicks() > 0) {
			return instance;
		}
		Optional<ProcessInfo> process = this.host.process(recorded.pid()).filter((info) -> !info.isZombie());
		Optional<Long> bootSeconds = bootTime();
		if (process.isEmpty() || bootSeconds.isEmpty()) {
			return instance;
		}
		try {
			long startedAt = bootSeconds.get() + process.get().startTicks() / CLOCK_TICKS_PER_SECOND;
			// whole seconds on both sides: one second of slack
			if (startedAt + 1 >= Instant.parse(instance.createdAt()).getEpochSecond()) {
				return instance.withProcess(new ProcessId(process.get().pid(), process.get().startTicks()));
			}
		}
		catch (DateTimeParseException ex) {
			// an entry without a readable time: its pid is not taken for the restore's
		}
		return instance;
	}

	private Optional<Long> bootTime() {
		return this.host.readFile(Path.of("/proc/stat"))
			.flatMap((stat) -> stat.lines().filter((line) -> line.startsWith("btime ")).findFirst())
			.map((line) -> Long.parseLong(line.substring(6).strip()));
	}

	private static String held(Instance instance) {
		List<String> held = new ArrayList<>();
		held.add("killed what was left of its processes");
		if (instance.namespaced()) {
			held.add("deleted " + instance.network().namespace() + " and " + instance.network().hostInterface());
		}
		if (instance.hasCgroup()) {
			held.add("removed its cgroups");
		}
		held.add("removed its entry");
		return String.join(", ", held);
	}

	private String freezeNote(Instance instance) {
		if (!instance.hasCgroup()) {
			return "";
		}
		String state = CgroupServices.cgroupOf(this.host, instance).state();
		return ", cgroup " + state + ((instance.cgroups().freeze() == Freeze.FROZEN && Cgroup.FROZEN.equals(state))
				? " by a confirmed freeze" : "");
	}

	/**
	 * Do one step; its failure becomes a finding, not the end of the reconcile.
	 * @param action the step, returning what it did, or {@code null} if there was nothing to do
	 */
	private static List<Finding> attempt(What what, String name, Step action) {
		try {
			String done = action.run();
			return (done != null) ? List.of(new Finding(what, name, done, false)) : List.of();
		}
		catch (RuntimeException ex) {
			return List.of(new Finding(what, name, "could not reconcile it: " + CseException.messageOf(ex), true));
		}
	}

	@FunctionalInterface
	private interface Step {

		String run();

	}

}
