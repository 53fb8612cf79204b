package io.cse.autoconfigure;

import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import com.zaxxer.hikari.HikariDataSource;
import io.cse.CheckpointCoordinator;
import io.cse.ParticipantStatus;
import io.cse.CheckpointParticipant;
import io.cse.InstanceIdentity;
import io.cse.RecordingParticipant;
import io.cse.crac.CracJdkAdapter;
import io.cse.executor.ExecutorParticipant;
import io.cse.jdbc.HikariPoolParticipant;
import io.cse.jdbc.HikariPoolSuspensionEnabler;
import io.cse.lifecycle.LifecycleParticipant;
import io.cse.metrics.CseMetrics;
import io.cse.metrics.OperationObservations;
import io.cse.snapshot.SnapshotService;
import io.cse.web.HeldRequests;
import io.cse.web.IdleConnectionCloser;
import io.cse.web.JettyIdleConnectionCloser;
import io.cse.web.NettyIdleConnectionCloser;
import io.cse.web.ReactiveTrafficGateFilter;
import io.cse.web.TrafficGate;
import io.cse.web.TrafficGateFilter;
import io.cse.web.TomcatIdleConnectionCloser;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link CseAutoConfiguration}.
 */
class CseAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(CseAutoConfiguration.class, CseEndpointAutoConfiguration.class));

	private final WebApplicationContextRunner webContextRunner = new WebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(CseAutoConfiguration.class, CseEndpointAutoConfiguration.class));

	@Test
	void createsTheCoreBeansByDefault() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).hasSingleBean(CseProperties.class);
			assertThat(context).hasSingleBean(InstanceIdentity.class);
			assertThat(context).hasSingleBean(CheckpointCoordinator.class);
			assertThat(context).hasSingleBean(CracJdkAdapter.class);
			assertThat(context).hasSingleBean(ExecutorParticipant.class);
			assertThat(context).hasSingleBean(LifecycleParticipant.class);
			assertThat(context).hasSingleBean(HikariPoolParticipant.class);
			assertThat(context).hasSingleBean(HikariPoolSuspensionEnabler.class);
			assertThat(context).hasSingleBean(CseMetrics.class);
		});
	}

	@Test
	void imagesAreKeptUnlessARetentionIsSet() {
		this.contextRunner.run((context) -> assertThat(context.getBean(SnapshotService.class).getRetention().isLimited())
			.isFalse());
	}

	@Test
	void imageRetentionComesFromTheProperties() {
		this.contextRunner.withPropertyValues("cse.images.max-count=3", "cse.images.max-age=7d")
			.run((context) -> assertThat(context.getBean(SnapshotService.class).getRetention())
				.hasToString("ImageRetention[maxCount=3, maxAge=PT168H]"));
	}

	@Test
	void imageRetentionOfNoAgeFailsTheStartWithWhatToSet() {
		this.contextRunner.withPropertyValues("cse.images.max-age=0s")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("cse.images.max-age must be longer than 0 (for example 7d)"));
	}

	@Test
	void coordinatorUsesTheInstanceIdentityBean() {
		this.contextRunner.run((context) -> assertThat(context.getBean(CheckpointCoordinator.class).getIdentity())
			.isSameAs(context.getBean(InstanceIdentity.class)));
	}

	@Test
	void masterSwitchOffRemovesEveryBean() {
		this.webContextRunner.withPropertyValues("cse.enabled=false").run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).doesNotHaveBean(CseProperties.class);
			assertThat(context).doesNotHaveBean(InstanceIdentity.class);
			assertThat(context).doesNotHaveBean(CheckpointCoordinator.class);
			assertThat(context).doesNotHaveBean(CracJdkAdapter.class);
			assertThat(context).doesNotHaveBean(CheckpointParticipant.class);
			assertThat(context).doesNotHaveBean(HikariPoolSuspensionEnabler.class);
			assertThat(context).doesNotHaveBean(TrafficGate.class);
			assertThat(context).doesNotHaveBean(TrafficGateFilter.class);
			assertThat(context).doesNotHaveBean(IdleConnectionCloser.class);
			assertThat(context).doesNotHaveBean(CseMetrics.class);
		});
	}

	@Test
	void executorsSwitchOffRemovesExecutorParticipant() {
		this.contextRunner.withPropertyValues("cse.executors.enabled=false").run((context) -> {
			assertThat(context).doesNotHaveBean(ExecutorParticipant.class);
			assertThat(context).hasSingleBean(LifecycleParticipant.class);
			assertThat(participantNames(context)).doesNotContain("executors");
		});
	}

	@Test
	void lifecycleSwitchOffRemovesLifecycleParticipant() {
		this.contextRunner.withPropertyValues("cse.lifecycle.enabled=false").run((context) -> {
			assertThat(context).doesNotHaveBean(LifecycleParticipant.class);
			assertThat(context).hasSingleBean(ExecutorParticipant.class);
			assertThat(participantNames(context)).doesNotContain("lifecycle");
		});
	}

	@Test
	void jdbcSwitchOffRemovesHikariBeans() {
		this.contextRunner.withPropertyValues("cse.jdbc.enabled=false").run((context) -> {
			assertThat(context).doesNotHaveBean(HikariPoolParticipant.class);
			assertThat(context).doesNotHaveBean(HikariPoolSuspensionEnabler.class);
			assertThat(participantNames(context)).doesNotContain("jdbc");
		});
	}

	@Test
	void poolSuspensionSwitchOffRemovesOnlyTheEnabler() {
		this.contextRunner.withPropertyValues("cse.jdbc.enable-pool-suspension=false").run((context) -> {
			assertThat(context).doesNotHaveBean(HikariPoolSuspensionEnabler.class);
			assertThat(context).hasSingleBean(HikariPoolParticipant.class);
		});
	}

	@Test
	void poolSuspensionIsTurnedOnForHikariDataSourceBeans() {
		this.contextRunner.withBean(HikariDataSource.class)
			.run((context) -> assertThat(context.getBean(HikariDataSource.class).isAllowPoolSuspension()).isTrue());
	}

	@Test
	void poolSuspensionIsLeftAloneWhenItsSwitchIsOff() {
		this.contextRunner.withBean(HikariDataSource.class)
			.withPropertyValues("cse.jdbc.enable-pool-suspension=false")
			.run((context) -> assertThat(context.getBean(HikariDataSource.class).isAllowPoolSuspension()).isFalse());
	}

	@Test
	void trafficSwitchOffRemovesTrafficBeans() {
		this.webContextRunner.withPropertyValues("cse.traffic.enabled=false").run((context) -> {
			assertThat(context).doesNotHaveBean(TrafficGate.class);
			assertThat(context).doesNotHaveBean(TrafficGateFilter.class);
			assertThat(context).doesNotHaveBean(IdleConnectionCloser.class);
			assertThat(participantNames(context)).doesNotContain("traffic");
		});
	}

	@Test
	void theOldMetricsSwitchBecomesSpringBootsOwn() {
		this.contextRunner
			.withInitializer(CsePropertiesTests::renameProperties)
			.withPropertyValues("cse.metrics.enabled=false")
			.run((context) -> assertThat(context.getEnvironment().getProperty("management.metrics.enable.cse"))
				.isEqualTo("false"));
	}

	@Test
	void withoutHikariThereAreNoHikariBeans() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(HikariDataSource.class)).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).doesNotHaveBean(HikariPoolParticipant.class);
			assertThat(context).doesNotHaveBean(HikariPoolSuspensionEnabler.class);
			assertThat(context).hasSingleBean(CheckpointCoordinator.class);
			assertThat(participantNames(context)).doesNotContain("jdbc");
		});
	}

	@Test
	void withHikariTheCoordinatorHasAJdbcParticipant() {
		this.contextRunner.run((context) -> assertThat(participantNames(context)).contains("jdbc"));
	}

	@Test
	void withoutMicrometerThereAreNoMetrics() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(MeterRegistry.class)).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).doesNotHaveBean(CseMetrics.class);
			assertThat(context).hasSingleBean(CheckpointCoordinator.class);
		});
	}

	@Test
	void metricsObserveTheCoordinatorWithoutASeriesPerInstance() {
		this.contextRunner.withBean(SimpleMeterRegistry.class).run((context) -> {
			SimpleMeterRegistry registry = context.getBean(SimpleMeterRegistry.class);
			// Binding is the job of Boot's metrics auto-configuration, whose package differs
			// between Boot 3 and 4: bind by hand, as it would.
			context.getBean(CseMetrics.class).bindTo(registry);
			CheckpointCoordinator coordinator = context.getBean(CheckpointCoordinator.class);
			InstanceIdentity identity = context.getBean(InstanceIdentity.class);
			String template = identity.getInstanceId();
			assertThat(registry.get("cse.state").tag("state", "running").gauge().value()).isEqualTo(1.0);
			assertThat(registry.get("cse.instance.generation").gauge().value()).isEqualTo(0.0);

			// What a clone restore does to the identity: the gauges read the new one
			identity.regenerate("template-image");
			coordinator.freeze();
			assertThat(registry.get("cse.state").tag("state", "frozen").gauge().value()).isEqualTo(1.0);
			assertThat(registry.get("cse.state").tag("state", "running").gauge().value()).isEqualTo(0.0);
			assertThat(registry.get("cse.instance.generation").gauge().value()).isEqualTo(1.0);
			coordinator.thaw(Collections.emptyMap());
			assertThat(registry.get("cse.operations").tag("operation", "freeze").timer().count()).isEqualTo(1);

			List<String> tags = registry.getMeters()
				.stream()
				.flatMap((meter) -> meter.getId().getTags().stream())
				.map((tag) -> tag.getKey() + "=" + tag.getValue())
				.collect(Collectors.toList());
			assertThat(tags).noneMatch((tag) -> tag.startsWith("instance="))
				.noneMatch((tag) -> tag.contains(template) || tag.contains(identity.getInstanceId()))
				.allMatch((tag) -> tag.equals(tag.toLowerCase(Locale.ROOT)));
		});
	}

	@Test
	void withAnObservationRegistryOperationsAreObserved() {
		List<String> observed = new CopyOnWriteArrayList<>();
		ObservationRegistry registry = ObservationRegistry.create();
		registry.observationConfig().observationHandler(new ObservationHandler<>() {

			@Override
			public void onStop(Observation.Context context) {
				observed.add(context.getContextualName());
			}

			@Override
			public boolean supportsContext(Observation.Context context) {
				return true;
			}

		});
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(CseAutoConfiguration.class, CseObservationAutoConfiguration.class))
			.withBean(ObservationRegistry.class, () -> registry)
			.run((context) -> {
				assertThat(context).hasSingleBean(OperationObservations.class);
				context.getBean(CheckpointCoordinator.class).freeze();
				assertThat(observed).containsExactly("cse freeze");
			});
	}

	@Test
	void withoutAnObservationRegistryNothingIsObserved() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(CseAutoConfiguration.class, CseObservationAutoConfiguration.class))
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(OperationObservations.class));
	}

	@Test
	void outsideAWebApplicationThereIsNoTrafficGate() {
		this.contextRunner.run((context) -> {
			assertThat(context).doesNotHaveBean(TrafficGate.class);
			assertThat(context).doesNotHaveBean(TrafficGateFilter.class);
			assertThat(context).doesNotHaveBean(IdleConnectionCloser.class);
			assertThat(participantNames(context)).doesNotContain("traffic");
		});
	}

	@Test
	void inAServletWebApplicationTheTrafficGateGoesFirst() {
		this.webContextRunner.run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).hasSingleBean(TrafficGate.class);
			assertThat(context).hasSingleBean(TrafficGateFilter.class);
			assertThat(context).hasSingleBean(TomcatIdleConnectionCloser.class);
			assertThat(context).hasSingleBean(JettyIdleConnectionCloser.class);
			assertThat(context).doesNotHaveBean(NettyIdleConnectionCloser.class);
			assertThat(participantNames(context)).containsExactly("traffic", "executors", "lifecycle", "jdbc");
		});
	}

	@Test
	void inAReactiveWebApplicationRequestsGoThroughTheGateToo() {
		new ReactiveWebApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(CseAutoConfiguration.class))
			.withPropertyValues("cse.memory.trim-heap=false")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context).hasSingleBean(TrafficGate.class);
				assertThat(context).hasSingleBean(ReactiveTrafficGateFilter.class);
				assertThat(context).doesNotHaveBean(TrafficGateFilter.class);
				assertThat(context).hasSingleBean(NettyIdleConnectionCloser.class);
				assertThat(context).doesNotHaveBean(TomcatIdleConnectionCloser.class);
				assertThat(participantNames(context)).startsWith("traffic");
			});
	}

	@Test
	void withoutAKnownWebServerTheTrafficGateClosesNoConnections() {
		this.webContextRunner
			.withClassLoader(new FilteredClassLoader("org.apache.catalina", "org.eclipse.jetty", "io.undertow"))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context).doesNotHaveBean(IdleConnectionCloser.class);
				assertThat(context).hasSingleBean(TrafficGate.class);
				assertThat(context).hasSingleBean(TrafficGateFilter.class);
			});
	}

	@Test
	void jettyOlderThan12GetsNoCloser() {
		// Jetty 9.4 to 11 have no org.eclipse.jetty.server.internal
		this.webContextRunner.withClassLoader(new FilteredClassLoader("org.eclipse.jetty.server.internal"))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context).doesNotHaveBean(JettyIdleConnectionCloser.class);
				assertThat(context).hasSingleBean(TomcatIdleConnectionCloser.class);
			});
	}

	@Test
	void userInstanceIdentityWins() {
		InstanceIdentity identity = new InstanceIdentity(Clock.systemUTC());
		this.contextRunner.withBean(InstanceIdentity.class, () -> identity).run((context) -> {
			assertThat(context).hasSingleBean(InstanceIdentity.class);
			assertThat(context.getBean(InstanceIdentity.class)).isSameAs(identity);
			assertThat(context.getBean(CheckpointCoordinator.class).getIdentity()).isSameAs(identity);
		});
	}

	@Test
	void userCheckpointCoordinatorWins() {
		this.contextRunner.withUserConfiguration(UserCoordinatorConfiguration.class).run((context) -> {
			assertThat(context).hasSingleBean(CheckpointCoordinator.class);
			assertThat(context).hasBean("userCoordinator");
			CheckpointCoordinator coordinator = context.getBean(CheckpointCoordinator.class);
			assertThat(coordinator.getParticipants()).isEmpty();
			assertThat(coordinator.getIdentity()).isSameAs(context.getBean(InstanceIdentity.class));
			assertThat(context).hasSingleBean(CracJdkAdapter.class);
			assertThat(context).hasSingleBean(CseMetrics.class);
		});
	}

	@Test
	void userTrafficGateWins() {
		this.webContextRunner.withUserConfiguration(UserTrafficGateConfiguration.class).run((context) -> {
			assertThat(context).hasSingleBean(TrafficGate.class);
			assertThat(context).hasBean("userTrafficGate");
			assertThat(context).hasSingleBean(TrafficGateFilter.class);
			assertThat(participantNames(context)).containsOnlyOnce("traffic");
		});
	}

	@Test
	void userParticipantsWin() {
		this.webContextRunner.withUserConfiguration(UserParticipantsConfiguration.class).run((context) -> {
			assertThat(context).hasSingleBean(ExecutorParticipant.class);
			assertThat(context).hasSingleBean(LifecycleParticipant.class);
			assertThat(context).hasSingleBean(HikariPoolParticipant.class);
			assertThat(context).hasSingleBean(HikariPoolSuspensionEnabler.class);
			assertThat(context).hasSingleBean(CracJdkAdapter.class);
			assertThat(context).hasSingleBean(TrafficGateFilter.class);
			assertThat(context.getBeansOfType(IdleConnectionCloser.class)).as("the user's closer replaces the starter's")
				.containsOnlyKeys("userIdleConnectionCloser");
			assertThat(context).hasSingleBean(CseMetrics.class);
			assertThat(context).hasBean("userExecutorParticipant");
			assertThat(context).hasBean("userLifecycleParticipant");
			assertThat(context).hasBean("userHikariPoolParticipant");
			assertThat(context).hasBean("userHikariPoolSuspensionEnabler");
			assertThat(context).hasBean("userCracJdkAdapter");
			assertThat(context).hasBean("userTrafficGateFilter");
			assertThat(context).hasBean("userIdleConnectionCloser");
			assertThat(context).hasBean("userMetrics");
		});
	}

	@Test
	void userParticipantsAreQuiescedInOrder() {
		this.contextRunner
			.withBean("late", CheckpointParticipant.class, () -> new RecordingParticipant("late", CheckpointParticipant.USER_ORDER))
			.withBean("early", CheckpointParticipant.class,
					() -> new RecordingParticipant("early", CheckpointParticipant.TRAFFIC_ORDER - 50))
			.withBean("registry", CheckpointParticipant.class,
					() -> new RecordingParticipant("registry", CheckpointParticipant.REGISTRY_ORDER))
			.run((context) -> assertThat(participantNames(context)).containsExactly("early", "executors",
					"lifecycle", "registry", "jdbc", "late"));
	}

	private static List<String> participantNames(ApplicationContext context) {
		return context.getBean(CheckpointCoordinator.class)
			.getParticipants()
			.stream()
			.map(ParticipantStatus::name)
			.toList();
	}
	@Configuration(proxyBeanMethods = false)
	static class UserCoordinatorConfiguration {

		@Bean
		CheckpointCoordinator userCoordinator(InstanceIdentity identity) {
			return new CheckpointCoordinator(List.of(), identity, null, Duration.ofSeconds(1), Clock.systemUTC());
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UserTrafficGateConfiguration {

		@Bean
		TrafficGate userTrafficGate(ApplicationEventPublisher eventPublisher) {
			return new TrafficGate(eventPublisher, null, IdleConnectionCloser.NONE, Duration.ofSeconds(1));
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UserParticipantsConfiguration {

		@Bean
		ExecutorParticipant userExecutorParticipant(ListableBeanFactory beanFactory) {
			return new ExecutorParticipant(beanFactory);
		}

		@Bean
		LifecycleParticipant userLifecycleParticipant(ListableBeanFactory beanFactory) {
			return new LifecycleParticipant(beanFactory, Set.of());
		}

		@Bean
		HikariPoolParticipant userHikariPoolParticipant(ListableBeanFactory beanFactory) {
			return new HikariPoolParticipant(beanFactory);
		}

		@Bean
		static HikariPoolSuspensionEnabler userHikariPoolSuspensionEnabler() {
			return new HikariPoolSuspensionEnabler();
		}

		@Bean
		CracJdkAdapter userCracJdkAdapter(CheckpointCoordinator coordinator) {
			return new CracJdkAdapter(coordinator, null);
		}

		@Bean
		TrafficGateFilter userTrafficGateFilter(TrafficGate gate, CheckpointCoordinator coordinator) {
			return new TrafficGateFilter(new HeldRequests(gate, coordinator, "/actuator/cse", false,
					Duration.ofSeconds(1), Duration.ofSeconds(1)));
		}

		@Bean
		IdleConnectionCloser userIdleConnectionCloser() {
			return (busy, quietFor) -> 0;
		}

		@Bean
		CseMetrics userMetrics(CheckpointCoordinator coordinator) {
			return new CseMetrics(coordinator);
		}

	}

}
