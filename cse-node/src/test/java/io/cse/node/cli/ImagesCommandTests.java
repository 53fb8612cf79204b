package io.cse.node.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cse.node.CseRun;
import io.cse.node.FakeHost;
import io.cse.node.FakeProbe;
import io.cse.node.TestImages;
import io.cse.node.instance.NodeContext;
import io.cse.snapshot.ImageManifest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code cse images} on a {@link FakeHost}: what is under the images root, and deleting
 * what no pool needs.
 */
class ImagesCommandTests {

	private static final ObjectMapper JSON = new ObjectMapper();

	@TempDir
	Path temp;

	private final FakeHost host = new FakeHost().withCgroupV1AndZram();

	private Path images;

	private Path template;

	@BeforeEach
	void images() throws IOException {
		this.images = this.temp.resolve("images");
		this.template = TestImages.template(this.images, "tpl-1", 4242, 8080);
		// A dump that did not finish: CRIU's inventory, no manifest
		Path unfinished = Files.createDirectories(this.images.resolve("half-1"));
		Files.writeString(unfinished.resolve("inventory.img"), "x");
		// A folder that is no image at all
		Files.createDirectories(this.images.resolve("notes"));
	}

	private CseRun cse(String... args) {
		List<String> all = new ArrayList<>(List.of(args));
		all.addAll(List.of("--state-dir", this.temp.resolve("state").toString()));
		if (!args[0].equals("pool")) {
			all.addAll(List.of("--images-root", this.images.toString()));
		}
		return CseRun.of(new NodeContext(this.host, new FakeProbe()), all.toArray(String[]::new));
	}

	@Test
	void lsShowsEveryImageAndWhatKeepsOneFromBeingRestored() throws IOException {
		CseRun ls = cse("images", "ls");
		assertThat(ls.exitCode()).as(ls.toString()).isZero();
		assertThat(ls.out()).containsPattern("ID +KIND +CREATED +SIZE +SERVICE +POOLS +STATE")
			.containsPattern("tpl-1 +template +\\S+ +\\d+\\.\\d MiB +\\S+ +- +restorable")
			.containsPattern("half-1 +- +- +0\\.0 MiB +- +- +image half-1 is incomplete")
			.doesNotContain("notes");

		JsonNode listed = JSON.readTree(cse("images", "ls", "--json").out());
		assertThat(listed.findValuesAsText("id")).containsExactly("half-1", "tpl-1");
	}

	@Test
	void inspectChecksEveryFileAsARestoreWould() throws IOException {
		JsonNode inspected = JSON.readTree(cse("images", "inspect", "tpl-1").out());
		assertThat(inspected.path("image").path("problem").isNull()).isTrue();
		assertThat(inspected.path("manifest").path("imageId").asText()).isEqualTo("tpl-1");

		Path file = this.template.resolve(ImageManifest.read(this.template).files().firstKey());
		Files.write(file, new byte[] { 1, 2, 3 });
		JsonNode changed = JSON.readTree(cse("images", "inspect", "tpl-1").out());
		assertThat(changed.path("image").path("problem").asText()).contains("tpl-1");
		assertThat(cse("images", "inspect", "nothing").exitCode()).isEqualTo(3);
		assertThat(cse("images", "inspect", ".hidden").exitCode()).as("not an image id").isEqualTo(2);
	}

	@Test
	void rmKeepsATemplateAPoolRestoresFrom() throws IOException {
		assertThat(cse("pool", "create", this.template.toString(), "--name", "web", "--size", "1").exitCode()).isZero();
		CseRun refused = cse("images", "rm", "tpl-1");
		assertThat(refused.exitCode()).isEqualTo(6);
		assertThat(refused.err()).contains("Image tpl-1 is the template of pool web", "cse pool rm web");
		assertThat(this.template).isDirectory();

		assertThat(cse("pool", "rm", "web").exitCode()).isZero();
		CseRun rm = cse("images", "rm", "tpl-1", "half-1", "--json");
		assertThat(rm.exitCode()).as(rm.toString()).isZero();
		JsonNode deleted = JSON.readTree(rm.out());
		assertThat(deleted.findValuesAsText("image")).containsExactly("tpl-1", "half-1");
		assertThat(this.template).doesNotExist();
		assertThat(this.images.resolve("half-1")).doesNotExist();
		assertThat(this.images.resolve("notes")).isDirectory();
		assertThat(cse("images", "rm", "notes").exitCode()).as("no image").isEqualTo(3);
	}

}
