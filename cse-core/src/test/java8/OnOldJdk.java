import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import io.cse.CheckpointContext;
import io.cse.CheckpointCoordinator;
import io.cse.CheckpointParticipant;
import io.cse.InstanceIdentity;
import io.cse.InstanceState;
import io.cse.OperationReport;
import io.cse.linux.ProcFs;
import io.cse.memory.HeapTrimmer;
import io.cse.snapshot.ImageIdentity;
import io.cse.snapshot.ImageManifest;

/**
 * What a service on an old JDK (8, 11) does with cse-core: freezes and thaws through the coordinator
 * (heap trim included), renews its identity as a clone would, and writes and reads an
 * image manifest. Compiled for Java 8 and run by CoreOnOldJdksTests; prints one line per
 * step and exits with 1 at the first step that does not do what it should.
 */
public final class OnOldJdk {

	public static void main(String[] args) throws Exception {
		final List<String> calls = Collections.synchronizedList(new ArrayList<String>());
		CheckpointParticipant participant = new CheckpointParticipant() {

			@Override
			public String getName() {
				return "pool";
			}

			@Override
			public void quiesce(CheckpointContext context) {
				calls.add("quiesce " + context.operation());
			}

			@Override
			public void resume(CheckpointContext context) {
				calls.add("resume " + context.resumption());
			}

		};
		// The default collector of each JDK (Java 8: Parallel) gives the garbage back
		long committedBefore = committedHeapWithGarbage();
		ProcFs procFs = new ProcFs();
		long residentBefore = procFs.residentBytes();
		new HeapTrimmer(procFs, 10).trim();
		long committedGiven = (committedBefore - ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted()) >> 20;
		long residentGiven = (residentBefore - procFs.residentBytes()) >> 20;
		check("heap trim gave back " + committedGiven + " MiB of committed heap, " + residentGiven + " MiB resident",
				committedGiven > 100 && residentGiven > 100);
		InstanceIdentity identity = new InstanceIdentity(Clock.systemUTC());
		CheckpointCoordinator coordinator = new CheckpointCoordinator(Collections.singletonList(participant), identity,
				new HeapTrimmer(new ProcFs(), 10), Duration.ofSeconds(10), Clock.systemUTC());
		try {
			OperationReport freeze = coordinator.freeze();
			check("freeze " + freeze.outcome() + " " + coordinator.getState() + ", heap trimmed: "
					+ (freeze.memory() != null), coordinator.getState() == InstanceState.FROZEN
							&& freeze.outcome() == OperationReport.Outcome.SUCCESS && freeze.memory() != null);
			OperationReport thaw = coordinator.thaw(Collections.<String, String>emptyMap());
			check("thaw " + thaw.outcome() + " " + coordinator.getState() + " " + calls,
					coordinator.getState() == InstanceState.RUNNING
							&& calls.equals(java.util.Arrays.asList("quiesce FREEZE", "resume THAW")));
		}
		finally {
			coordinator.close();
		}
		String template = identity.getInstanceId();
		identity.regenerate("template");
		check("clone identity " + identity.getInstanceId() + " of " + identity.getParentId(),
				!identity.getInstanceId().equals(template) && template.equals(identity.getParentId()));
		Path folder = Files.createTempDirectory("cse-old-jdk");
		ImageManifest manifest = ImageManifest.builder()
			.imageId("java8")
			.kind(ImageManifest.Kind.DUMP)
			.engine("criu", "4.2")
			.createdAt(Clock.systemUTC().instant())
			.application(new ImageManifest.Application("legacy", 8080, "/health"))
			.process(new ProcFs().pid(), new ProcFs().residentBytes())
			.java(System.getProperty("java.version"), System.getProperty("java.home"))
			.identity(new ImageIdentity(identity.getInstanceId(), identity.getGeneration()))
			.build();
		manifest.writePending(folder);
		ImageManifest.publish(folder);
		ImageManifest read = ImageManifest.read(folder);
		check("manifest read back: " + read.equals(manifest) + ", pid " + read.pid(),
				read.equals(manifest) && read.pid() > 0);
		System.out.println("ok on Java " + System.getProperty("java.version"));
	}

	/**
	 * Commit about 200 MB more heap than the live data needs, in the old generation, then
	 * drop it.
	 */
	private static long committedHeapWithGarbage() {
		List<byte[]> garbage = new ArrayList<byte[]>();
		for (int i = 0; i < 200; i++) {
			garbage.add(new byte[1024 * 1024]);
		}
		long committed = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted();
		System.out.println("grew the heap with " + garbage.size() + " MiB of garbage: " + (committed >> 20)
				+ " MiB committed");
		garbage.clear();
		return committed;
	}

	private static void check(String step, boolean done) {
		System.out.println(step);
		if (!done) {
			System.out.println("FAILED: " + step);
			System.exit(1);
		}
	}

}
