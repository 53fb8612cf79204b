package io.cse.reliability;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cse.node.CseRun;
import io.cse.node.agent.Agent;
import io.cse.node.agent.AgentServer;
import io.cse.node.host.RootOnly;
import io.cse.node.instance.JdkHttpProbe;
import io.cse.node.instance.NodeContext;
import io.cse.node.linux.Bridge;
import io.cse.node.linux.LocalHost;
import io.cse.samples.postgres.PostgresProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bad input to the two doors of CSE on a real host: {@code /actuator/cse} of a real
 * {@code samples/hello-web} process that {@code cse run} started (with the endpoint token
 * it was given), and the HTTP API of a real resident agent (its Unix socket, and its
 * loopback TCP port with a bearer token) that serves the same state folder. Bad JSON,
 * unknown fields, actions, sections and routes, traversal names, huge bodies, wrong
 * methods, missing and wrong tokens, properties no thaw may set, bad numbers and
 * durations, unknown instances and images.
 * <p>
 * Each is answered with its own 4xx and a message that says what is wrong, and changes
 * nothing: the service still answers {@code RUNNING} with the same instance id from the
 * same process, the agent lists the same instances, and the state folder and the images
 * root hold the same files. One service and one agent serve the whole class: starting
 * hello-web costs seconds, and a case that changed them would show in every case after it.
 */
@ExtendWith(CaseTable.class)
@Timeout(300)
class BadInputTests {

	private static final int TEN_MIB = 10 * 1024 * 1024;

	private static final ObjectMapper json = new ObjectMapper();

	private static final HttpClient http = HttpClient.newBuilder()
		.version(HttpClient.Version.HTTP_1_1)
		.connectTimeout(Duration.ofSeconds(5))
		.build();

	@TempDir
	static Path work;

	private static PostgresProcess postgres;

	private static Agent agent;

	private static AgentServer agentServer;

	private static NodeContext context;

	private static String name;

	private static String serviceBase;

	private static String endpointToken;

	private static String agentToken;

	private Observed before;

	@BeforeAll
	static void startServiceAndAgent() throws IOException {
		RootOnly.requireFreezing();
		// the endpoint's dumps and clones need CRIU, or they are refused before their image's name is read
		RootOnly.require();
		postgres = PostgresProcess.start(Path.of(System.getProperty("cse.postgres.jar")), "127.0.0.1");
		Path images = Files.createDirectory(work.resolve("images"),
				PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
		Path agentTokenFile = work.resolve("agent.token");
		agentToken = HexFormat.of().formatHex(new SecureRandom().generateSeed(32));
		Files.writeString(agentTokenFile, agentToken);
		Files.setPosixFilePermissions(agentTokenFile, PosixFilePermissions.fromString("rw-------"));
		// The resident agent as a platform reaches it: the commands below are its clients
		Path socket = work.resolve("run/agent.sock");
		context = new NodeContext(new LocalHost(), new JdkHttpProbe(), socket);
		agent = new Agent(context, new Agent.Settings(work.resolve("state"), images, null, Bridge.DEFAULT_NAME));
		agentServer = agent.serve(socket, AgentServer.Tcp.withTokenFile(0, agentTokenFile));

		name = "bad" + ProcessHandle.current().pid();
		int port = freePort();
		serviceBase = "http://127.0.0.1:" + port;
		CseRun run = cse("run", "--name", name, "--timeout", "180s", "--",
				Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-jar",
				System.getProperty("cse.hello-web.jar"), "--server.port=" + port,
				"--spring.datasource.url=" + postgres.getJdbcUrl(), "--cse.images.root=" + images);
		assertThat(run.exitCode()).as(run.toString()).isZero();
		endpointToken = Files.readString(work.resolve("state/tokens").resolve(name)).strip();
	}

	@AfterAll
	static void stopEverything() {
		if (context != null) {
			cse("stop", "--all", "--timeout", "5s");
		}
		if (agentServer != null) {
			agentServer.close();
		}
		if (agent != null) {
			agent.close();
		}
		if (postgres != null) {
			postgres.close();
		}
	}

	@BeforeEach
	void observeBefore() {
		this.before = observe();
		assertThat(this.before.serviceState()).isEqualTo("RUNNING");
		assertThat(this.before.serviceAlive()).isTrue();
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
			no token on the status                 | GET    | /actuator/cse                          | NONE       |                                                      | 401 | This endpoint requires 'Authorization: Bearer TOKEN'
			no token on a freeze                   | POST   | /actuator/cse/freeze                   | NONE       |                                                      | 401 | This endpoint requires 'Authorization: Bearer TOKEN'
			a wrong token on a freeze              | POST   | /actuator/cse/freeze                   | WRONG      |                                                      | 401 | This endpoint requires 'Authorization: Bearer TOKEN'
			the token without Bearer on a dump     | POST   | /actuator/cse/dump                     | UNPREFIXED | {"image": "stolen"}                                  | 401 | This endpoint requires 'Authorization: Bearer TOKEN'
			no token on an encoded path            | POST   | /actuator/%63se/freeze                 | NONE       |                                                      | 401 | This endpoint requires 'Authorization: Bearer TOKEN'
			an unknown action                      | POST   | /actuator/cse/frobnicate               | TOKEN      |                                                      | 400 | Unknown action 'frobnicate': use POST /actuator/cse/freeze, /thaw, /dump or /clone
			an unknown section                     | GET    | /actuator/cse/frobnicate               | TOKEN      |                                                      | 404 | Unknown section 'frobnicate': use GET /actuator/cse/hazardCheck
			GET on the freeze action               | GET    | /actuator/cse/freeze                   | TOKEN      |                                                      | 404 | Unknown section 'freeze': use GET /actuator/cse/hazardCheck
			an unknown field in a freeze           | POST   | /actuator/cse/freeze                   | TOKEN      | {"squeeze": true}                                    | 400 | Unknown parameter 'squeeze', nothing was done: the endpoint's operations take image, properties, thawOnRequest
			a misspelt field in a dump             | POST   | /actuator/cse/dump                     | TOKEN      | {"imag": "before-upgrade"}                           | 400 | Unknown parameter 'imag', nothing was done
			an unknown query parameter             | POST   | /actuator/cse/freeze?squeeze=true      | TOKEN      |                                                      | 400 | Unknown parameter 'squeeze', nothing was done
			an image name that climbs out          | POST   | /actuator/cse/dump                     | TOKEN      | {"image": "../../etc"}                               | 400 | Image name '../../etc' is not allowed: use letters, digits
			a traversal inside an image name       | POST   | /actuator/cse/clone                    | TOKEN      | {"image": "a/../../b"}                               | 400 | Image name 'a/../../b' is not allowed: use letters, digits
			encoded dots as an image name          | POST   | /actuator/cse/clone                    | TOKEN      | {"image": "%2e%2e"}                                  | 400 | Image name '%2e%2e' is not allowed: use letters, digits
			the parent folder as an image name     | POST   | /actuator/cse/dump                     | TOKEN      | {"image": ".."}                                      | 400 | Image name '..' is not allowed: use letters, digits
			a traversal image name in the query    | POST   | /actuator/cse/dump?image=..%2F..%2Fetc | TOKEN      |                                                      | 400 | Image name '../../etc' is not allowed: use letters, digits
			a thaw that sets server.port           | POST   | /actuator/cse/thaw                     | TOKEN      | {"properties": "server.port=9999"}                   | 400 | Refused 'properties', nothing was set: a thaw can never set 'server.port'
			a thaw that sets Server.Port           | POST   | /actuator/cse/thaw                     | TOKEN      | {"properties": "Server.Port=9999"}                   | 400 | Refused 'properties', nothing was set: a thaw can never set 'Server.Port'
			a thaw that sets a cse.* property      | POST   | /actuator/cse/thaw                     | TOKEN      | {"properties": "cse.endpoint.token-file=/tmp/other"} | 400 | Refused 'properties', nothing was set: a thaw can never set 'cse.endpoint.token-file'
			a thaw that sets a key off the list    | POST   | /actuator/cse/thaw                     | TOKEN      | {"properties": "app.region=north"}                   | 400 | this service lets no thaw set 'app.region': add it to cse.clone.overridable-properties
			properties on a clone                  | POST   | /actuator/cse/clone                    | TOKEN      | {"properties": "server.port=9999"}                   | 400 | A clone takes no properties: pass them to the thaw (POST /actuator/cse/thaw)
			an image on a freeze                   | POST   | /actuator/cse/freeze                   | TOKEN      | {"image": "x"}                                       | 400 | Only a dump or a clone takes an image: POST /actuator/cse/dump or /actuator/cse/clone
			thawOnRequest on a thaw                | POST   | /actuator/cse/thaw                     | TOKEN      | {"thawOnRequest": false}                             | 400 | Only a freeze takes thawOnRequest: POST /actuator/cse/freeze?thawOnRequest=false
			a thaw of a running instance           | POST   | /actuator/cse/thaw                     | TOKEN      |                                                      | 409 | Cannot thaw: the instance is RUNNING, not FROZEN. Nothing to do.
			a body that is not JSON                | POST   | /actuator/cse/freeze                   | TOKEN      | {"thawOnRequest": fals                               | 400 | POST /actuator/cse/freeze could not be read, nothing was done
			a JSON array for a body                | POST   | /actuator/cse/freeze                   | TOKEN      | [1, 2]                                               | 400 | send a JSON object of parameters, such as {"thawOnRequest": false}, or no body
			a thawOnRequest that is no boolean     | POST   | /actuator/cse/freeze                   | TOKEN      | {"thawOnRequest": "maybe"}                           | 400 | Parameter 'thawOnRequest' cannot be 'maybe', nothing was done: send true or false
			DELETE on the endpoint                 | DELETE | /actuator/cse                          | TOKEN      |                                                      | 405 | DELETE /actuator/cse is not an operation of this endpoint, nothing was done: use GET on this path
			PUT on the freeze action               | PUT    | /actuator/cse/freeze                   | TOKEN      |                                                      | 405 | PUT /actuator/cse/freeze is not an operation of this endpoint, nothing was done: use GET or POST on this path
			""")
	void endpointRefusesAndNothingChanges(String what, String method, String path, Auth auth, String body, int status,
			String message) {
		Answer answer = endpoint(method, path, auth, body);
		assertThat(answer.status()).as(answer.toString()).isEqualTo(status);
		assertThat(answer.error()).as(answer.toString()).contains(message);
		if (status == 405) {
			assertThat(answer.allow()).as("the Allow header").isNotEmpty();
		}
		assertNothingChanged();
		CaseTable.row("endpoint", what + ": " + method + " " + path + ((body != null) ? " " + body : "")
				+ auth.described(), expected(status, message) + "; " + Observed.UNCHANGED, answer.seen());
	}

	/**
	 * What the table says a user must see: every refusal says what to send instead, those
	 * of the endpoint and those Spring makes before the endpoint sees the request (a body
	 * it cannot read, a method it does not map) alike.
	 */
	private static String expected(int status, String message) {
		if (status == 405) {
			return "405 with the methods to use, in its message and its Allow header";
		}
		return status + " with what to send instead";
	}

	@Test
	void endpointRefusesATenMebibyteBody() {
		String body = "{\"image\": \"" + "a".repeat(TEN_MIB) + "\"}";
		Answer answer = endpoint("POST", "/actuator/cse/freeze", Auth.TOKEN, body);
		assertThat(answer.status()).as(answer.seen()).isEqualTo(400);
		assertThat(answer.error())
			.isEqualTo("Only a dump or a clone takes an image: POST /actuator/cse/dump or /actuator/cse/clone");
		assertNothingChanged();
		CaseTable.row("endpoint", "a 10 MiB body: POST /actuator/cse/freeze {\"image\": \"aaa...\"} (10 MiB)",
				"400 with what to send instead; " + Observed.UNCHANGED, answer.seen());
	}

	@Test
	void endpointRepeatsNoHugeImageNameWhole() {
		String body = "{\"image\": \"" + "a".repeat(TEN_MIB) + "\"}";
		Answer answer = endpoint("POST", "/actuator/cse/dump", Auth.TOKEN, body);
		assertThat(answer.status()).as(answer.seen()).isEqualTo(400);
		assertThat(answer.error()).startsWith("Image name '" + "a".repeat(61) + "... (10485760 characters)' is not allowed")
			.hasSizeLessThan(512);
		assertNothingChanged();
		CaseTable.row("endpoint", "a 10 MiB image name: POST /actuator/cse/dump {\"image\": \"aaa...\"} (10 MiB)",
				"400 that repeats the name's first 61 characters and its length; " + Observed.UNCHANGED,
				answer.seen());
	}

	@Test
	void endpointRepeatsNoHugePropertyKeyWhole() {
		String body = "{\"properties\": \"app." + "k".repeat(1024 * 1024) + "=1\"}";
		Answer answer = endpoint("POST", "/actuator/cse/thaw", Auth.TOKEN, body);
		assertThat(answer.status()).as(answer.seen()).isEqualTo(400);
		assertThat(answer.error()).contains("... (1048580 characters)").hasSizeLessThan(1024);
		assertNothingChanged();
		CaseTable.row("endpoint", "a 1 MiB property key: POST /actuator/cse/thaw {\"properties\": \"app.kkk...=1\"}",
				"400 that repeats the key's first 61 characters and its length; " + Observed.UNCHANGED,
				answer.seen());
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
			an unknown route                       | GET    | /instance                         |                                                                   | 404 | No route GET /instance (see docs/agent-api.md for the routes)
			an unknown action on an instance       | POST   | /instances/{name}/frobnicate      | {}                                                                | 404 | No route POST /instances/{name}/frobnicate (see docs/agent-api.md for the routes)
			GET on the freeze action               | GET    | /instances/{name}/freeze          |                                                                   | 405 | GET /instances/{name}/freeze is not a route: use POST
			DELETE on the health check             | DELETE | /healthz                          |                                                                   | 405 | DELETE /healthz is not a route: use GET
			PATCH on an instance                   | PATCH  | /instances/{name}                 | {}                                                                | 405 | PATCH /instances/{name} is not a route: use DELETE or GET
			a body that is not JSON                | POST   | /instances/{name}/freeze          | {"squeeze": tru                                                   | 400 | The body of POST /instances/{name}/freeze is not valid JSON for this route
			a misspelt field in a freeze           | POST   | /instances/{name}/freeze          | {"squeze": true}                                                  | 400 | The body of POST /instances/{name}/freeze has no field "squeze": it takes floorMiB, squeeze, timeout, wakeOnRequest
			properties to override on a clone      | POST   | /clones                           | {"image": "tpl", "count": 1, "properties": "server.port=1"}       | 400 | The body of POST /clones has no field "properties": it takes bridge, count, freezable, image, namePrefix, parallel, timeout
			a --set of cse.* on a restore          | POST   | /restores                         | {"image": "tpl", "set": ["cse.endpoint.token-file=/tmp/x"]}       | 400 | The body of POST /restores has no field "set": it takes bridge, image, name, namespace, timeout
			a count that is no number              | POST   | /clones                           | {"image": "tpl", "count": "many"}                                 | 400 | The body of POST /clones is not valid JSON for this route
			a count out of range                   | POST   | /clones                           | {"image": "tpl", "count": 100000}                                 | 400 | "count" must be between 1 and 200, not 100000
			a negative squeeze floor               | POST   | /instances/{name}/freeze          | {"squeeze": true, "floorMiB": -1}                                 | 400 | "floorMiB" must be at least 1, not -1
			a port out of range                    | POST   | /instances                        | {"name": "other", "port": 70000, "command": ["java"]}             | 400 | "port" must be between 1 and 65535, not 70000
			a run under a name in use              | POST   | /instances                        | {"name": "{name}", "port": 8080, "command": ["java", "-version"]} | 409 | an instance named {name} exists already (see 'cse ps', or GET /instances)
			a stop grace that is no duration       | DELETE | /instances/{name}?grace=ever      |                                                                   | 400 | "grace": 'ever' is no duration: write it as 60, 60s, 500ms or 2m
			a stop grace of zero                   | DELETE | /instances/{name}?grace=0s        |                                                                   | 400 | "grace": '0s' is not a positive duration
			a thaw timeout of zero                 | POST   | /instances/{name}/thaw            | {"timeout": "0s"}                                                 | 400 | "timeout": '0s' is not a positive duration
			an image path that climbs to /etc      | POST   | /restores                         | {"image": "../../../../../../../../../../etc"}                    | 400 | no image at /etc: it has no manifest.json and nothing a dump writes
			a traversal inside an image path       | POST   | /clones                           | {"image": "a/../../b", "count": 1}                                | 400 | no image at a/../../b: pass an image folder, or the id of an image under
			encoded dots as an image id            | POST   | /restores                         | {"image": "%2e%2e"}                                               | 400 | /images/%2e%2e: pass an image folder, or the id of an image under
			a pool template that climbs to /etc    | POST   | /pools                            | {"name": "p", "template": "../../../../../../../../../etc", "size": 1} | 400 | no image at /etc: it has no manifest.json and nothing a dump writes
			encoded dots as an instance name       | POST   | /instances/%2e%2e/freeze          | {}                                                                | 400 | '..' cannot name an instance: use 1 to 40 letters, digits
			a traversal as a restore's name        | POST   | /restores                         | {"image": "tpl", "name": "../../etc"}                             | 400 | '../../etc' cannot name an instance: use 1 to 40 letters, digits
			an encoded traversal in the path       | GET    | /instances/..%2F..%2Fetc          |                                                                   | 404 | No route GET /instances/../../etc (see docs/agent-api.md for the routes)
			a freeze of an unknown instance        | POST   | /instances/nope/freeze            | {}                                                                | 404 | no instance named nope (see 'cse ps', or GET /instances)
			a stop of an unknown instance          | DELETE | /instances/nope                   |                                                                   | 404 | no instance named nope (see 'cse ps', or GET /instances)
			a take from an unknown pool            | POST   | /pools/nope/take                  |                                                                   | 404 | no pool named nope (see 'cse pool ls', or GET /pools)
			""")
	void agentRefusesAndNothingChanges(String what, String method, String target, String body, int status,
			String message) {
		String resolved = target.replace("{name}", name);
		Answer answer = agent(Door.SOCKET, method, resolved, (body != null) ? body.replace("{name}", name) : null);
		assertThat(answer.status()).as(answer.toString()).isEqualTo(status);
		assertThat(answer.error()).as(answer.toString()).contains(message.replace("{name}", name));
		assertNothingChanged();
		CaseTable.row("agent API", (what + ": " + method + " " + target + ((body != null) ? " " + body : ""))
			.replace("{name}", "NAME"),
				status + " with what to send instead; " + Observed.UNCHANGED, answer.seen());
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
			no token on the list               | TCP_NO_TOKEN      | GET    | /instances
			a wrong token on a freeze          | TCP_WRONG_TOKEN   | POST   | /instances/{name}/freeze
			the token without Bearer on a stop | TCP_UNPREFIXED    | DELETE | /instances/{name}
			""")
	void agentsTcpPortWantsItsToken(String what, Door door, String method, String target) {
		Answer answer = agent(door, method, target.replace("{name}", name), null);
		assertThat(answer.status()).as(answer.toString()).isEqualTo(401);
		assertThat(answer.error())
			.isEqualTo("Send 'Authorization: Bearer TOKEN' with the token from the agent's --token-file");
		assertNothingChanged();
		CaseTable.row("agent API", (what + ": " + method + " " + target + door.described()).replace("{name}", "NAME"),
				"401 naming the token to send; " + Observed.UNCHANGED, answer.seen());
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
			a chunked body              | POST /instances/{name}/freeze HTTP/1.1\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n2\\r\\n{}\\r\\n0\\r\\n\\r\\n | 411 | Send the body with a Content-Length, not chunked
			a request line that is not HTTP | FREEZE {name} PLEASE\\r\\n\\r\\n                                           | 400 | Not an HTTP/1.1 request line: 'FREEZE {name} PLEASE'
			a Content-Length that is no number | POST /instances/{name}/freeze HTTP/1.1\\r\\nContent-Length: ten\\r\\n\\r\\n | 400 | Content-Length 'ten' is not a number
			a header that is not one    | POST /instances/{name}/freeze HTTP/1.1\\r\\nsqueeze\\r\\n\\r\\n             | 400 | Not an HTTP header: 'squeeze'
			""")
	void agentRefusesRequestsItCannotRead(String what, String request, int status, String message) {
		String text = request.replace("{name}", name).replace("\\r\\n", "\r\n");
		Answer answer = Answer.of(raw(Door.SOCKET, text.getBytes(StandardCharsets.ISO_8859_1), new byte[0]));
		assertThat(answer.status()).as(answer.toString()).isEqualTo(status);
		assertThat(answer.error()).isEqualTo(message.replace("{name}", name));
		assertNothingChanged();
		CaseTable.row("agent API", what + ": " + request.replace("\\r\\n", "⏎").replace("{name}", "NAME"),
				status + " saying what to send; " + Observed.UNCHANGED, answer.seen());
	}

	@Test
	void agentRefusesAHeadOverSixteenKibibytes() {
		String head = "POST /instances/" + name + "/freeze HTTP/1.1\r\nX-Padding: " + "a".repeat(20 * 1024)
				+ "\r\n\r\n";
		Answer answer = Answer.of(raw(Door.SOCKET, head.getBytes(StandardCharsets.ISO_8859_1), new byte[0]));
		assertThat(answer.status()).as(answer.toString()).isEqualTo(431);
		assertThat(answer.error()).isEqualTo("The request's head is longer than 16384 bytes");
		assertNothingChanged();
		CaseTable.row("agent API", "a 20 KiB header: POST /instances/NAME/freeze with X-Padding: aaa...",
				"431 naming the limit; " + Observed.UNCHANGED, answer.seen());
	}

	@Test
	void agentRefusesATenMebibyteBody() {
		byte[] body = ("{\"squeeze\": true, \"pad\": \"" + "a".repeat(TEN_MIB) + "\"}").getBytes(StandardCharsets.UTF_8);
		String head = "POST /instances/" + name + "/freeze HTTP/1.1\r\nContent-Type: application/json\r\n"
				+ "Content-Length: " + body.length + "\r\n\r\n";
		Answer answer = Answer.of(raw(Door.SOCKET, head.getBytes(StandardCharsets.ISO_8859_1), body));
		assertThat(answer.status()).as(answer.toString()).isEqualTo(413);
		assertThat(answer.error())
			.isEqualTo("A body of " + body.length + " bytes: the agent takes at most " + (1024 * 1024));
		assertNothingChanged();
		CaseTable.row("agent API", "a 10 MiB body: POST /instances/NAME/freeze {\"squeeze\": true, \"pad\": \"aaa...\"}",
				"413 naming the limit; " + Observed.UNCHANGED, answer.seen());
	}

	@Test
	void agentRepeatsNoHugeInstanceNameWhole() {
		String body = "{\"image\": \"tpl\", \"name\": \"" + "n".repeat(512 * 1024) + "\"}";
		Answer answer = agent(Door.SOCKET, "POST", "/restores", body);
		assertThat(answer.status()).as(answer.toString()).isEqualTo(400);
		assertThat(answer.error()).startsWith("'" + "n".repeat(61) + "... (524288 characters)' cannot name an instance")
			.hasSizeLessThan(512);
		assertNothingChanged();
		CaseTable.row("agent API", "a 512 KiB instance name: POST /restores {\"image\": \"tpl\", \"name\": \"nnn...\"}",
				"400 that repeats the name's first 61 characters and its length; " + Observed.UNCHANGED,
				answer.seen());
	}

	private void assertNothingChanged() {
		Observed after = observe();
		assertThat(after).as("the service's state, id and process, the agent's instances and the files").isEqualTo(
				this.before);
	}

	/**
	 * What a bad request must leave as it was.
	 */
	private static Observed observe() {
		Answer status = endpoint("GET", "/actuator/cse", Auth.TOKEN, null);
		assertThat(status.status()).as(status.toString()).isEqualTo(200);
		Answer instances = agent(Door.SOCKET, "GET", "/instances", null);
		assertThat(instances.status()).as(instances.toString()).isEqualTo(200);
		long pid = instances.json().path(0).path("instance").path("process").path("pid").asLong();
		return new Observed(status.json().path("state").asText(),
				status.json().path("instance").path("instanceId").asText(), pid,
				ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), instances.body(), files());
	}

	private static Set<String> files() {
		try (Stream<Path> walk = Files.walk(work)) {
			Set<String> files = new TreeSet<>();
			walk.forEach((path) -> files.add(work.relativize(path).toString()));
			return files;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static Answer endpoint(String method, String path, Auth auth, String body) {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(serviceBase + path))
			.timeout(Duration.ofSeconds(60))
			.method(method, (body != null) ? HttpRequest.BodyPublishers.ofString(body)
					: HttpRequest.BodyPublishers.noBody());
		if (body != null) {
			request.header("Content-Type", "application/json");
		}
		auth.header(endpointToken).ifPresent((value) -> request.header("Authorization", value));
		try {
			HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
			return new Answer(response.statusCode(), response.body(),
					response.headers().firstValue("Allow").orElse(""));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private static Answer agent(Door door, String method, String target, String body) {
		byte[] bytes = (body != null) ? body.getBytes(StandardCharsets.UTF_8) : new byte[0];
		StringBuilder head = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n");
		head.append("Host: localhost\r\n");
		door.authorization(agentToken).ifPresent((value) -> head.append("Authorization: ").append(value).append("\r\n"));
		if (body != null) {
			head.append("Content-Type: application/json\r\n");
		}
		head.append("Content-Length: ").append(bytes.length).append("\r\nConnection: close\r\n\r\n");
		return Answer.of(raw(door, head.toString().getBytes(StandardCharsets.ISO_8859_1), bytes));
	}

	/**
	 * Send a request as bytes and read the whole answer, writing while reading: the agent
	 * may answer and close before it has read a body it refuses. On the Unix socket through
	 * the channel itself: its streams share one lock, and a read that waits for the answer
	 * would hold up the write of the request.
	 */
	private static byte[] raw(Door door, byte[] head, byte[] body) {
		try {
			if (door == Door.SOCKET) {
				try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(agentServer.socket()))) {
					CompletableFuture<Void> writing = writeAsync(() -> {
						channel.write(ByteBuffer.wrap(head));
						ByteBuffer rest = ByteBuffer.wrap(body);
						while (rest.hasRemaining()) {
							channel.write(rest);
						}
					});
					ByteArrayOutputStream answer = new ByteArrayOutputStream();
					ByteBuffer buffer = ByteBuffer.allocate(8192);
					while (channel.read(buffer.clear()) > 0) {
						answer.write(buffer.array(), 0, buffer.position());
					}
					writing.join();
					return answer.toByteArray();
				}
			}
			try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), agentServer.tcpPort())) {
				socket.setSoTimeout(60_000);
				OutputStream out = socket.getOutputStream();
				CompletableFuture<Void> writing = writeAsync(() -> {
					out.write(head);
					out.write(body);
					out.flush();
				});
				byte[] answer = socket.getInputStream().readAllBytes();
				writing.join();
				return answer;
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static CompletableFuture<Void> writeAsync(Write write) {
		// a thread of its own: the common pool may have one thread on a 2-core machine
		CompletableFuture<Void> written = new CompletableFuture<>();
		Thread writer = new Thread(() -> {
			try {
				write.run();
			}
			catch (IOException ex) {
				// the agent closed once it had answered: what it read of the body is all it wanted
			}
			written.complete(null);
		}, "bad-input-writer");
		writer.setDaemon(true);
		writer.start();
		return written;
	}

	@FunctionalInterface
	private interface Write {

		void run() throws IOException;

	}

	private static CseRun cse(String... args) {
		List<String> all = new ArrayList<>(List.of(args));
		int separator = all.indexOf("--");
		all.addAll((separator >= 0) ? separator : all.size(), List.of("--state-dir", work.resolve("state").toString()));
		return CseRun.of(context, all.toArray(String[]::new));
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

	/**
	 * What a request to the endpoint carries in its {@code Authorization} header.
	 */
	enum Auth {

		TOKEN, NONE, WRONG, UNPREFIXED;

		Optional<String> header(String token) {
			switch (this) {
				case TOKEN:
					return Optional.of("Bearer " + token);
				case WRONG:
					return Optional.of("Bearer not-the-token-of-this-service");
				case UNPREFIXED:
					return Optional.of(token);
				default:
					return Optional.empty();
			}
		}

		String described() {
			switch (this) {
				case NONE:
					return ", no token";
				case WRONG:
					return ", a wrong token";
				case UNPREFIXED:
					return ", the token without 'Bearer '";
				default:
					return "";
			}
		}

	}

	/**
	 * How a request reaches the agent: its Unix socket, or its loopback TCP port with or
	 * without the right token.
	 */
	enum Door {

		SOCKET, TCP_NO_TOKEN, TCP_WRONG_TOKEN, TCP_UNPREFIXED;

		Optional<String> authorization(String token) {
			switch (this) {
				case TCP_WRONG_TOKEN:
					return Optional.of("Bearer 0000000000000000000000000000000000000000");
				case TCP_UNPREFIXED:
					return Optional.of(token);
				default:
					return Optional.empty();
			}
		}

		String described() {
			switch (this) {
				case TCP_NO_TOKEN:
					return " on the TCP port, no token";
				case TCP_WRONG_TOKEN:
					return " on the TCP port, a wrong token";
				case TCP_UNPREFIXED:
					return " on the TCP port, the token without 'Bearer '";
				default:
					return "";
			}
		}

	}

	/**
	 * What the service or the agent answered.
	 *
	 * @param status the HTTP status
	 * @param body the body
	 * @param allow the {@code Allow} header, empty if none
	 */
	record Answer(int status, String body, String allow) {

		static Answer of(byte[] response) {
			String text = new String(response, StandardCharsets.UTF_8);
			int end = text.indexOf("\r\n\r\n");
			assertThat(end).as("an HTTP answer: %s", text).isPositive();
			String[] statusLine = text.substring(0, text.indexOf("\r\n")).split(" ", 3);
			return new Answer(Integer.parseInt(statusLine[1]), text.substring(end + 4), "");
		}

		JsonNode json() {
			try {
				return json.readTree(this.body);
			}
			catch (IOException ex) {
				throw new IllegalStateException("Not JSON: " + this, ex);
			}
		}

		/**
		 * Return the message of an error answer: the {@code error} field that the endpoint,
		 * the agent and Spring's own error answers all have.
		 */
		String error() {
			return json().path("error").asText();
		}

		/**
		 * Return what the table shows: the status and the start of the message.
		 */
		String seen() {
			String error = error();
			return this.status + " " + ((error.length() > 110) ? error.substring(0, 107) + "..." : error)
					+ (this.allow.isEmpty() ? "" : " (Allow: " + this.allow + ")");
		}

		@Override
		public String toString() {
			return this.status + " " + ((this.body.length() > 2000) ? this.body.substring(0, 2000) + "..." : this.body);
		}

	}

	/**
	 * What the suite compares before and after every bad request.
	 *
	 * @param serviceState the service's state, from its {@code GET /actuator/cse}
	 * @param instanceId the service's instance id, from the same
	 * @param pid the service's process, as the agent lists it
	 * @param serviceAlive whether that process lives
	 * @param agentInstances the agent's {@code GET /instances}, whole
	 * @param files every file and folder under the test's folder: the state folder, the
	 * images root, the agent's socket
	 */
	record Observed(String serviceState, String instanceId, long pid, boolean serviceAlive, String agentInstances,
			Set<String> files) {

		static final String UNCHANGED = "state RUNNING, same instance id and pid, same agent instances, "
				+ "no file added or removed";

	}

}
