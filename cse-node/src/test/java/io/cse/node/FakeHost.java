package io.cse.node;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.cse.node.linux.Cgroup;
import io.cse.node.linux.CommandResult;
import io.cse.node.linux.Host;
import io.cse.node.linux.ProcessInfo;
import io.cse.snapshot.ImageManifest;

/**
 * A {@link Host} that records every command and models what the node agent changes:
 * named network namespaces, links (bridges and veth ends, with their master and
 * namespace), addresses, and processes (a restored process in the host, or a launcher,
 * a namespace init and the restored service for a restore in namespaces).
 */
public final class FakeHost implements Host {

	private final List<List<String>> commands = Collections.synchronizedList(new ArrayList<>());

	private final Set<String> namespaces = new LinkedHashSet<>();

	private final Map<String, Link> links = new LinkedHashMap<>();

	private final Map<Long, FakeProcess> processes = new LinkedHashMap<>();

	private final AtomicLong nextPid = new AtomicLong(5000);

	private final Set<String> executables = new LinkedHashSet<>(List.of("/opt/cse/criu/bin/criu"));

	private final Map<Path, String> files = new LinkedHashMap<>();

	private final Map<Path, Instant> modified = new LinkedHashMap<>();

	private final Set<Path> directories = new LinkedHashSet<>();

	private final List<String> writes = Collections.synchronizedList(new ArrayList<>());

	private volatile java.util.function.BiPredicate<Path, String> failingWrites = (file, value) -> false;

	private volatile boolean root = true;

	private volatile boolean freezerResponds = true;

	private volatile boolean v2Freezer = true;

	private volatile long unreclaimable;

	private volatile String criuVersion = "Version: 4.2.1\n";

	private volatile Predicate<List<String>> failing = (command) -> false;

	private volatile Predicate<List<String>> failingStarts = (command) -> false;

	public FakeHost root(boolean root) {
		this.root = root;
		return this;
	}

	public FakeHost criuVersion(String output) {
		this.criuVersion = output;
		return this;
	}

	/**
	 * Make the cgroup v2 freezer take requests but never report them done in
	 * {@code cgroup.events}, as a group held up by a task in uninterruptible sleep.
	 */
	public FakeHost freezerStuck() {
		this.freezerResponds = false;
		return this;
	}

	/**
	 * Make new cgroup v2 groups lack {@code cgroup.freeze}, as on a kernel before 5.2.
	 */
	/**
	 * A host with the cgroup v1 {@code freezer} and {@code memory} hierarchies and a zram
	 * device that is not swap yet: what {@code cse run}, {@code freeze} and {@code thaw} need.
	 * @return this host
	 */
	public FakeHost withCgroupV1AndZram() {
		for (String hierarchy : List.of("freezer", "memory")) {
			withDirectory(Cgroup.ROOT.resolve(hierarchy)).withFile(Cgroup.ROOT.resolve(hierarchy).resolve("cgroup.procs"),
					"1\n");
		}
		return withFile(Path.of("/dev/zram0"), "").withDirectory(Path.of("/sys/block/zram0"))
			.withFile(Path.of("/sys/block/zram0/disksize"), "0\n")
			.withFile(Path.of("/sys/block/zram0/comp_algorithm"), "[lzo-rle] lzo lz4\n")
			.withFile(Path.of("/proc/swaps"), "Filename\tType\tSize\tUsed\tPriority\n");
	}

	public FakeHost withoutCgroupV2Freezer() {
		this.v2Freezer = false;
		return this;
	}

	/**
	 * Memory the kernel cannot reclaim from a cgroup: a lower limit is refused on v1
	 * ("Device or resource busy") and leaves this much charged on v2.
	 */
	public FakeHost unreclaimable(long bytes) {
		this.unreclaimable = bytes;
		return this;
	}

	public FakeHost withoutExecutable(String path) {
		this.executables.remove(path);
		return this;
	}

	public FakeHost withExecutable(String path) {
		this.executables.add(path);
		return this;
	}

	/**
	 * Make commands that match fail with exit code 1.
	 */
	public FakeHost failing(Predicate<List<String>> failing) {
		this.failing = failing;
		return this;
	}

	/**
	 * Make background restores that match end at once, as a failed criu restore does.
	 */
	public FakeHost failingStarts(Predicate<List<String>> failingStarts) {
		this.failingStarts = failingStarts;
		return this;
	}

	/**
	 * A process that is not the agent's.
	 */
	public synchronized FakeHost withProcess(long pid, String command) {
		this.processes.put(pid, new FakeProcess(pid, 1, command, List.of(pid), null));
		return this;
	}

	public synchronized FakeHost withBridge(String name, String cidr) {
		Link bridge = new Link(name, null, null);
		bridge.address = cidr;
		this.links.put(name, bridge);
		return this;
	}

	public List<List<String>> commands() {
		synchronized (this.commands) {
			return List.copyOf(this.commands);
		}
	}

	public List<String> commandLines() {
		return commands().stream().map((command) -> String.join(" ", command)).toList();
	}

	public synchronized Set<String> namespaces() {
		return Set.copyOf(this.namespaces);
	}

	public synchronized Set<String> links() {
		return Set.copyOf(this.links.keySet());
	}

	public synchronized List<Long> livePids() {
		return List.copyOf(this.processes.keySet());
	}

	public synchronized void killExternally(long pid) {
		kill(pid);
	}

	@Override
	public CommandResult run(List<String> command) {
		this.commands.add(List.copyOf(command));
		if (this.failing.test(command)) {
			return new CommandResult(command, 1, "injected failure");
		}
		synchronized (this) {
			return execute(command);
		}
	}

	private CommandResult execute(List<String> command) {
		String line = String.join(" ", command);
		if (command.size() == 2 && command.get(1).equals("--version")) {
			return ok(command, this.criuVersion);
		}
		if (command.get(0).equals("kill")) {
			kill(Long.parseLong(command.get(3)));
			return ok(command, "");
		}
		if (command.get(0).equals("setsid") && command.contains("restore")) {
			long pid = manifestPid(Path.of(command.get(command.indexOf("-D") + 1)));
			if (this.processes.containsKey(pid)) {
				return new CommandResult(command, 1, "");
			}
			this.processes.put(pid, new FakeProcess(pid, 1, "python3", List.of(pid), null));
			return ok(command, "");
		}
		if (command.get(0).equals("swapon") || command.get(0).equals("swapoff")) {
			Path swaps = Path.of("/proc/swaps");
			String table = this.files.getOrDefault(swaps, "Filename\tType\tSize\tUsed\tPriority\n");
			String swap = command.get(1) + "\tpartition\t2097148\t0\t-2\n";
			this.files.put(swaps, command.get(0).equals("swapon") ? table + swap : table.replace(swap, ""));
			return ok(command, "");
		}
		if (!command.get(0).equals("ip")) {
			return ok(command, "");
		}
		Matcher matcher;
		if ((matcher = match("ip -o link show dev (\\S+)", line)) != null) {
			return this.links.containsKey(matcher.group(1)) ? ok(command, "1: " + matcher.group(1) + ": <UP>\n")
					: new CommandResult(command, 1, "Device \"" + matcher.group(1) + "\" does not exist.");
		}
		if ((matcher = match("ip -o -4 addr show dev (\\S+)", line)) != null) {
			Link link = this.links.get(matcher.group(1));
			if (link == null) {
				return new CommandResult(command, 1, "Device does not exist.");
			}
			return ok(command, (link.address != null) ? "7: " + link.name + "    inet " + link.address
					+ " scope global " + link.name + "\\       valid_lft forever preferred_lft forever\n" : "");
		}
		if (line.equals("ip -o link show")) {
			StringBuilder out = new StringBuilder();
			int index = 1;
			for (Link link : this.links.values()) {
				out.append(index++).append(": ").append(link.name).append(": <UP>\n");
			}
			return ok(command, out.toString());
		}
		if ((matcher = match("ip -o link show master (\\S+)", line)) != null) {
			StringBuilder out = new StringBuilder();
			int index = 20;
			for (Link link : this.links.values()) {
				if (matcher.group(1).equals(link.master)) {
					out.append(index++).append(": ").append(link.name).append("@if2: <UP> master ").append(link.master)
						.append('\n');
				}
			}
			return ok(command, out.toString());
		}
		if ((matcher = match("ip link add name (\\S+) type bridge", line)) != null) {
			return add(command, new Link(matcher.group(1), null, null));
		}
		if ((matcher = match("ip addr add (\\S+) dev (\\S+)", line)) != null) {
			this.links.get(matcher.group(2)).address = matcher.group(1);
			return ok(command, "");
		}
		if ((matcher = match("ip link add (\\S+) type veth peer name eth0 netns (\\S+)", line)) != null) {
			if (!this.namespaces.contains(matcher.group(2))) {
				return new CommandResult(command, 1, "Cannot find netns");
			}
			return add(command, new Link(matcher.group(1), null, matcher.group(2)));
		}
		if ((matcher = match("ip link set dev (\\S+) master (\\S+)", line)) != null) {
			this.links.get(matcher.group(1)).master = matcher.group(2);
			return ok(command, "");
		}
		if ((matcher = match("ip link del dev (\\S+)", line)) != null) {
			Link removed = this.links.remove(matcher.group(1));
			return (removed != null) ? ok(command, "") : new CommandResult(command, 1, "Cannot find device");
		}
		if ((matcher = match("ip netns add (\\S+)", line)) != null) {
			return this.namespaces.add(matcher.group(1)) ? ok(command, "")
					: new CommandResult(command, 1, "File exists");
		}
		if ((matcher = match("ip netns del (\\S+)", line)) != null) {
			String namespace = matcher.group(1);
			this.links.values().removeIf((link) -> namespace.equals(link.peerNamespace));
			return this.namespaces.remove(namespace) ? ok(command, "")
					: new CommandResult(command, 1, "No such file or directory");
		}
		if (line.equals("ip netns list")) {
			StringBuilder out = new StringBuilder();
			this.namespaces.forEach((namespace) -> out.append(namespace).append(" (id: 0)\n"));
			return ok(command, out.toString());
		}
		if ((matcher = match("ip netns pids (\\S+)", line)) != null) {
			StringBuilder out = new StringBuilder();
			for (FakeProcess process : this.processes.values()) {
				if (matcher.group(1).equals(process.namespace)) {
					out.append(process.pid).append('\n');
				}
			}
			return ok(command, out.toString());
		}
		if ((matcher = match("ip -n (\\S+) .*", line)) != null) {
			return this.namespaces.contains(matcher.group(1)) ? ok(command, "")
					: new CommandResult(command, 1, "Cannot open network namespace");
		}
		return ok(command, "");
	}

	@Override
	public long start(List<String> command, Path log) {
		this.commands.add(List.copyOf(command));
		int wrapper = command.indexOf("cse-run");
		List<Path> groups = new ArrayList<>();
		// the wrapper shell's groups follow it: two on cgroup v1, one on v2
		for (int i = wrapper + 1; wrapper >= 0 && i < command.size() && this.directories.contains(Path.of(command.get(i)));
				i++) {
			groups.add(Path.of(command.get(i)));
		}
		if (wrapper >= 0 && !command.contains("-D")) {
			// cse run: the wrapper shell puts itself in both groups, then becomes the service
			synchronized (this) {
				long pid = this.nextPid.getAndIncrement();
				if (this.failingStarts.test(command)) {
					return pid;
				}
				this.processes.put(pid, new FakeProcess(pid, 1, "java", List.of(pid), null));
				enter(groups, List.of(pid));
				return pid;
			}
		}
		String namespace = command.stream()
			.filter((argument) -> argument.startsWith("--net=/run/netns/"))
			.map((argument) -> argument.substring("--net=/run/netns/".length()))
			.findFirst()
			.orElse(null);
		Path image = Path.of(command.get(command.indexOf("-D") + 1));
		Path workDir = Path.of(command.get(command.indexOf("--work-dir") + 1));
		synchronized (this) {
			long launcher = this.nextPid.getAndIncrement();
			if (this.failingStarts.test(command)) {
				writeQuietly(workDir.resolve("restore.log"),
						"Error (criu/cr-restore.c:2534): Restoring FAILED (injected).\n");
				return launcher;
			}
			this.processes.put(launcher, new FakeProcess(launcher, 1, "unshare", List.of(launcher), namespace));
			long init = this.nextPid.getAndIncrement();
			this.processes.put(init, new FakeProcess(init, launcher, "ld-linux-x86-64", List.of(init, 1L), namespace));
			long service = this.nextPid.getAndIncrement();
			this.processes.put(service,
					new FakeProcess(service, init, "python3", List.of(service, manifestPid(image)), namespace));
			// a clone restored in cgroups of its own: the launcher entered them, its tree follows
			enter(groups, List.of(launcher, init, service));
			return launcher;
		}
	}

	private void enter(List<Path> groups, List<Long> pids) {
		for (Path group : groups) {
			for (long pid : pids) {
				this.files.merge(group.resolve("cgroup.procs"), pid + "\n", String::concat);
			}
			updateEvents(group);
		}
	}

	@Override
	public synchronized Optional<ProcessInfo> process(long pid) {
		FakeProcess process = this.processes.get(pid);
		return (process != null) ? Optional.of(process.info()) : Optional.empty();
	}

	@Override
	public synchronized List<Long> children(long pid) {
		return this.processes.values().stream().filter((process) -> process.parent == pid).map((process) -> process.pid)
			.toList();
	}

	@Override
	public boolean isRoot() {
		return this.root;
	}

	@Override
	public synchronized Optional<Instant> lastModified(Path file) {
		if (this.modified.containsKey(file)) {
			return Optional.of(this.modified.get(file));
		}
		boolean exists = this.executables.contains(file.toString()) || this.files.containsKey(file);
		return exists ? Optional.of(Instant.EPOCH) : Optional.empty();
	}

	/**
	 * Give a file a new modification time, as an upgrade that replaces it does.
	 */
	public synchronized FakeHost modified(Path file, Instant when) {
		this.modified.put(file, when);
		return this;
	}

	@Override
	public Optional<Path> findExecutable(String name) {
		if (this.executables.contains(name)) {
			return Optional.of(Path.of(name));
		}
		return Optional.empty();
	}

	/**
	 * Make writes to files that match fail, as the kernel refuses a write.
	 */
	public FakeHost failingWrites(java.util.function.BiPredicate<Path, String> failing) {
		this.failingWrites = failing;
		return this;
	}

	/**
	 * Files and folders, as a host's pseudo file systems hold them.
	 */
	public synchronized FakeHost withFile(Path file, String content) {
		this.files.put(file, content);
		return this;
	}

	public synchronized FakeHost withDirectory(Path dir) {
		this.directories.add(dir);
		return this;
	}

	public synchronized Optional<String> file(Path file) {
		return Optional.ofNullable(this.files.get(file));
	}

	public synchronized Set<Path> directories() {
		return Set.copyOf(this.directories);
	}

	/**
	 * Every value written to a file, as {@code file <- value}.
	 */
	public List<String> writes() {
		synchronized (this.writes) {
			return List.copyOf(this.writes);
		}
	}

	@Override
	public synchronized Optional<String> readFile(Path file) {
		return Optional.ofNullable(this.files.get(file));
	}

	@Override
	public void writeFile(Path file, String value) {
		this.writes.add(file + " <- " + value);
		if (this.failingWrites.test(file, value)) {
			throw new io.cse.node.CseException("could not write '" + value + "' to " + file
					+ ": Device or resource busy");
		}
		synchronized (this) {
			if (!this.directories.contains(file.getParent()) && !this.files.containsKey(file)) {
				throw new io.cse.node.CseException("could not write '" + value + "' to " + file + ": No such file");
			}
			String name = file.getFileName().toString();
			if (name.equals("memory.limit_in_bytes")) {
				// the kernel gets the group under its new limit, or refuses it
				if (Long.parseLong(value) < this.unreclaimable) {
					throw new io.cse.node.CseException("could not write '" + value + "' to " + file
							+ ": Device or resource busy");
				}
				reclaim(file.resolveSibling("memory.usage_in_bytes"), Long.parseLong(value));
			}
			if (name.equals("memory.high") && !value.equals("max")) {
				// cgroup v2 reclaims what it can and takes the value anyway
				reclaim(file.resolveSibling("memory.current"), Long.parseLong(value));
			}
			if (name.equals("cgroup.procs")) {
				this.files.merge(file, value + "\n", String::concat);
				updateEvents(file.getParent());
				return;
			}
			if (name.equals("cgroup.subtree_control")) {
				Set<String> enabled = new LinkedHashSet<>(words(this.files.get(file)));
				for (String change : value.split("\\s+")) {
					if (change.startsWith("+")) {
						enabled.add(change.substring(1));
					}
					else if (change.startsWith("-")) {
						enabled.remove(change.substring(1));
					}
				}
				this.files.put(file, String.join(" ", enabled) + "\n");
				return;
			}
			this.files.put(file, value);
			if (name.equals("cgroup.freeze") && this.freezerResponds) {
				updateEvents(file.getParent());
			}
		}
	}

	@Override
	public synchronized boolean createDirectory(Path dir) {
		if (!this.directories.add(dir)) {
			return false;
		}
		Path hierarchy = (dir.getParent().getParent() != null) ? dir.getParent().getParent().getFileName() : null;
		if (hierarchy == null || !dir.getParent().getFileName().toString().equals("cse")) {
			return true;
		}
		// a new service's cgroup: its control files
		this.files.put(dir.resolve("cgroup.procs"), "");
		if (hierarchy.toString().equals("freezer") || hierarchy.toString().equals("memory")) {
			this.files.put(dir.resolve("freezer.state"), "THAWED\n");
			this.files.put(dir.resolve("memory.usage_in_bytes"), Long.toString(200L * 1024 * 1024));
			this.files.put(dir.resolve("memory.limit_in_bytes"), "9223372036854771712");
			return true;
		}
		// cgroup v2: the memory files only where the parent hands the controller down
		if (this.v2Freezer) {
			this.files.put(dir.resolve("cgroup.freeze"), "0\n");
		}
		this.files.put(dir.resolve("cgroup.events"), "populated 0\nfrozen 0\n");
		this.files.put(dir.resolve("cgroup.subtree_control"), "\n");
		if (words(this.files.get(dir.getParent().resolve("cgroup.subtree_control"))).contains("memory")) {
			this.files.put(dir.resolve("memory.current"), Long.toString(200L * 1024 * 1024));
			this.files.put(dir.resolve("memory.high"), "max\n");
			this.files.put(dir.resolve("memory.max"), "max\n");
		}
		return true;
	}

	@Override
	public synchronized boolean removeDirectory(Path dir) {
		boolean hasChildren = this.directories.stream().anyMatch((other) -> dir.equals(other.getParent()));
		if (hasChildren || !this.files.getOrDefault(dir.resolve("cgroup.procs"), "").isEmpty()) {
			return false;
		}
		this.directories.remove(dir);
		this.files.keySet().removeIf((file) -> dir.equals(file.getParent()));
		return true;
	}

	@Override
	public synchronized boolean exists(Path path) {
		return this.directories.contains(path) || this.files.containsKey(path);
	}

	private void kill(long pid) {
		FakeProcess process = this.processes.remove(pid);
		if (process == null) {
			return;
		}
		List<Long> ended = new ArrayList<>(List.of(pid));
		if (process.namespace != null) {
			// Whatever ends in a namespace's tree ends it all: the service's end ends criu, the
			// init's end ends the namespace, and unshare --kill-child takes the init along.
			this.processes.values().removeIf((other) -> process.namespace.equals(other.namespace) && ended.add(other.pid));
		}
		// an ended process leaves its cgroups
		this.files.replaceAll((file, content) -> file.getFileName().toString().equals("cgroup.procs")
				? content.lines().filter((line) -> !ended.contains(Long.parseLong(line))).map((line) -> line + "\n")
					.collect(java.util.stream.Collectors.joining())
				: content);
		this.directories.forEach(this::updateEvents);
	}

	private void reclaim(Path usage, long limit) {
		long current = Long.parseLong(this.files.getOrDefault(usage, "0").strip());
		this.files.put(usage, Long.toString(Math.min(current, Math.max(limit, this.unreclaimable))));
	}

	/**
	 * What the kernel says in a cgroup v2 group's {@code cgroup.events}: whether processes
	 * are in it, and whether it is frozen as {@code cgroup.freeze} asks.
	 */
	private void updateEvents(Path group) {
		Path events = group.resolve("cgroup.events");
		if (!this.files.containsKey(events)) {
			return;
		}
		boolean populated = !this.files.getOrDefault(group.resolve("cgroup.procs"), "").isEmpty();
		String frozen = this.freezerResponds ? this.files.getOrDefault(group.resolve("cgroup.freeze"), "0").strip()
				: this.files.get(events).contains("frozen 1") ? "1" : "0";
		this.files.put(events, "populated " + (populated ? 1 : 0) + "\nfrozen " + frozen + "\n");
	}

	private static List<String> words(String text) {
		return (text == null || text.isBlank()) ? List.of() : List.of(text.strip().split("\\s+"));
	}

	private CommandResult add(List<String> command, Link link) {
		if (this.links.containsKey(link.name)) {
			return new CommandResult(command, 2, "RTNETLINK answers: File exists");
		}
		this.links.put(link.name, link);
		return ok(command, "");
	}

	private static Matcher match(String regex, String line) {
		Matcher matcher = Pattern.compile(regex).matcher(line);
		return matcher.matches() ? matcher : null;
	}

	private static CommandResult ok(List<String> command, String output) {
		return new CommandResult(command, 0, output);
	}

	private static long manifestPid(Path image) {
		try {
			return ImageManifest.read(image).pid();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static void writeQuietly(Path file, String text) {
		try {
			Files.createDirectories(file.getParent());
			Files.writeString(file, text);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static final class Link {

		final String name;

		volatile String master;

		final String peerNamespace;

		volatile String address;

		Link(String name, String master, String peerNamespace) {
			this.name = name;
			this.master = master;
			this.peerNamespace = peerNamespace;
		}

	}

	private record FakeProcess(long pid, long parent, String command, List<Long> namespacePids, String namespace) {

		ProcessInfo info() {
			return new ProcessInfo(this.pid, this.parent, this.command, 'S', this.pid * 10, this.namespacePids);
		}

	}

}
