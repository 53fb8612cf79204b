package io.cse.autoconfigure;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.cse.CheckpointContext;
import io.cse.CheckpointContext.Operation;
import io.cse.CheckpointCoordinator;
import io.cse.ParticipantStatus;
import io.cse.CheckpointParticipant;
import io.cse.OperationReport;
import io.cse.OperationReport.Outcome;
import io.cse.ScriptedSnapshotPlan;
import io.cse.ready.AfterRestore;
import io.cse.ready.BeforeCheckpoint;
import io.cse.ready.HazardCheckReport;
import io.cse.ready.HazardCheckReport.ReadyBean;
import io.cse.ready.ServerlessReady;
import io.cse.ready.ServerlessReadyBeans;
import io.cse.registry.ProviderPublisher;
import io.cse.registry.ProviderPublisherParticipant;
import io.cse.SnapshotOutcome;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.convert.ApplicationConversionService;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.core.annotation.AnnotatedElementUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * Tests for the {@link ProviderPublisher} SPI: an in-house registry (a small one, in this
 * test) takes the {@code @ServerlessReady} beans it publishes offline before a freeze or
 * snapshot and brings them back after, a clone's under its own identity.
 */
class ProviderPublisherTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withInitializer((context) -> context.getEnvironment().setConversionService(new ApplicationConversionService()))
		.withConfiguration(AutoConfigurations.of(CseAutoConfiguration.class, CseServerlessReadyAutoConfiguration.class,
				CseEndpointAutoConfiguration.class))
		.withBean(InHouseRegistry.class)
		.withBean("inHousePublisher", ProviderPublisher.class,
				() -> new InHousePublisher(null, "10.0.0.1"))
		.withBean("greetingService", GreetingService.class)
		.withBean("ticketService", TicketService.class)
		.withBean("plainReadyBean", PlainReadyBean.class);

	@Test
	void hazardCheckReportListsThePublisherOfEachBean() {
		this.contextRunner.run((context) -> {
			HazardCheckReport report = context.getBean(ServerlessReadyBeans.class).getReport();
			assertThat(report.beans()).extracting(ReadyBean::name, ReadyBean::publishedBy)
				.containsExactlyInAnyOrder(tuple("greetingService", List.of("in-house")),
						tuple("ticketService", List.of("in-house")),
						tuple("plainReadyBean", List.of()));
			assertThat(participant(context).order()).isEqualTo(CheckpointParticipant.REGISTRY_ORDER);
		});
	}

	@Test
	void freezeTakesPublishedBeansOfflineBeforeTheirHooksAndThawBringsThemBack() {
		this.contextRunner.run((context) -> {
			InHouseRegistry registry = publish(context);
			assertThat(registry.entries()).containsOnlyKeys("greeting", "tickets");
			CheckpointCoordinator coordinator = context.getBean(CheckpointCoordinator.class);

			assertThat(coordinator.freeze().outcome()).isEqualTo(Outcome.SUCCESS);
			assertThat(registry.entries()).isEmpty();
			// What the registry looked like when the bean's own hook ran: it was already gone
			assertThat(context.getBean(GreetingService.class).registeredWhileClosing).isFalse();

			assertThat(coordinator.thaw(Map.of()).outcome()).isEqualTo(Outcome.SUCCESS);
			String id = coordinator.getIdentity().getInstanceId();
			assertThat(registry.entries()).containsOnlyKeys("greeting", "tickets");
			assertThat(registry.entries().get("greeting")).isEqualTo(new Entry(id, "10.0.0.1"));
			// and it is published again only once its own hooks have reopened it
			assertThat(context.getBean(GreetingService.class).registeredWhenReopened).isFalse();
			assertThat(context.getBean(ProviderPublisherParticipant.class).getOffline()).isEmpty();
		});
	}

	@Test
	void cloneIsPublishedUnderItsOwnIdentityAndAddress() {
		this.contextRunner.run((context) -> {
			InHouseRegistry registry = publish(context);
			CheckpointCoordinator coordinator = context.getBean(CheckpointCoordinator.class);
			String templateId = coordinator.getIdentity().getInstanceId();
			publisher(context).address = "10.0.0.2";

			OperationReport restore = snapshot(coordinator, Operation.CLONE, SnapshotOutcome.RESTORED, registry);
			assertThat(restore.outcome()).as(restore.error()).isEqualTo(Outcome.SUCCESS);
			String cloneId = coordinator.getIdentity().getInstanceId();
			assertThat(cloneId).isNotEqualTo(templateId);
			assertThat(registry.entries()).containsEntry("greeting", new Entry(cloneId, "10.0.0.2"))
				.containsEntry("tickets", new Entry(cloneId, "10.0.0.2"));
		});
	}

	@Test
	void templateThatKeepsRunningIsPublishedAgainUnderItsOwnIdentity() {
		this.contextRunner.run((context) -> {
			InHouseRegistry registry = publish(context);
			CheckpointCoordinator coordinator = context.getBean(CheckpointCoordinator.class);
			String templateId = coordinator.getIdentity().getInstanceId();

			OperationReport snapshot = snapshot(coordinator, Operation.CLONE, SnapshotOutcome.CONTINUED, registry);
			assertThat(snapshot.outcome()).isEqualTo(Outcome.SUCCESS);
			assertThat(registry.entries()).containsEntry("greeting", new Entry(templateId, "10.0.0.1"));
		});
	}

	@Test
	void providerThatCannotGoOfflineRollsTheFreezeBackAndTheOthersComeBack() {
		this.contextRunner.run((context) -> {
			InHouseRegistry registry = publish(context);
			publisher(context).refuseOffline = "tickets";
			CheckpointCoordinator coordinator = context.getBean(CheckpointCoordinator.class);

			OperationReport freeze = coordinator.freeze();
			assertThat(freeze.outcome()).isEqualTo(Outcome.ROLLED_BACK);
			assertThat(freeze.error()).contains("Publisher 'in-house' could not take bean 'ticketService' offline")
				.contains("registry unreachable");
			assertThat(registry.entries()).containsOnlyKeys("greeting", "tickets");
			assertThat(context.getBean(ProviderPublisherParticipant.class).getOffline()).isEmpty();
		});
	}

	@Test
	void providerThatCannotComeBackStaysOfflineAndIsTriedAgain() {
		this.contextRunner.run((context) -> {
			InHouseRegistry registry = publish(context);
			CheckpointCoordinator coordinator = context.getBean(CheckpointCoordinator.class);
			assertThat(coordinator.freeze().outcome()).isEqualTo(Outcome.SUCCESS);
			publisher(context).refuseOnline = "greeting";

			OperationReport thaw = coordinator.thaw(Map.of());
			assertThat(thaw.outcome()).isEqualTo(Outcome.FAILED);
			assertThat(thaw.error()).contains("publisher 'in-house' could not bring bean 'greetingService' online")
				.contains("tried again on the next resume");
			assertThat(registry.entries()).containsOnlyKeys("tickets");
			assertThat(context.getBean(ProviderPublisherParticipant.class).getOffline())
				.containsExactly("in-house:greetingService");

			publisher(context).refuseOnline = null;
			assertThat(coordinator.freeze().outcome()).isEqualTo(Outcome.SUCCESS);
			assertThat(coordinator.thaw(Map.of()).outcome()).isEqualTo(Outcome.SUCCESS);
			assertThat(registry.entries()).containsOnlyKeys("greeting", "tickets");
		});
	}

	@Test
	void withoutAPublisherThereIsNoParticipant() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(CseAutoConfiguration.class,
					CseServerlessReadyAutoConfiguration.class))
			.withBean(InHouseRegistry.class)
			.withBean("greetingService", GreetingService.class)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context).doesNotHaveBean(ProviderPublisherParticipant.class);
				assertThat(context.getBean(CheckpointCoordinator.class).getParticipants())
					.extracting(ParticipantStatus::name)
					.doesNotContain(ProviderPublisherParticipant.NAME);
			});
	}

	@Test
	void switchOffRemovesTheParticipant() {
		this.contextRunner.withPropertyValues("cse.serverless-ready.enabled=false").run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).doesNotHaveBean(ProviderPublisherParticipant.class);
		});
	}

	@Test
	void userParticipantWins() {
		this.contextRunner
			.withBean("ownProviders", ProviderPublisherParticipant.class,
					() -> new ProviderPublisherParticipant(null, List::of))
			.run((context) -> {
				assertThat(context).hasSingleBean(ProviderPublisherParticipant.class);
				assertThat(context.getBean(ProviderPublisherParticipant.class))
					.isSameAs(context.getBean("ownProviders"));
			});
	}

	private static InHouseRegistry publish(AssertableApplicationContext context) {
		assertThat(context).hasNotFailed();
		InHousePublisher publisher = publisher(context);
		publisher.registry = context.getBean(InHouseRegistry.class);
		String id = context.getBean(CheckpointCoordinator.class).getIdentity().getInstanceId();
		// What an in-house framework does at start-up: publish every provider bean
		context.getBeansWithAnnotation(InHouseService.class)
			.values()
			.forEach((bean) -> publisher.registry.publish(serviceName(bean), new Entry(id, publisher.address)));
		return publisher.registry;
	}

	private static InHousePublisher publisher(ApplicationContext context) {
		return (InHousePublisher) context.getBean(ProviderPublisher.class);
	}

	private static ParticipantStatus participant(ApplicationContext context) {
		return context.getBean(CheckpointCoordinator.class)
			.getParticipants()
			.stream()
			.filter((participant) -> participant.name().equals(ProviderPublisherParticipant.NAME))
			.findFirst()
			.orElseThrow();
	}

	private static String serviceName(Object bean) {
		return AnnotatedElementUtils.findMergedAnnotation(bean.getClass(), InHouseService.class).value();
	}

	private static OperationReport snapshot(CheckpointCoordinator coordinator, Operation operation,
			SnapshotOutcome outcome, InHouseRegistry registry) {
		// What the registry holds while the image is written: no provider of this instance
		ScriptedSnapshotPlan plan = ScriptedSnapshotPlan.of("providers-image", outcome)
			.whileTaking(() -> assertThat(registry.entries()).isEmpty());
		if (operation == Operation.CLONE) {
			plan.asCloneOf(coordinator.getIdentity());
		}
		return coordinator.snapshot(coordinator.reserve(operation), plan);
	}

	/** Marks a class that the in-house framework publishes, as HSF's own annotation does. */
	@Target(ElementType.TYPE)
	@Retention(RetentionPolicy.RUNTIME)
	@interface InHouseService {

		String value();

	}

	record Entry(String instanceId, String address) {

	}

	/** A registry server: service name to the instance that provides it. */
	static class InHouseRegistry {

		private final Map<String, Entry> entries = new ConcurrentHashMap<>();

		void publish(String service, Entry entry) {
			this.entries.put(service, entry);
		}

		void remove(String service) {
			this.entries.remove(service);
		}

		Map<String, Entry> entries() {
			return Map.copyOf(this.entries);
		}

	}

	/** The in-house framework's side of the SPI. */
	static class InHousePublisher implements ProviderPublisher {

		volatile InHouseRegistry registry;

		volatile String address;

		volatile String refuseOffline;

		volatile String refuseOnline;

		InHousePublisher(InHouseRegistry registry, String address) {
			this.registry = registry;
			this.address = address;
		}

		@Override
		public String getName() {
			return "in-house";
		}

		@Override
		public boolean publishes(Object bean) {
			return AnnotatedElementUtils.hasAnnotation(bean.getClass(), InHouseService.class);
		}

		@Override
		public void offline(Object bean, CheckpointContext context) {
			String service = serviceName(bean);
			if (service.equals(this.refuseOffline)) {
				throw new IllegalStateException("registry unreachable");
			}
			this.registry.remove(service);
		}

		@Override
		public void online(Object bean, CheckpointContext context) {
			String service = serviceName(bean);
			if (service.equals(this.refuseOnline)) {
				throw new IllegalStateException("registry unreachable");
			}
			this.registry.publish(service, new Entry(context.identity().getInstanceId(), this.address));
		}

	}

	@ServerlessReady
	@InHouseService("greeting")
	static class GreetingService {

		private final InHouseRegistry registry;

		volatile Boolean registeredWhileClosing;

		volatile Boolean registeredWhenReopened;

		GreetingService(InHouseRegistry registry) {
			this.registry = registry;
		}

		@BeforeCheckpoint
		void close() {
			this.registeredWhileClosing = this.registry.entries().containsKey("greeting");
		}

		@AfterRestore
		void reopen() {
			this.registeredWhenReopened = this.registry.entries().containsKey("greeting");
		}

	}

	@ServerlessReady
	@InHouseService("tickets")
	static class TicketService {

	}

	@ServerlessReady
	static class PlainReadyBean {

	}

}
