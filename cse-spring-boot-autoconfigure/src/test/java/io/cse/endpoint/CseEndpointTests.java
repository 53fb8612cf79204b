package io.cse.endpoint;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import io.cse.CheckpointContext;
import io.cse.CheckpointCoordinator;
import io.cse.CheckpointParticipant;
import io.cse.InstanceState;
import io.cse.autoconfigure.CseAutoConfiguration;
import io.cse.autoconfigure.CseEndpointAutoConfiguration;
import io.cse.endpoint.ErrorDescriptor;
import io.cse.endpoint.SnapshotDescriptor;
import io.cse.web.AfterResponseAction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.convert.ApplicationConversionService;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ContextConsumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link CseEndpoint}: each request is checked whole before anything happens,
 * and every outcome has its answer.
 */
class CseEndpointTests {

	@TempDir
	Path images;

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withInitializer((context) -> context.getEnvironment().setConversionService(new ApplicationConversionService()))
		.withConfiguration(AutoConfigurations.of(CseAutoConfiguration.class, CseEndpointAutoConfiguration.class))
		.withUserConfiguration(SnapshotProbe.ProbeConfiguration.class)
		.withPropertyValues("management.endpoint.cse.access=unrestricted",
				"management.endpoints.web.exposure.include=cse", "cse.memory.trim-heap=false",
				"cse.snapshot.allow-child-processes=true");

	@Test
	void unknownActionIsRefusedWithTheActionsThereAre() {
		run((context) -> {
			WebEndpointResponse<Object> answer = endpoint(context).operate("frezee", null, null);
			assertRefused(answer, 400, "Unknown action 'frezee': use POST /actuator/cse/freeze, /thaw, /dump or /clone",
					"RUNNING");
			assertUnchanged(context);
		});
	}

	@Test
	void freezeWithPropertiesIsRefusedAndFreezesNothing() {
		run((context) -> {
			WebEndpointResponse<Object> answer = endpoint(context).operate("freeze", "greeting=hello", null);
			assertRefused(answer, 400, "A freeze takes no properties: pass them to the thaw (POST /actuator/cse/thaw)",
					"RUNNING");
			assertUnchanged(context);
		});
	}

	@Test
	void freezeWithAnImageIsRefusedAndFreezesNothing() {
		run((context) -> {
			WebEndpointResponse<Object> answer = endpoint(context).operate("freeze", null, "first");
			assertRefused(answer, 400,
					"Only a dump or a clone takes an image: POST /actuator/cse/dump or /actuator/cse/clone", "RUNNING");
			assertUnchanged(context);
		});
	}

	@Test
	void dumpWithPropertiesIsRefusedAndStartsNothing() {
		run((context) -> {
			WebEndpointResponse<Object> answer = endpoint(context).operate("dump", "greeting=hello", "first");
			assertRefused(answer, 400, "A dump takes no properties: pass them to the thaw (POST /actuator/cse/thaw)",
					"RUNNING");
			assertUnchanged(context);
			assertThat(this.images.resolve("first")).doesNotExist();
		});
	}

	@Test
	void thawWithUnreadablePropertiesIsRefusedAndLeavesTheInstanceFrozen() {
		run((context) -> {
			CseEndpoint endpoint = endpoint(context);
			assertThat(endpoint.operate("freeze", null, null).getStatus()).isEqualTo(200);
			WebEndpointResponse<Object> answer = endpoint.operate("thaw", "greeting=\\u12", null);
			assertThat(answer.getStatus()).isEqualTo(400);
			assertThat(error(answer).getError()).startsWith("Cannot read 'properties': ")
				.endsWith("Send one key=value per line.");
			assertThat(error(answer).getState()).isEqualTo("FROZEN");
			assertThat(coordinator(context).getState()).isEqualTo(InstanceState.FROZEN);
		});
	}

	@Test
	void thawSetsAPropertyThatIsListedByName() {
		runAllowing("app.region,feature.*", (context) -> {
			CseEndpoint endpoint = endpoint(context);
			assertThat(endpoint.operate("freeze", null, null).getStatus()).isEqualTo(200);
			assertThat(endpoint.operate("thaw", "app.region=north", null).getStatus()).isEqualTo(200);
			assertThat(context.getEnvironment().getProperty("app.region")).isEqualTo("north");
			assertThat(coordinator(context).getState()).isEqualTo(InstanceState.RUNNING);
		});
	}

	@Test
	void thawSetsPropertiesUnderAListedPrefix() {
		runAllowing("app.region,feature.*", (context) -> {
			CseEndpoint endpoint = endpoint(context);
			assertThat(endpoint.operate("freeze", null, null).getStatus()).isEqualTo(200);
			WebEndpointResponse<Object> thaw = endpoint.operate("thaw", "feature.search=on\nfeature.cart.v2=off",
					null);
			assertThat(thaw.getStatus()).isEqualTo(200);
			assertThat(context.getEnvironment().getProperty("feature.search")).isEqualTo("on");
			assertThat(context.getEnvironment().getProperty("feature.cart.v2")).isEqualTo("off");
		});
	}

	@Test
	void thawOfAnUnlistedPropertyIsRefusedAndSetsNothing() {
		runAllowing("app.region,feature.*", (context) -> {
			CseEndpoint endpoint = endpoint(context);
			assertThat(endpoint.operate("freeze", null, null).getStatus()).isEqualTo(200);
			WebEndpointResponse<Object> answer = endpoint.operate("thaw", "app.region=north\napp.zone=b", null);
			assertRefused(answer, 400, "Refused 'properties', nothing was set: this service lets no thaw set "
					+ "'app.zone': add it to cse.clone.overridable-properties (a name, or a prefix such as app.*)",
					"FROZEN");
			assertFrozenWithoutOverrides(context);
		});
	}

	@Test
	void thawWithPropertiesIsRefusedByDefault() {
		run((context) -> {
			CseEndpoint endpoint = endpoint(context);
			assertThat(endpoint.operate("freeze", null, null).getStatus()).isEqualTo(200);
			WebEndpointResponse<Object> answer = endpoint.operate("thaw", "greeting=hello", null);
			assertThat(answer.getStatus()).isEqualTo(400);
			assertThat(error(answer).getError())
				.contains("'greeting': add it to cse.clone.overridable-properties");
			assertFrozenWithoutOverrides(context);
		});
	}

	@Test
	void thawOfTheServerPortInAnySpellingIsRefusedAndSetsNothing() {
		runAllowing("app.region,server.servlet.*", (context) -> {
			CseEndpoint endpoint = endpoint(context);
			assertThat(endpoint.operate("freeze", null, null).getStatus()).isEqualTo(200);
			for (String key : new String[] { "Server.Port", "server[port]", "server.port[0]", "SERVER_PORT" }) {
				WebEndpointResponse<Object> answer = endpoint.operate("thaw", key + "=9999\napp.region=north", null);
				assertThat(answer.getStatus()).as(key).isEqualTo(400);
				assertThat(error(answer).getError()).as(key).contains("'" + key + "'");
				assertFrozenWithoutOverrides(context);
			}
			assertThat(context.getEnvironment().getProperty("server.port")).isNull();
		});
	}

	@Test
	void thawOfACsePropertyIsRefusedAndSetsNothing() {
		runAllowing("app.region", (context) -> {
			CseEndpoint endpoint = endpoint(context);
			assertThat(endpoint.operate("freeze", null, null).getStatus()).isEqualTo(200);
			WebEndpointResponse<Object> answer = endpoint.operate("thaw",
					"cse.clone.overridable-properties=*\napp.region=north", null);
			assertRefused(answer, 400, "Refused 'properties', nothing was set: a thaw can never set "
					+ "'cse.clone.overridable-properties' (the port and address of the server and of the management "
					+ "server, the actuator's base path, path mappings and health endpoint, and cse.* are fixed at "
					+ "start-up)", "FROZEN");
			assertFrozenWithoutOverrides(context);
		});
	}

	@Test
	void thawOfARunningInstanceIsAConflictThatSaysItsState() {
		run((context) -> {
			WebEndpointResponse<Object> answer = endpoint(context).operate("thaw", null, null);
			assertThat(answer.getStatus()).isEqualTo(409);
			assertThat(error(answer).getState()).isEqualTo("RUNNING");
			assertUnchanged(context);
		});
	}

	@Test
	void freezeAndThawAnswerWithTheirReports() {
		runAllowing("greeting", (context) -> {
			CseEndpoint endpoint = endpoint(context);
			WebEndpointResponse<Object> freeze = endpoint.operate("freeze", null, null);
			assertThat(freeze.getStatus()).isEqualTo(200);
			assertThat(freeze.getBody()).isInstanceOfSatisfying(OperationDescriptor.class, (report) -> {
				assertThat(report.getOperation()).isEqualTo("freeze");
				assertThat(report.getState()).isEqualTo("FROZEN");
			});
			WebEndpointResponse<Object> thaw = endpoint.operate("thaw", "greeting=hello", null);
			assertThat(thaw.getStatus()).isEqualTo(200);
			assertThat(context.getEnvironment().getProperty("greeting")).isEqualTo("hello");
		});
	}

	@Test
	void freezeThatAParticipantRefusesAnswersWithItsReport() {
		this.contextRunner.withPropertyValues("cse.images.root=" + this.images)
			.withBean("refuser", Refuser.class)
			.run((context) -> {
				WebEndpointResponse<Object> answer = endpoint(context).operate("freeze", null, null);
				assertThat(answer.getStatus()).isEqualTo(500);
				assertThat(answer.getBody()).isInstanceOfSatisfying(OperationDescriptor.class, (report) -> {
					assertThat(report.getOutcome()).isEqualTo("ROLLED_BACK");
					assertThat(report.getState()).isEqualTo("RUNNING");
					assertThat(report.getError()).contains("'refuser'");
				});
			});
	}

	@Test
	void dumpWithoutASnapshotEngineIsNotImplemented() {
		run((context) -> {
			CseEndpoint endpoint = new CseEndpoint(coordinator(context), null);
			assertRefused(endpoint.operate("dump", null, null), 501,
					"This application cannot be snapshotted: it has no snapshot engine", "RUNNING");
			assertUnchanged(context);
		});
	}

	@Test
	void dumpOfAnImageOutsideTheRootIsRefusedAndStartsNothing() {
		run((context) -> {
			WebEndpointResponse<Object> answer = endpoint(context).operate("dump", null, "../outside");
			assertThat(answer.getStatus()).isEqualTo(400);
			assertThat(error(answer).getError()).contains("'../outside' is not allowed");
			assertUnchanged(context);
			assertThat(this.images.resolveSibling("outside")).doesNotExist();
		});
	}

	@Test
	void dumpCalledWithoutARequestStartsAtOnceOnAThreadOfItsOwn() {
		run((context) -> {
			WebEndpointResponse<Object> answer = endpoint(context).operate("dump", null, "first");
			assertThat(answer.getStatus()).isEqualTo(202);
			assertThat(answer.getBody()).isInstanceOfSatisfying(SnapshotDescriptor.class, (accepted) -> {
				assertThat(accepted.getOperation()).isEqualTo("dump");
				assertThat(accepted.getImageId()).isEqualTo("first");
				assertThat(accepted.getFolder()).isEqualTo(this.images.resolve("first").toString());
				assertThat(accepted.getEngine()).isEqualTo("probe");
			});
			SnapshotProbe probe = context.getBean(SnapshotProbe.class);
			awaitSnapshotEnd(context);
			assertThat(probe.snapshotThread()).isEqualTo("cse-dump");
		});
	}

	@Test
	void cloneSaysTheProcessKeepsRunningWhereTheEngineLeavesItRunning() {
		run((context) -> {
			WebEndpointResponse<Object> answer = endpoint(context).operate("clone", null, "template");
			assertThat(answer.getBody()).isInstanceOfSatisfying(SnapshotDescriptor.class, (accepted) -> assertThat(
					accepted.getThen())
				.isEqualTo("the process keeps running; every restore of the image is a new instance"));
			awaitSnapshotEnd(context);
		});
	}

	@Test
	void cloneSaysTheProcessStopsWhereTheEngineCannotLeaveItRunning() {
		this.contextRunner.withPropertyValues("cse.images.root=" + this.images, "test.probe.can-leave-running=false")
			.run((context) -> {
				WebEndpointResponse<Object> answer = endpoint(context).operate("clone", null, "template");
				assertThat(answer.getBody()).isInstanceOfSatisfying(SnapshotDescriptor.class,
						(accepted) -> assertThat(accepted.getThen())
							.isEqualTo("the process stops once the image is complete (this engine cannot leave it "
									+ "running); every restore of the image is a new instance"));
				awaitSnapshotEnd(context);
			});
	}

	@Test
	void cloneLeftToTheRequestStartsOnlyOnceTheRequestStartsIt() {
		run((context) -> {
			AtomicBoolean connectionClosed = new AtomicBoolean();
			AfterResponseAction afterResponse = new AfterResponseAction(() -> connectionClosed.set(true));
			WebEndpointResponse<Object> answer = endpoint(context).operate("clone", null, null, afterResponse);
			assertThat(answer.getStatus()).isEqualTo(202);
			assertThat(connectionClosed).isTrue();
			SnapshotProbe probe = context.getBean(SnapshotProbe.class);
			await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(1)).until(() -> !probe.hasQuiesced());
			afterResponse.start();
			awaitSnapshotEnd(context);
			assertThat(probe.snapshotThread()).isEqualTo("cse-clone");
		});
	}

	@Test
	void secondSnapshotWhileOneIsUnderWayIsAConflict() {
		run((context) -> {
			CseEndpoint endpoint = endpoint(context);
			AfterResponseAction afterResponse = new AfterResponseAction(() -> {
			});
			assertThat(endpoint.operate("clone", null, "first", afterResponse).getStatus()).isEqualTo(202);
			WebEndpointResponse<Object> second = endpoint.operate("dump", null, "second");
			assertThat(second.getStatus()).isEqualTo(409);
			assertThat(this.images.resolve("second")).doesNotExist();
			afterResponse.start();
			awaitSnapshotEnd(context);
		});
	}

	@Test
	void snapshotBeyondTheRateLimitIsTooManyRequestsAndStartsNothing() {
		this.contextRunner.withPropertyValues("cse.images.root=" + this.images, "cse.snapshot.max-per-minute=1")
			.run((context) -> {
				CseEndpoint endpoint = endpoint(context);
				assertThat(endpoint.operate("clone", null, "first").getStatus()).isEqualTo(202);
				awaitSnapshotEnd(context);
				WebEndpointResponse<Object> second = endpoint.operate("dump", null, "second");
				assertThat(second.getStatus()).isEqualTo(429);
				assertThat(error(second).getError()).matches("1 snapshot\\(s\\) started in the last minute, the most "
						+ "cse\\.snapshot\\.max-per-minute allows: try again in \\d+ s");
				assertThat(error(second).getState()).isEqualTo("RUNNING");
				assertThat(this.images.resolve("second")).doesNotExist();
			});
	}

	@Test
	void negativeRateLimitStopsTheApplicationNamingTheProperty() {
		this.contextRunner.withPropertyValues("cse.snapshot.max-per-minute=-1")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageStartingWith("cse.snapshot.max-per-minute is -1: set the most snapshots"));
	}

	@Test
	void unknownSectionIsNotFoundWithTheSectionThereIs() {
		run((context) -> assertRefused(endpoint(context).section("readiness"), 404,
				"Unknown section 'readiness': use GET /actuator/cse/hazardCheck", "RUNNING"));
	}

	@Test
	void hazardCheckIsNotFoundWithThePropertyToSetWhenItIsSwitchedOff() {
		run((context) -> assertRefused(endpoint(context).section("hazardCheck"), 404,
				"The @ServerlessReady hazard check is switched off: set cse.serverless-ready.enabled=true", "RUNNING"));
	}

	private void run(ContextConsumer<AssertableApplicationContext> consumer) {
		this.contextRunner.withPropertyValues("cse.images.root=" + this.images).run(consumer);
	}

	private void runAllowing(String overridableProperties, ContextConsumer<AssertableApplicationContext> consumer) {
		this.contextRunner
			.withPropertyValues("cse.images.root=" + this.images,
					"cse.clone.overridable-properties=" + overridableProperties)
			.run(consumer);
	}

	/**
	 * Wait for the snapshot under way to end, so that the context is not closed under it.
	 */
	private static void awaitSnapshotEnd(AssertableApplicationContext context) {
		await().atMost(Duration.ofSeconds(10)).until(() -> coordinator(context).getLastReport() != null);
	}

	private static CseEndpoint endpoint(AssertableApplicationContext context) {
		return context.getBean(CseEndpoint.class);
	}

	private static CheckpointCoordinator coordinator(AssertableApplicationContext context) {
		return context.getBean(CheckpointCoordinator.class);
	}

	private static ErrorDescriptor error(WebEndpointResponse<Object> answer) {
		assertThat(answer.getBody()).isInstanceOf(ErrorDescriptor.class);
		return (ErrorDescriptor) answer.getBody();
	}

	private static void assertRefused(WebEndpointResponse<Object> answer, int status, String error, String state) {
		assertThat(answer.getStatus()).isEqualTo(status);
		assertThat(error(answer).getError()).isEqualTo(error);
		assertThat(error(answer).getState()).isEqualTo(state);
	}

	/**
	 * Assert that a refused thaw left the instance frozen, and set none of its properties.
	 */
	private static void assertFrozenWithoutOverrides(AssertableApplicationContext context) {
		assertThat(coordinator(context).getState()).isEqualTo(InstanceState.FROZEN);
		assertThat(context.getEnvironment().getPropertySources().contains("cseInstanceOverrides")).isFalse();
		assertThat(context.getEnvironment().getProperty("app.region")).isNull();
		assertThat(context.getEnvironment().getProperty("greeting")).isNull();
	}

	private static void assertUnchanged(AssertableApplicationContext context) {
		assertThat(coordinator(context).getState()).isEqualTo(InstanceState.RUNNING);
		assertThat(coordinator(context).getLastReport()).isNull();
		assertThat(context.getBean(SnapshotProbe.class).hasQuiesced()).isFalse();
	}

	static class Refuser implements CheckpointParticipant {

		@Override
		public String getName() {
			return "refuser";
		}

		@Override
		public void quiesce(CheckpointContext context) {
			throw new IllegalStateException("not now");
		}

		@Override
		public void resume(CheckpointContext context) {
		}

	}

}
