package io.cse.compat;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import com.fasterxml.jackson.databind.JsonNode;
import io.cse.compat.RegistryNodes.Instance;
import org.apache.dubbo.common.URL;
import org.apache.dubbo.rpc.RpcException;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * Every registry cell, as a user of that line sees it: the registry service, started with
 * {@code java -jar} on the cell's JDK, is registered by Spring Cloud Zookeeper and
 * publishes a Dubbo service to the same ZooKeeper. After {@code POST /actuator/cse/freeze}
 * both its Spring Cloud instance node and its Dubbo provider node are gone, and a Dubbo
 * consumer finds no provider; after {@code POST /actuator/cse/thaw} both nodes are back, as
 * they were, and the consumer's calls are answered again. Everything is read from
 * ZooKeeper's own nodes and from a consumer that finds the service through them.
 */
@Timeout(240)
class RegistryCompatibilityTests {

	private static final Duration WITHIN = Duration.ofSeconds(3);

	private static RegistryNodes zookeeper;

	static List<RegistryCell> cells() {
		return RegistryCell.selected();
	}

	@BeforeAll
	static void startZookeeper() throws Exception {
		if (!cells().isEmpty()) {
			zookeeper = RegistryNodes.start();
		}
	}

	@AfterAll
	static void stopZookeeper() {
		if (zookeeper != null) {
			zookeeper.close();
		}
	}

	@ParameterizedTest(name = "{0}", allowZeroInvocations = true)
	@MethodSource("cells")
	void leavesSpringCloudAndDubboRegistrationsWhileFrozen(RegistryCell cell) throws Exception {
		// Each cell its own service name and Dubbo root, so that cells side by side share one server
		String name = cell.id();
		int dubboPort = ServiceProcess.freePort();
		List<String> arguments = new ArrayList<>(List.of("--spring.application.name=" + name,
				"--spring.cloud.zookeeper.connect-string=" + zookeeper.connectString(),
				"--dubbo.registry.address=zookeeper://" + zookeeper.connectString(), "--dubbo.registry.group=" + name,
				"--dubbo.protocol.port=" + dubboPort,
				// Left to itself Dubbo advertises the first address it finds, which can be on a
				// bridge that SnapshotCompatibilityTests, running beside, takes down again; it
				// refuses loopback addresses, so the suite names the default route's address
				"--dubbo.protocol.host=" + defaultRouteAddress()));
		arguments.addAll(cell.line().bootLine().endpointSwitch());
		try (ServiceProcess service = ServiceProcess.launch(cell.line().jar(), cell.line().toString(), cell.jdk(),
				SuiteDatabase.logs().resolve(name + ".log"), arguments);
				GreeterCaller caller = new GreeterCaller(zookeeper.connectString(), name)) {
			ServiceHttp http = service.http();
			FreezeThawCompatibilityTests.awaitHealthy(service, cell.toString());
			String instanceId = assertRuns(cell, http, service);
			String greeting = "hello compat from " + name;

			await("the Spring Cloud instance node and the Dubbo provider node of " + cell).atMost(Duration.ofSeconds(10))
				.untilAsserted(() -> {
					assertThat(zookeeper.springCloudInstances(name)).singleElement()
						.satisfies((instance) -> assertThat(instance.port()).isEqualTo(service.port()));
					assertThat(zookeeper.dubboProviders(name, GreeterCaller.GREETER)).singleElement()
						.satisfies((provider) -> {
							assertThat(provider.getPort()).isEqualTo(dubboPort);
							assertThat(provider.getParameter("cse-instance")).isEqualTo(instanceId);
						});
				});
			Instance registered = zookeeper.springCloudInstances(name).get(0);
			URL published = zookeeper.dubboProviders(name, GreeterCaller.GREETER).get(0);
			awaitAnswered(caller, greeting);

			HttpResponse<String> freeze = http.post("/actuator/cse/freeze");
			assertThat(freeze.statusCode()).as("POST /actuator/cse/freeze: %s", freeze.body()).isEqualTo(200);
			JsonNode frozen = ServiceHttp.json(freeze);
			assertThat(frozen.path("state").asText()).as(freeze.body()).isEqualTo("FROZEN");
			assertThat(frozen.path("outcome").asText()).as(freeze.body()).isEqualTo("SUCCESS");
			assertThat(frozen.path("steps").findValuesAsText("participant")).as(freeze.body())
				.contains("registry", "dubbo");
			await("no Spring Cloud instance node and no Dubbo provider node of the frozen service").atMost(WITHIN)
				.untilAsserted(() -> {
					assertThat(zookeeper.springCloudInstances(name)).isEmpty();
					assertThat(zookeeper.dubboProviders(name, GreeterCaller.GREETER)).isEmpty();
				});
			await("the consumer finding no provider").atMost(Duration.ofSeconds(10))
				.until(() -> catchThrowable(() -> caller.greet("compat")) instanceof RpcException failure
						&& String.valueOf(failure.getMessage()).contains("No provider available"));
			// Nothing registers the frozen service again behind the starter's back (Curator's
			// reconnection, Dubbo's retries)
			await("both registrations staying out while frozen").during(Duration.ofSeconds(1))
				.atMost(Duration.ofSeconds(5))
				.until(() -> zookeeper.springCloudInstances(name).isEmpty()
						&& zookeeper.dubboProviders(name, GreeterCaller.GREETER).isEmpty());

			HttpResponse<String> thaw = http.post("/actuator/cse/thaw");
			assertThat(thaw.statusCode()).as("POST /actuator/cse/thaw: %s", thaw.body()).isEqualTo(200);
			assertThat(ServiceHttp.json(thaw).path("outcome").asText()).as(thaw.body()).isEqualTo("SUCCESS");
			await("the same Spring Cloud instance node and Dubbo provider node back").atMost(WITHIN)
				.untilAsserted(() -> {
					assertThat(zookeeper.springCloudInstances(name)).containsExactly(registered);
					assertThat(zookeeper.dubboProviders(name, GreeterCaller.GREETER)).containsExactly(published);
				});
			awaitAnswered(caller, greeting);
			assertThat(ServiceHttp.json(http.get("/actuator/cse")).path("state").asText()).isEqualTo("RUNNING");
		}
	}

	/**
	 * Checks that the cell runs what it claims (Spring Boot, Java, Spring Cloud Zookeeper,
	 * Dubbo) and that the starter is active.
	 * @return the instance id that {@code GET /actuator/cse} shows
	 */
	private static String assertRuns(RegistryCell cell, ServiceHttp http, ServiceProcess service) {
		JsonNode runtime = ServiceHttp.json(http.get("/runtime"));
		assertThat(runtime.path("springBoot").asText()).as("the service's Spring Boot")
			.isEqualTo(cell.line().bootLine().version());
		assertThat(runtime.path("java").asText()).as("the service's Java").isEqualTo(cell.jdk().specificationVersion());
		assertThat(runtime.path("springCloudZookeeper").asText()).as("the service's Spring Cloud Zookeeper")
			.isEqualTo(cell.line().springCloudZookeeper());
		assertThat(runtime.path("dubbo").asText()).as("the service's Dubbo").isEqualTo(cell.line().dubbo());
		JsonNode status = FreezeThawCompatibilityTests.assertActive(cell.toString(), cell.line().bootLine(), http,
				service);
		return status.path("instance").path("instanceId").asText();
	}

	/**
	 * The IPv4 address of the interface that holds the default route: it stays while the
	 * suite runs, unlike the bridges that restores and clones make and delete.
	 */
	private static String defaultRouteAddress() throws IOException {
		String defaultInterface = Files.readAllLines(Path.of("/proc/net/route"))
			.stream()
			.map((line) -> line.trim().split("\\s+"))
			.filter((fields) -> fields.length > 1 && fields[1].equals("00000000"))
			.map((fields) -> fields[0])
			.findFirst()
			.orElseThrow(() -> new IllegalStateException(
					"This host has no default route; the Dubbo provider needs an address other than loopback that stays up"));
		return NetworkInterface.getByName(defaultInterface)
			.inetAddresses()
			.filter(Inet4Address.class::isInstance)
			.map(InetAddress::getHostAddress)
			.findFirst()
			.orElseThrow(() -> new IllegalStateException("The default route's interface " + defaultInterface
					+ " has no IPv4 address for the Dubbo provider"));
	}

	/**
	 * Waits until the consumer's calls are answered by the service (it learns of it from
	 * ZooKeeper). Under load an answer takes about a second; a CI run once saw none for
	 * 10 s, so the wait is longer and a failure says what the last call met (no provider
	 * known, or a call that timed out).
	 */
	private static void awaitAnswered(GreeterCaller caller, String greeting) {
		AtomicReference<RpcException> lastFailure = new AtomicReference<>();
		try {
			await("a Dubbo call answered").atMost(Duration.ofSeconds(30)).until(() -> {
				try {
					return greeting.equals(caller.greet("compat"));
				}
				catch (RpcException ex) {
					lastFailure.set(ex);
					return false;
				}
			});
		}
		catch (ConditionTimeoutException ex) {
			throw new AssertionError(ex.getMessage() + "; the last call failed with: " + lastFailure.get(), ex);
		}
	}

}
