package io.cse.node.agent;

import java.io.IOException;
import java.nio.file.Path;

import io.cse.node.FakeHost;
import io.cse.node.TestImages;
import io.cse.node.agent.AgentApiFixture.Answer;
import io.cse.node.agent.AgentApiFixture.Snapshot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Requests the agent refuses: each gets a 4xx whose message says what is wrong, and
 * nothing changes, neither on the {@link FakeHost} nor in the registry.
 */
class AgentApiBadInputTests {

	@TempDir
	Path temp;

	private AgentApiFixture agent;

	private Snapshot before;

	@BeforeEach
	void startAgentWithOneInstanceAndAnImage(TestInfo test) throws IOException {
		this.agent = new AgentApiFixture(this.temp,
				"AgentApiBadInputTests." + test.getTestMethod().orElseThrow().getName());
		assertThat(this.agent.runApp().status()).isEqualTo(201);
		TestImages.template(this.agent.imagesRoot, "tpl-1", 4242, 8080);
		this.before = this.agent.snapshot();
	}

	@AfterEach
	void nothingChangedAndStopAgent() {
		assertThat(this.agent.snapshot()).as("host commands, host writes and registry").isEqualTo(this.before);
		this.agent.close();
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', textBlock = """
			GET    | /instances/nope        |
			POST   | /instances/nope/freeze | {"squeeze": true}
			POST   | /instances/nope/thaw   |
			DELETE | /instances/nope        |
			""")
	void unknownInstanceIs404NamingTheListRoute(String method, String target, String body) {
		Answer answer = this.agent.call(method, target, body);
		assertThat(answer.status()).as(answer.toString()).isEqualTo(404);
		assertThat(answer.error()).isEqualTo("no instance named nope (see 'cse ps', or GET /instances)");
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', textBlock = """
			POST | /instances
			POST | /instances/app/freeze
			POST | /instances/app/thaw
			POST | /restores
			POST | /clones
			PUT  | /bridges/br1
			""")
	void bodyThatIsNotJsonIs400(String method, String target) {
		Answer answer = this.agent.call(method, target, "{\"squeeze\": tru");
		assertThat(answer.status()).as(answer.toString()).isEqualTo(400);
		assertThat(answer.error()).startsWith("The body of " + method + " " + target + " is not valid JSON")
			.endsWith("(see docs/agent-api.md for the fields)");
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', textBlock = """
			POST | /instances            | {"name": "b", "command": ["java"], "ports": 8081} | ports      | command, endpointPath, managementPort, name, port, timeout
			POST | /instances/app/freeze | {"squeze": true}                                  | squeze     | floorMiB, squeeze, timeout, wakeOnRequest
			POST | /instances/app/thaw   | {"onrequest": true}                               | onrequest  | onRequest, timeout
			POST | /instances/app/snapshot | {"templte": true}                                | templte    | image, rehearsalPath, rehearse, template, timeout, wait
			POST | /restores             | {"image": "tpl-1", "namespaced": true}            | namespaced | bridge, image, name, namespace, timeout
			POST | /clones               | {"image": "tpl-1", "count": 2, "prefix": "t"}     | prefix     | bridge, count, freezable, image, namePrefix, parallel, timeout
			PUT  | /bridges/br1          | {"cidr": "10.50.0.0/24"}                          | cidr       | subnet
			""")
	void unknownFieldIs400NamingItAndTheFieldsTheRouteTakes(String method, String target, String body, String field,
			String known) {
		Answer answer = this.agent.call(method, target, body);
		assertThat(answer.status()).as(answer.toString()).isEqualTo(400);
		assertThat(answer.error()).isEqualTo("The body of " + method + " " + target + " has no field \"" + field
				+ "\": it takes " + known + " (see docs/agent-api.md)");
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', textBlock = """
			/instances | {"command": ["java", "-jar", "app.jar"]} | The body needs "name" (see docs/agent-api.md)
			/instances | {"name": "b"}                            | Give the command that starts the service: "command": ["java", "-jar", "app.jar"]
			/instances | {"name": "b", "command": []}             | Give the command that starts the service: "command": ["java", "-jar", "app.jar"]
			/restores  | {"name": "web"}                          | The body needs "image" (see docs/agent-api.md)
			/clones    | {"count": 2}                             | The body needs "image" (see docs/agent-api.md)
			/clones    | {"image": "tpl-1"}                       | The body needs "count" (see docs/agent-api.md)
			""")
	void missingFieldIs400NamingIt(String target, String body, String message) {
		Answer answer = this.agent.post(target, body);
		assertThat(answer.status()).as(answer.toString()).isEqualTo(400);
		assertThat(answer.error()).isEqualTo(message);
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', textBlock = """
			/clones               | {"image": "tpl-1", "count": 0}                  | "count" must be between 1 and 200, not 0
			/clones               | {"image": "tpl-1", "count": 1000}               | "count" must be between 1 and 200, not 1000
			/clones               | {"image": "tpl-1", "count": 2, "parallel": 0}   | "parallel" must be at least 1, not 0
			/instances            | {"name": "b", "port": 0, "command": ["java"]}   | "port" must be between 1 and 65535, not 0
			/instances            | {"name": "b", "port": 70000, "command": ["java"]} | "port" must be between 1 and 65535, not 70000
			/instances/app/freeze | {"squeeze": true, "floorMiB": 0}                | "floorMiB" must be at least 1, not 0
			""")
	void sizeOutOfRangeIs400SayingTheRange(String target, String body, String message) {
		Answer answer = this.agent.post(target, body);
		assertThat(answer.status()).as(answer.toString()).isEqualTo(400);
		assertThat(answer.error()).isEqualTo(message);
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', textBlock = """
			POST   | /instances              | {"name": "b", "command": ["java"], "timeout": "soon"}   | "timeout": 'soon' is no duration: write it as 60, 60s, 500ms or 2m
			POST   | /instances/app/thaw     | {"onRequest": true, "timeout": "0s"}                  | "timeout": '0s' is not a positive duration
			POST   | /restores               | {"image": "tpl-1", "timeout": "PT-1S"}                | "timeout": 'PT-1S' is not a positive duration
			POST   | /clones                 | {"image": "tpl-1", "count": 2, "timeout": "1 week"}   | "timeout": '1 week' is no duration: write it as 60, 60s, 500ms or 2m
			DELETE | /instances/app?grace=ever |                                                     | "grace": 'ever' is no duration: write it as 60, 60s, 500ms or 2m
			""")
	void badDurationIs400ShowingHowToWriteOne(String method, String target, String body, String message) {
		Answer answer = this.agent.call(method, target, body);
		assertThat(answer.status()).as(answer.toString()).isEqualTo(400);
		assertThat(answer.error()).isEqualTo(message);
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', textBlock = """
			POST | /instances            | {"name": "../x", "command": ["java"]}
			POST | /restores             | {"image": "tpl-1", "name": "../x"}
			POST | /clones               | {"image": "tpl-1", "count": 2, "namePrefix": "../x"}
			POST | /instances/../freeze  | {}
			GET  | /instances/-x         |
			""")
	void invalidNameIs400SayingWhatANameIs(String method, String target, String body) {
		Answer answer = this.agent.call(method, target, body);
		assertThat(answer.status()).as(answer.toString()).isEqualTo(400);
		assertThat(answer.error()).endsWith("cannot name an instance: use 1 to 40 letters, digits, '.', '_' or '-', "
				+ "starting with a letter or digit");
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
			PUT    | /bridges/br1  | {"subnet": "10.50.0.0/33"} | '10.50.0.0/33' is no IPv4 subnet: write it as 10.199.0.0/24
			PUT    | /bridges/br1  | {"subnet": "tenfifty"}     | 'tenfifty' is no IPv4 subnet: write it as 10.199.0.0/24
			PUT    | /bridges/Br_1 | {}                         | bridge name 'Br_1' is not valid: use 1 to 8 lower-case letters and digits, starting with a letter (the default is cse0)
			DELETE | /bridges/bridge123 |                       | bridge name 'bridge123' is not valid: use 1 to 8 lower-case letters and digits, starting with a letter (the default is cse0)
			POST   | /clones       | {"image": "tpl-1", "count": 2, "bridge": "Br_1"} | bridge name 'Br_1' is not valid: use 1 to 8 lower-case letters and digits, starting with a letter (the default is cse0)
			POST   | /restores     | {"image": "tpl-1", "namespace": true, "bridge": "Br_1"} | bridge name 'Br_1' is not valid: use 1 to 8 lower-case letters and digits, starting with a letter (the default is cse0)
			""")
	void badBridgeOrSubnetIs400(String method, String target, String body, String message) {
		Answer answer = this.agent.call(method, target, body);
		assertThat(answer.status()).as(answer.toString()).isEqualTo(400);
		assertThat(answer.error()).isEqualTo(message);
	}

	@Test
	void runUnderANameInUseIs409() {
		// was a 500, as if the host had failed: the name is the caller's to change
		Answer answer = this.agent.post("/instances", "{\"name\": \"app\", \"port\": 8082, \"command\": [\"java\"]}");
		assertThat(answer.status()).as(answer.toString()).isEqualTo(409);
		assertThat(answer.error()).isEqualTo("an instance named app exists already (see 'cse ps', or GET /instances): "
				+ "stop it first ('cse stop app', or DELETE /instances/app), or choose another name");
	}

	@Test
	void aSnapshotsImageIsAFolderNameUnderTheServicesRoot() {
		Answer answer = this.agent.post("/instances/app/snapshot", "{\"image\": \"../../etc\"}");
		assertThat(answer.status()).as(answer.toString()).isEqualTo(400);
		assertThat(answer.error()).isEqualTo("'../../etc' cannot name an image: use 1 to 64 letters, digits, '.', "
				+ "'_' or '-', starting with a letter or digit");
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', textBlock = """
			{"rehearse": 3}                                          | "rehearse" prepares a clone template: add "template": true, or leave "rehearse" out for a dump
			{"template": true, "rehearse": 11}                       | "rehearse" takes 0 to 10 freezes and thaws (3 is what pools are measured with), not 11
			{"template": true, "rehearse": -1}                       | "rehearse" takes 0 to 10 freezes and thaws (3 is what pools are measured with), not -1
			{"template": true, "rehearsalPath": "/"}                 | "rehearsalPath" is asked for after each rehearsal's thaw: add "rehearse": 3, or leave "rehearsalPath" out
			{"template": true, "rehearse": 3, "rehearsalPath": "/../x"} | "rehearsalPath" must be an absolute path such as /, not '/../x'
			""")
	void aRehearsalIsForTemplatesWithinTenAndOnAPathOfTheService(String body, String error) {
		Answer answer = this.agent.post("/instances/app/snapshot", body);
		assertThat(answer.status()).as(answer.toString()).isEqualTo(400);
		assertThat(answer.error()).isEqualTo(error);
	}

	@Test
	void aFreezeTimeoutMustBeADuration() {
		Answer answer = this.agent.post("/instances/app/freeze", "{\"timeout\": \"soon\"}");
		assertThat(answer.status()).as(answer.toString()).isEqualTo(400);
		assertThat(answer.error()).isEqualTo("\"timeout\": 'soon' is no duration: write it as 60, 60s, 500ms or 2m");
	}

	@Test
	void bridgeOnRestoreGoesWithNamespace() {
		Answer answer = this.agent.post("/restores", "{\"image\": \"tpl-1\", \"bridge\": \"cse1\"}");
		assertThat(answer.status()).as(answer.toString()).isEqualTo(400);
		assertThat(answer.error()).isEqualTo("\"bridge\" goes with \"namespace\": true");
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', textBlock = """
			/restores | {"image": "img-9"}
			/clones   | {"image": "img-9", "count": 2}
			""")
	void unknownImageIs400NamingWhereItWasLookedFor(String target, String body) {
		Answer answer = this.agent.post(target, body);
		assertThat(answer.status()).as(answer.toString()).isEqualTo(400);
		assertThat(answer.error()).startsWith("no image at " + this.agent.imagesRoot.resolve("img-9")
				+ ": pass an image folder, or the id of an image under " + this.agent.imagesRoot);
	}

	@Test
	void unknownRouteIs404AndAnotherMethodIs405() {
		Answer route = this.agent.get("/instance");
		assertThat(route.status()).isEqualTo(404);
		assertThat(route.error()).isEqualTo("No route GET /instance (see docs/agent-api.md for the routes)");
		Answer method = this.agent.call("PATCH", "/instances/app", "{}");
		assertThat(method.status()).isEqualTo(405);
		assertThat(method.error()).isEqualTo("PATCH /instances/app is not a route: use DELETE or GET");
	}

}
