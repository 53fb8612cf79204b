package io.cse.node.instance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import io.cse.node.CseException;
import io.cse.node.instance.Instance.Endpoint;
import io.cse.node.instance.Instance.Network;
import io.cse.node.instance.Instance.ProcessId;
import io.cse.node.instance.Instance.Source;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RegistryTests {

	@TempDir
	Path state;

	static Instance instance(String name, String address) {
		return new Instance(name, Instance.Kind.CLONE, Instance.State.RUNNING, "id-1",
				new Source("/var/lib/cse/images/img-1", "img-1"), new Endpoint(address, 8080, "/actuator/cse"),
				new Network("cse-" + name, "cse0v10", "cse0"), new ProcessId(4711, 123456), new ProcessId(4710, 123455),
				new ProcessId(99, 1), null, "2026-11-27T10:00:00Z", "/var/lib/cse/run/logs/" + name);
	}

	@Test
	void roundTrip() {
		Registry registry = new Registry(this.state);
		Instance saved = instance("hello-1", "10.199.0.10");
		registry.save(saved);
		assertThat(registry.find("hello-1")).contains(saved);
		assertThat(registry.list()).containsExactly(saved);
		Instance restarted = saved.running("id-2");
		registry.save(restarted);
		assertThat(registry.list()).containsExactly(restarted);
		assertThat(registry.remove("hello-1")).isTrue();
		assertThat(registry.remove("hello-1")).isFalse();
		assertThat(registry.list()).isEmpty();
	}

	@Test
	void aStateFolderThatOthersCanChangeIsRefusedWithWhatToDo() throws IOException {
		Path dir = this.state.resolve("run");
		Registry registry = new Registry(dir);
		registry.save(instance("a", "10.199.0.10"));
		Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
		assertThatExceptionOfType(CseException.class).isThrownBy(registry::list)
			.withMessageContaining("the state folder " + dir + " can be changed by other users (mode rwxrwxrwx)")
			.withMessageContaining("chmod 700 " + dir);
		assertThatExceptionOfType(CseException.class).isThrownBy(() -> registry.find("a"));
		assertThatExceptionOfType(CseException.class).isThrownBy(() -> registry.locked(() -> null));
		Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
		assertThat(registry.list()).extracting(Instance::name).containsExactly("a");
	}

	@Test
	void aStateFolderThatIsALinkOrAnotherUsersIsRefused() throws IOException {
		Path real = this.state.resolve("real");
		new Registry(real).save(instance("a", "10.199.0.10"));
		Path link = Files.createSymbolicLink(this.state.resolve("link"), real);
		assertThatExceptionOfType(CseException.class).isThrownBy(() -> new Registry(link).list())
			.withMessageContaining("is not a folder (a link, or a file)");
		if ("root".equals(System.getProperty("user.name"))) {
			Files.setOwner(real.resolve("instances"),
					real.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
			assertThatExceptionOfType(CseException.class).isThrownBy(() -> new Registry(real).list())
				.withMessageContaining("belongs to user nobody");
		}
	}

	@Test
	void oneFileAnInstanceInAFolderOnlyRootReads() throws IOException {
		Registry registry = new Registry(this.state.resolve("run"));
		registry.save(instance("b", "10.199.0.11"));
		registry.save(instance("a", "10.199.0.10"));
		assertThat(registry.list()).extracting(Instance::name).containsExactly("a", "b");
		try (Stream<Path> files = Files.list(this.state.resolve("run/instances"))) {
			// no temporary file stays behind a save
			assertThat(files.map((file) -> file.getFileName().toString())).containsExactlyInAnyOrder("a.json",
					"b.json");
		}
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(this.state.resolve("run"))))
			.isEqualTo("rwx------");
		assertThat(Files.readString(this.state.resolve("run/instances/a.json"))).contains("\"kind\" : \"clone\"");
	}

	@Test
	void readsTheFlatEntriesOfAnEarlierCse() throws IOException {
		// written by cse before Instance was made of nested records
		Path instances = Files.createDirectories(this.state.resolve("instances"));
		Files.writeString(instances.resolve("hello-1.json"), """
				{
				  "name" : "hello-1", "kind" : "clone", "image" : "/var/lib/cse/images/img-1", "imageId" : "img-1",
				  "address" : "10.199.0.10", "port" : 8080, "healthPath" : "/actuator/cse",
				  "namespace" : "cse-hello-1", "hostInterface" : "cse0v10", "bridge" : "cse0",
				  "pid" : 4711, "pidStartTicks" : 123456, "launcherPid" : 4710, "launcherStartTicks" : 123455,
				  "instanceId" : "id-1", "state" : "running", "ownerPid" : 99, "ownerStartTicks" : 1,
				  "createdAt" : "2026-11-27T10:00:00Z", "logDir" : "/var/lib/cse/run/logs/hello-1",
				  "freezerCgroup" : null, "memoryCgroup" : null, "limitBeforeSqueeze" : 0
				}""");
		Files.writeString(instances.resolve("app.json"), """
				{
				  "name" : "app", "kind" : "run", "image" : null, "imageId" : "-", "address" : "127.0.0.1",
				  "port" : 8081, "healthPath" : "/actuator/cse", "namespace" : null, "hostInterface" : null,
				  "bridge" : null, "pid" : 5000, "pidStartTicks" : 777, "launcherPid" : 0, "launcherStartTicks" : 0,
				  "instanceId" : null, "state" : "starting", "ownerPid" : 99, "ownerStartTicks" : 1,
				  "createdAt" : "2026-11-27T10:00:00Z", "logDir" : "/var/lib/cse/run/logs/app",
				  "freezerCgroup" : "/sys/fs/cgroup/freezer/cse/app", "memoryCgroup" : "/sys/fs/cgroup/memory/cse/app",
				  "limitBeforeSqueeze" : 268435456
				}""");
		Registry registry = new Registry(this.state);
		assertThat(registry.find("hello-1")).contains(instance("hello-1", "10.199.0.10"));
		Instance app = registry.find("app").orElseThrow();
		assertThat(app.kind()).isEqualTo(Instance.Kind.RUN);
		assertThat(app.state()).isEqualTo(Instance.State.STARTING);
		assertThat(app.namespaced()).isFalse();
		assertThat(app.process()).isEqualTo(new ProcessId(5000, 777));
		assertThat(app.launcher()).isEqualTo(ProcessId.NONE);
		assertThat(app.cgroups()).isEqualTo(new Instance.Cgroups("/sys/fs/cgroup/freezer/cse/app",
				"/sys/fs/cgroup/memory/cse/app", 268435456, null));
		// saved again, an entry takes the nested form and reads back the same
		registry.save(app);
		assertThat(Files.readString(instances.resolve("app.json"))).contains("\"endpoint\"")
			.doesNotContain("\"pidStartTicks\"");
		assertThat(registry.find("app")).contains(app);
	}

	@Test
	void readsAnEmptyOrMissingFolderAsNoInstances() {
		assertThat(new Registry(this.state.resolve("never-created")).list()).isEmpty();
	}

	@Test
	void refusesNamesThatCannotNameFiles() {
		Registry registry = new Registry(this.state);
		assertThatThrownBy(() -> registry.save(instance("../evil", "10.199.0.10"))).isInstanceOf(CseException.class)
			.hasMessageContaining("cannot name an instance");
		assertThatThrownBy(() -> registry.find("")).isInstanceOf(CseException.class);
	}

	@Test
	void lockedActionsDoNotOverlap() throws Exception {
		Registry registry = new Registry(this.state);
		ExecutorService executor = Executors.newFixedThreadPool(4);
		CountDownLatch start = new CountDownLatch(1);
		try {
			List<Future<Object>> futures = Stream.of(1, 2, 3, 4).map((n) -> executor.submit(() -> {
				start.await();
				return registry.locked(() -> {
					// read-modify-write: without the lock two threads would pick the same address
					List<String> addresses = Allocation.allocateAddresses(io.cse.node.linux.Subnet.DEFAULT, 1,
							registry.list());
					registry.save(instance("i" + n, addresses.get(0)));
					return null;
				});
			})).toList();
			start.countDown();
			for (Future<Object> future : futures) {
				future.get();
			}
		}
		finally {
			executor.shutdownNow();
		}
		assertThat(registry.list()).extracting((instance) -> instance.endpoint().address()).containsExactlyInAnyOrder("10.199.0.10",
				"10.199.0.11", "10.199.0.12", "10.199.0.13");
	}

}
