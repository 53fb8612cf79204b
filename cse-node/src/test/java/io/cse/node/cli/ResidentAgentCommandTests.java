package io.cse.node.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.cse.node.CseRun;
import io.cse.node.FakeHost;
import io.cse.node.FakeProbe;
import io.cse.node.agent.Agent;
import io.cse.node.agent.AgentServer;
import io.cse.node.image.Image;
import io.cse.node.instance.Instance;
import io.cse.node.instance.NodeContext;
import io.cse.node.instance.Registry;
import io.cse.node.linux.Bridge;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code cse} commands as clients of a resident agent: when one listens on the socket, the
 * command's work is done there (in the agent's state folder), not in the command.
 */
class ResidentAgentCommandTests {

	@TempDir
	Path temp;

	private final FakeHost host = new FakeHost().withCgroupV1AndZram();

	private final FakeProbe probe = new FakeProbe();

	private AgentServer server;

	private Path agentState;

	@BeforeEach
	void startAgent() {
		this.agentState = this.temp.resolve("agent-state");
		Agent agent = new Agent(new NodeContext(this.host, this.probe),
				new Agent.Settings(this.agentState, Path.of(Image.DEFAULT_ROOT), null, Bridge.DEFAULT_NAME));
		this.server = agent.serve(this.temp.resolve("agent.sock"), null);
	}

	@AfterEach
	void stopAgent() {
		this.server.close();
	}

	private CseRun cse(String... args) {
		List<String> all = new ArrayList<>(List.of(args));
		int separator = all.indexOf("--");
		// The command's own state folder: unused when the agent does the work.
		all.addAll((separator >= 0) ? separator : all.size(),
				List.of("--state-dir", this.temp.resolve("command-state").toString()));
		return CseRun.of(new NodeContext(this.host, this.probe, this.server.socket()), all.toArray(String[]::new));
	}

	@Test
	void commandsRunInTheResidentAgent() {
		CseRun run = cse("run", "--name", "app", "--", "java", "-jar", "app.jar", "--server.port=8081");
		assertThat(run.exitCode()).as(run.toString()).isZero();
		assertThat(run.out()).contains("Started app").contains("127.0.0.1:8081");
		Instance instance = new Registry(this.agentState).find("app").orElseThrow();
		assertThat(instance.kind()).isEqualTo(Instance.Kind.RUN);
		assertThat(new Registry(this.temp.resolve("command-state")).list()).isEmpty();

		assertThat(cse("ps").out()).containsPattern("app +run +\\d+ +127\\.0\\.0\\.1:8081 +- +alive +THAWED");
		CseRun freeze = cse("freeze", "app");
		assertThat(freeze.exitCode()).as(freeze.toString()).isZero();
		assertThat(freeze.out()).contains("Froze app");
		assertThat(cse("ps").out()).contains("FROZEN");
		CseRun thaw = cse("thaw", "app");
		assertThat(thaw.exitCode()).as(thaw.toString()).isZero();
		assertThat(thaw.out()).contains("Thawed app");
		CseRun stop = cse("stop", "app");
		assertThat(stop.exitCode()).as(stop.toString()).isZero();
		assertThat(new Registry(this.agentState).list()).isEmpty();
	}

	@Test
	void agentErrorsReachTheCommandsUser() {
		CseRun freeze = cse("freeze", "nothing");
		assertThat(freeze.exitCode()).isEqualTo(3);
		assertThat(freeze.err()).contains("no instance named nothing");
		CseRun stop = cse("stop", "nobody");
		assertThat(stop.exitCode()).isEqualTo(3);
		assertThat(stop.err()).contains("no instance named nobody (see 'cse ps')");
	}

	@Test
	void agentOptionsThatDoNotGoTogetherAreAUsageError() {
		CseRun agent = CseRun.of(new NodeContext(this.host, this.probe), "agent", "--tcp-port", "0");
		assertThat(agent.exitCode()).isEqualTo(2);
		assertThat(agent.err()).contains("--tcp-port and --token-file go together");
	}

}
