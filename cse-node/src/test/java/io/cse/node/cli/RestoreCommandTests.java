package io.cse.node.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import io.cse.node.CseRun;
import io.cse.node.FakeHost;
import io.cse.node.FakeProbe;
import io.cse.node.TestImages;
import io.cse.node.instance.Instance;
import io.cse.node.instance.NodeContext;
import io.cse.node.instance.Registry;
import io.cse.snapshot.ImageManifest.Kind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code cse restore} on a {@link FakeHost}.
 */
class RestoreCommandTests {

	@TempDir
	Path temp;

	private final FakeHost host = new FakeHost();

	private final FakeProbe probe = new FakeProbe();

	private CseRun cse(String... args) {
		String[] all = new String[args.length + 2];
		System.arraycopy(args, 0, all, 0, args.length);
		all[args.length] = "--state-dir";
		all[args.length + 1] = this.temp.resolve("state").toString();
		return CseRun.of(new NodeContext(this.host, this.probe), all);
	}

	private Registry registry() {
		return new Registry(this.temp.resolve("state"));
	}

	@Test
	void restoresInTheHostsNamespaces() throws IOException {
		Path image = TestImages.write(this.temp, "img-1", Kind.DUMP, 4242, 8080, "/actuator/health");
		CseRun run = cse("restore", image.toString(), "--name", "web");
		assertThat(run.exitCode()).as(run.toString()).isZero();
		String workDir = this.temp.resolve("state/logs/web").toAbsolutePath().toString();
		assertThat(this.host.commands()).contains(List.of("setsid", "/opt/cse/criu/bin/criu", "restore", "-D",
				image.toAbsolutePath().toString(), "--shell-job", "--tcp-close", "--manage-cgroups=ignore", "--work-dir", workDir, "-o",
				"restore.log", "--restore-detached"));
		// A dump's restore resumes the instance the image holds: its id is the image's, and
		// the agent waits for the health path alone
		assertThat(run.out()).contains("Restored web from image img-1", "pid       4242", "address   127.0.0.1:8080",
				"instance  original");
		assertThat(this.probe.gets()).containsExactly("127.0.0.1:8080/actuator/health none");
		Instance instance = registry().find("web").orElseThrow();
		assertThat(instance.kind()).isEqualTo(Instance.Kind.RESTORE);
		assertThat(instance.process().pid()).isEqualTo(4242);
		assertThat(instance.namespaced()).isFalse();
		assertThat(instance.state()).isEqualTo(Instance.State.RUNNING);
		assertThat(instance.instanceId()).isEqualTo("original");
		assertThat(this.host.namespaces()).isEmpty();
	}

	@Test
	void namesTheInstanceAfterTheApplication() throws IOException {
		Path image = TestImages.write(this.temp, "img-1", Kind.DUMP, 4242, 8080, "/");
		assertThat(cse("restore", image.toString()).exitCode()).isZero();
		assertThat(registry().list()).extracting(Instance::name).containsExactly("hello-web-1");
	}

	@Test
	void findsAnImageByIdUnderImagesRoot() throws IOException {
		TestImages.write(this.temp.resolve("images"), "img-9", Kind.DUMP, 4242, 8080, "/");
		CseRun run = cse("restore", "img-9", "--images-root", this.temp.resolve("images").toString());
		assertThat(run.exitCode()).as(run.toString()).isZero();
	}

	@Test
	void asksATemplatesRestoreForItsOwnIdAndSaysUnknownWhenItHasNoEndpoint() throws IOException {
		Path template = TestImages.write(this.temp, "tpl-1", Kind.TEMPLATE, 4242, 8080, "/");
		assertThat(cse("restore", template.toString(), "--name", "one").out()).contains("instance  id-127.0.0.1");
		assertThat(cse("stop", "one").exitCode()).isZero();
		this.probe.withoutEndpoint();
		assertThat(cse("restore", template.toString(), "--name", "two").out()).contains("instance  unknown");
	}

	@Test
	void refusesToRunAsAnotherUserThanRoot() throws IOException {
		this.host.root(false);
		Path image = TestImages.write(this.temp, "img-1", Kind.DUMP, 4242, 8080, "/");
		CseRun run = cse("restore", image.toString());
		assertThat(run.exitCode()).isEqualTo(5);
		assertThat(run.err()).contains("run as root");
		assertThat(this.host.commands()).isEmpty();
	}

	@Test
	void refusesAnIncompleteImage() throws IOException {
		Path image = TestImages.incomplete(this.temp, "img-2");
		CseRun run = cse("restore", image.toString());
		assertThat(run.exitCode()).isEqualTo(6);
		assertThat(run.err()).startsWith(
				"cse: image img-2 is incomplete (no manifest.json): its dump did not finish; delete it");
		assertThat(this.host.commandLines()).noneMatch((line) -> line.contains(" restore "));
		assertThat(registry().list()).isEmpty();
	}

	@Test
	void refusesWhenThePidIsTaken() throws IOException {
		this.host.withProcess(4242, "java");
		Path image = TestImages.write(this.temp, "img-1", Kind.DUMP, 4242, 8080, "/");
		CseRun run = cse("restore", image.toString());
		assertThat(run.exitCode()).isEqualTo(6);
		assertThat(run.err()).contains(
				"PID 4242 is still taken (by java): wait for it to exit, or restore with --namespace");
		assertThat(this.host.commandLines()).noneMatch((line) -> line.contains(" restore "));
		assertThat(registry().list()).isEmpty();
	}

	@Test
	void saysHowToInstallCriuWhenItIsMissing() throws IOException {
		this.host.withoutExecutable("/opt/cse/criu/bin/criu");
		Path image = TestImages.write(this.temp, "img-1", Kind.DUMP, 4242, 8080, "/");
		CseRun run = cse("restore", image.toString());
		assertThat(run.exitCode()).isEqualTo(5);
		assertThat(run.err()).contains("install it with scripts/install-criu.sh");
	}

	@Test
	void leavesNothingWhenCriuFails() throws IOException {
		this.host.failing((command) -> command.contains("restore"));
		Path image = TestImages.write(this.temp, "img-1", Kind.DUMP, 4242, 8080, "/");
		CseRun run = cse("restore", image.toString(), "--name", "web");
		assertThat(run.exitCode()).isEqualTo(1);
		assertThat(run.err()).contains("criu restore of image img-1 failed (exit 1)", "logs in ");
		assertThat(registry().list()).isEmpty();
		assertThat(this.host.livePids()).isEmpty();
	}

	@Test
	void stopsTheProcessWhenItNeverAnswers() throws IOException {
		this.probe.silent("127.0.0.1");
		Path image = TestImages.write(this.temp, "img-1", Kind.DUMP, 4242, 8080, "/");
		CseRun run = cse("restore", image.toString(), "--name", "web", "--timeout", "50ms");
		assertThat(run.exitCode()).isEqualTo(1);
		assertThat(run.err()).contains("web did not answer 200 on http://127.0.0.1:8080/ within 50 ms (no answer)");
		assertThat(this.host.commandLines()).contains("kill -s KILL 4242");
		assertThat(this.host.livePids()).isEmpty();
		assertThat(registry().list()).isEmpty();
	}

	@Test
	void restoresInNamespacesOfItsOwnWithNamespace() throws IOException {
		Path image = TestImages.write(this.temp, "img-1", Kind.DUMP, 4242, 8080, "/");
		CseRun run = cse("restore", image.toString(), "--namespace", "--name", "web");
		assertThat(run.exitCode()).as(run.toString()).isZero();
		assertThat(this.host.namespaces()).containsExactly("cse-web");
		assertThat(run.out()).contains("address   10.199.0.10:8080", "init of its PID namespace");
		Instance instance = registry().find("web").orElseThrow();
		assertThat(instance.kind()).isEqualTo(Instance.Kind.RESTORE);
		assertThat(instance.network().namespace()).isEqualTo("cse-web");
		assertThat(instance.network().hostInterface()).isEqualTo("cse0v10");
	}

}
