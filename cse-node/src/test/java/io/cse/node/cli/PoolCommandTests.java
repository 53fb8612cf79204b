package io.cse.node.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.cse.node.CseRun;
import io.cse.node.FakeHost;
import io.cse.node.FakeProbe;
import io.cse.node.TestImages;
import io.cse.node.instance.Instance;
import io.cse.node.instance.NodeContext;
import io.cse.node.instance.Registry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code cse pool} on a {@link FakeHost}, with no resident agent: each command runs the
 * pool's operation in its own process.
 */
class PoolCommandTests {

	@TempDir
	Path temp;

	private final FakeHost host = new FakeHost().withCgroupV1AndZram();

	private Path template;

	@BeforeEach
	void template() throws IOException {
		this.template = TestImages.template(this.temp.resolve("images"), "tpl-1", 4242, 8080);
	}

	private CseRun cse(String... args) {
		List<String> all = new ArrayList<>(List.of(args));
		all.addAll(List.of("--state-dir", this.temp.resolve("state").toString()));
		return CseRun.of(new NodeContext(this.host, new FakeProbe()), all.toArray(String[]::new));
	}

	@Test
	void createListTakeAndRemoveAPool() {
		CseRun create = cse("pool", "create", this.template.toString(), "--name", "web", "--size", "2", "--squeeze");
		assertThat(create.exitCode()).as(create.toString()).isZero();
		assertThat(create.out()).contains("Pool web holds 2 frozen clones of " + this.template + ", squeezed: web-1, web-2");
		assertThat(cse("pool", "ls").out()).containsPattern("web +2/2 +0 +yes +" + this.template);
		assertThat(cse("ps").out()).containsPattern("web-1 +clone .* +FROZEN \\(squeezed\\)");

		CseRun take = cse("pool", "take", "web");
		assertThat(take.exitCode()).as(take.toString()).isZero();
		assertThat(take.out()).contains("Took web-1 from pool web").contains("address   10.199.0.10:8080")
			.contains("instance  id-10.199.0.10");
		assertThat(cse("ps").out()).containsPattern("web-1 +clone .* +THAWED");
		// no resident agent: nothing refilled it
		assertThat(cse("pool", "ls").out()).containsPattern("web +1/2");

		CseRun rm = cse("pool", "rm", "web");
		assertThat(rm.exitCode()).as(rm.toString()).isZero();
		assertThat(rm.out()).contains("Deleted pool web; stopped 1 frozen clone");
		assertThat(new Registry(this.temp.resolve("state")).list()).extracting(Instance::name).containsExactly("web-1");
		assertThat(cse("pool", "ls").out()).startsWith("No pools.");
	}

	@Test
	void poolErrorsSayWhatToDo() {
		CseRun take = cse("pool", "take", "nope");
		assertThat(take.exitCode()).isEqualTo(3);
		assertThat(take.err()).contains("no pool named nope (see 'cse pool ls', or GET /pools)");
		CseRun missingSize = cse("pool", "create", this.template.toString(), "--name", "web");
		assertThat(missingSize.exitCode()).isEqualTo(2);
		assertThat(missingSize.err()).contains("--size");
		CseRun zero = cse("pool", "create", this.template.toString(), "--name", "web", "--size", "0");
		assertThat(zero.exitCode()).isEqualTo(2);
		assertThat(zero.err()).contains("\"size\" must be between 1 and 50, not 0");
	}

}
