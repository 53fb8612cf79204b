package io.cse.node.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cse.node.CseRun;
import io.cse.node.FakeHost;
import io.cse.node.FakeProbe;
import io.cse.node.TestImages;
import io.cse.node.instance.HttpProbe;
import io.cse.node.instance.NodeContext;
import io.cse.snapshot.ImageManifest.Kind;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code cse snapshot} on a {@link FakeHost}: the service is asked through its endpoint,
 * answers {@code 202} with the image's folder, and the command waits for the manifest
 * that a snapshot writes last.
 */
class SnapshotCommandTests {

	private static final Path FOLDER = Path.of("/var/lib/cse/images/tpl");

	private static final String ACCEPTED = "{\"operation\":\"clone\",\"imageId\":\"tpl\",\"folder\":\"" + FOLDER
			+ "\",\"engine\":\"criu\",\"then\":\"the process keeps running; every restore of the image is a new "
			+ "instance\"}";

	@TempDir
	Path temp;

	private final FakeHost host = new FakeHost();

	private final FakeProbe probe = new FakeProbe();

	@BeforeEach
	void aRunningService() {
		this.host.withCgroupV1AndZram();
		CseRun run = cse("run", "--name", "app", "--", "/usr/bin/java", "-jar", "app.jar", "--server.port=8081");
		assertThat(run.exitCode()).as(run.toString()).isZero();
	}

	private CseRun cse(String... args) {
		List<String> all = new ArrayList<>(List.of(args));
		int separator = all.indexOf("--");
		all.addAll((separator >= 0) ? separator : all.size(),
				List.of("--state-dir", this.temp.resolve("state").toString()));
		return CseRun.of(new NodeContext(this.host, this.probe), all.toArray(String[]::new));
	}

	/** A service that makes the folder at once and, if told, finishes the image. */
	private void serviceSnapshots(boolean finishes) {
		this.probe.posts((uri) -> {
			this.host.withDirectory(FOLDER);
			if (finishes) {
				this.host.withFile(FOLDER.resolve("manifest.json"), "{}");
			}
			return Optional.of(new HttpProbe.Answer(202, ACCEPTED));
		});
	}

	@Test
	void aTemplateIsAskedOfTheServiceAndWaitedForUntilItsManifestIsWritten() throws IOException {
		serviceSnapshots(true);
		CseRun snapshot = cse("snapshot", "app", "--template", "--image", "tpl", "--wait");
		assertThat(snapshot.exitCode()).as(snapshot.toString()).isZero();
		assertThat(this.probe.postedUris()).containsExactly("http://127.0.0.1:8081/actuator/cse/clone?image=tpl");
		assertThat(snapshot.out()).contains("app took image tpl (clone template): complete after")
			.contains("folder  " + FOLDER)
			.contains("next    cse clone " + FOLDER + " --count N");
		JsonNode json = new ObjectMapper().readTree(cse("snapshot", "app", "--template", "--image", "tpl", "--wait",
				"--json").out());
		assertThat(json.path("image").asText()).isEqualTo("tpl");
		assertThat(json.path("operation").asText()).isEqualTo("clone");
		assertThat(json.path("complete").asBoolean()).isTrue();
		assertThat(json.path("folder").asText()).isEqualTo(FOLDER.toString());
	}

	@Test
	void aDumpWithoutWaitReturnsOnceTheServiceHasStartedIt() {
		serviceSnapshots(false);
		CseRun snapshot = cse("snapshot", "app");
		assertThat(snapshot.exitCode()).as(snapshot.toString()).isZero();
		assertThat(this.probe.postedUris()).containsExactly("http://127.0.0.1:8081/actuator/cse/dump");
		assertThat(snapshot.out()).contains("app started image tpl (dump)");
	}

	@Test
	void anImageNotCompleteInTimeIsATimeout() {
		serviceSnapshots(false);
		CseRun snapshot = cse("snapshot", "app", "--template", "--wait", "--timeout", "100ms");
		assertThat(snapshot.exitCode()).as(snapshot.toString()).isEqualTo(4);
		assertThat(snapshot.err()).contains("image tpl of app was not complete within 100 ms: the snapshot may "
				+ "still be under way");
	}

	@Test
	void aSnapshotThatFailsDeletesItsFolderAndSaysWhereToLook() {
		// The service answers, then fails and deletes its unfinished image: no folder
		this.probe.posts((uri) -> Optional.of(new HttpProbe.Answer(202, ACCEPTED)));
		CseRun snapshot = cse("snapshot", "app", "--template", "--wait");
		assertThat(snapshot.exitCode()).as(snapshot.toString()).isOne();
		assertThat(snapshot.err()).contains("the snapshot of app failed: it deleted its unfinished image tpl");
	}

	@Test
	void aServiceThatRefusesIsReportedWithItsAnswer() {
		this.probe.posts((uri) -> Optional.of(new HttpProbe.Answer(501, "{\"error\":\"no engine: install CRIU\"}")));
		CseRun snapshot = cse("snapshot", "app", "--wait");
		assertThat(snapshot.exitCode()).as(snapshot.toString()).isOne();
		assertThat(snapshot.err()).contains("app did not start its snapshot: POST /actuator/cse/dump answered 501 "
				+ "{\"error\":\"no engine: install CRIU\"}; nothing was taken");
	}

	@Test
	void aFrozenServiceIsRefusedBeforeItIsAsked() {
		assertThat(cse("freeze", "app").exitCode()).isZero();
		int posts = this.probe.posted().size();
		CseRun snapshot = cse("snapshot", "app", "--wait");
		assertThat(snapshot.exitCode()).as(snapshot.toString()).isEqualTo(6);
		assertThat(snapshot.err()).contains("app is frozen: thaw it first ('cse thaw app')");
		assertThat(this.probe.posted()).hasSize(posts);
	}

	@Test
	void badInputIsRefusedBeforeTheServiceIsAsked() {
		CseRun unknown = cse("snapshot", "nope", "--wait");
		assertThat(unknown.exitCode()).as(unknown.toString()).isEqualTo(3);
		CseRun badImage = cse("snapshot", "app", "--image", "../etc");
		assertThat(badImage.exitCode()).as(badImage.toString()).isEqualTo(2);
		assertThat(badImage.err()).contains("'../etc' cannot name an image");
		assertThat(this.probe.posted()).isEmpty();
	}

	@Test
	void aRehearsedTemplateIsFrozenAndThawedWithRequestsAfterEachThawBeforeItIsAsked() {
		this.probe.posts((uri) -> {
			if (!uri.getPath().endsWith("/clone")) {
				return Optional.of(new HttpProbe.Answer(200, "{}"));
			}
			this.host.withDirectory(FOLDER);
			this.host.withFile(FOLDER.resolve("manifest.json"), "{}");
			return Optional.of(new HttpProbe.Answer(202, ACCEPTED));
		});
		CseRun snapshot = cse("snapshot", "app", "--template", "--rehearse", "2", "--rehearsal-path", "/hello",
				"--image", "tpl", "--wait");
		assertThat(snapshot.exitCode()).as(snapshot.toString()).isZero();
		assertThat(this.probe.posted()).containsExactly("/actuator/cse/freeze", "/actuator/cse/thaw",
				"/actuator/cse/freeze", "/actuator/cse/thaw", "/actuator/cse/clone");
		assertThat(this.probe.gets()).filteredOn((get) -> get.contains("/hello")).hasSize(100)
			.allMatch((get) -> get.equals("127.0.0.1:8081/hello none"), "to the service's port, without the token");
		assertThat(snapshot.out()).contains("app took image tpl (clone template)")
			.contains("rehearsed  frozen and thawed 2 times first");
		assertThat(cse("ps").out()).as("thawed again").doesNotContain("FROZEN");
	}

	@Test
	void aRehearsalIsRefusedForAnInstanceTheHostCannotFreeze() throws IOException {
		Path image = TestImages.write(this.temp, "img-1", Kind.DUMP, 4242, 8080, "/");
		CseRun restore = cse("restore", image.toString(), "--name", "web");
		assertThat(restore.exitCode()).as(restore.toString()).isZero();
		CseRun snapshot = cse("snapshot", "web", "--template", "--rehearse", "3");
		assertThat(snapshot.exitCode()).as(snapshot.toString()).isEqualTo(6);
		assertThat(snapshot.err()).contains("a rehearsal freezes and thaws web through the host, and it was started "
				+ "by 'cse restore', not in cgroups of its own: rehearse a template started with 'cse run', or take "
				+ "this one's image without --rehearse; nothing was taken");
		assertThat(this.probe.posted()).isEmpty();
		assertThat(cse("ps").out()).doesNotContain("FROZEN");
	}

	@Test
	void rehearsalsAreRefusedForADumpAndBeyondTenBeforeTheServiceIsAsked() {
		CseRun dump = cse("snapshot", "app", "--rehearse", "3");
		assertThat(dump.exitCode()).as(dump.toString()).isEqualTo(2);
		assertThat(dump.err()).contains("\"rehearse\" prepares a clone template: add \"template\": true");
		CseRun tooMany = cse("snapshot", "app", "--template", "--rehearse", "11");
		assertThat(tooMany.exitCode()).as(tooMany.toString()).isEqualTo(2);
		assertThat(tooMany.err()).contains("\"rehearse\" takes 0 to 10 freezes and thaws");
		CseRun badPath = cse("snapshot", "app", "--template", "--rehearse", "3", "--rehearsal-path", "hello");
		assertThat(badPath.exitCode()).as(badPath.toString()).isEqualTo(2);
		assertThat(badPath.err()).contains("\"rehearsalPath\" must be an absolute path such as /, not 'hello'");
		assertThat(this.probe.posted()).isEmpty();
	}

}
