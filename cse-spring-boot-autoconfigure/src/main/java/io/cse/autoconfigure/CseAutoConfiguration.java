package io.cse.autoconfigure;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import com.zaxxer.hikari.HikariDataSource;
import io.cse.CheckpointCoordinator;
import io.cse.CheckpointParticipant;
import io.cse.InstanceIdentity;
import io.cse.crac.CracEngine;
import io.cse.crac.CracJdkAdapter;
import io.cse.criu.CriuEngine;
import io.cse.linux.ProcFs;
import io.cse.executor.ExecutorParticipant;
import io.cse.jdbc.HikariPoolParticipant;
import io.cse.jdbc.HikariPoolSuspensionEnabler;
import io.cse.lifecycle.LifecycleParticipant;
import io.cse.memory.HeapTrimmer;
import io.cse.metrics.CseMetrics;
import io.cse.snapshot.ConnectionOwner;
import io.cse.snapshot.ImageAttachment;
import io.cse.snapshot.ImageManifest;
import io.cse.snapshot.ImageRetention;
import io.cse.snapshot.NoSnapshotEngine;
import io.cse.snapshot.ProcessAudit;
import io.cse.snapshot.SnapshotEngine;
import io.cse.snapshot.SnapshotRateLimit;
import io.cse.snapshot.SnapshotService;
import io.cse.web.HeldRequests;
import io.cse.web.IdleConnectionCloser;
import io.cse.web.JavaxTrafficGateFilter;
import io.cse.web.JettyIdleConnectionCloser;
import io.cse.web.NettyIdleConnectionCloser;
import io.cse.web.ReactiveTrafficGateFilter;
import io.cse.web.TomcatIdleConnectionCloser;
import io.cse.web.TrafficGate;
import io.cse.web.TrafficGateFilter;
import io.cse.web.UndertowIdleConnectionCloser;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.Environment;
import org.springframework.util.Assert;
import org.springframework.web.server.WebFilter;

/**
 * Makes the application snapshot-ready: a {@link CheckpointCoordinator} with a participant
 * for every resource the application has that cannot survive a freeze or a snapshot.
 */
@AutoConfiguration
@Conditional(SupportedPlatformCondition.class)
@ConditionalOnProperty(prefix = "cse", name = "enabled", matchIfMissing = true)
@EnableConfigurationProperties(CseProperties.class)
public final class CseAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	InstanceIdentity cseInstanceIdentity() {
		return new InstanceIdentity(Clock.systemUTC());
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnProperty(prefix = "cse.memory", name = "trim-heap", matchIfMissing = true)
	HeapTrimmer cseHeapTrimmer(CseProperties properties) {
		int maxHeapFreeRatio = properties.getMemory().getMaxHeapFreeRatio();
		Duration jitSettleTime = properties.getMemory().getJitSettleTime();
		Assert.isTrue(maxHeapFreeRatio >= 0 && maxHeapFreeRatio <= 100,
				() -> "cse.memory.max-heap-free-ratio must be between 0 and 100, not " + maxHeapFreeRatio);
		Assert.isTrue(!jitSettleTime.isNegative(),
				() -> "cse.memory.jit-settle-time must not be negative, not " + jitSettleTime);
		return new HeapTrimmer(new ProcFs(), maxHeapFreeRatio, jitSettleTime);
	}

	@Bean
	@ConditionalOnMissingBean
	CheckpointCoordinator cseCheckpointCoordinator(ObjectProvider<CheckpointParticipant> participants,
			InstanceIdentity identity, ObjectProvider<HeapTrimmer> heapTrimmer, CseProperties properties,
			ApplicationEventPublisher eventPublisher, ConfigurableEnvironment environment) {
		CheckpointCoordinator coordinator = new CheckpointCoordinator(participants.orderedStream().collect(Collectors.toList()), identity,
				heapTrimmer.getIfAvailable(), properties.getParticipantTimeout(), Clock.systemUTC());
		coordinator.addListener(new CheckpointEventPublisher(coordinator, eventPublisher));
		coordinator.setPropertyOverrides(new EnvironmentPropertyOverrides(environment));
		coordinator.setSettingNames(CsePropertyNames.INSTANCE);
		return coordinator;
	}

	@Bean
	@ConditionalOnMissingBean
	CracJdkAdapter cseCracJdkAdapter(CheckpointCoordinator coordinator, ObjectProvider<HeapTrimmer> heapTrimmer) {
		CracJdkAdapter adapter = new CracJdkAdapter(coordinator, heapTrimmer.getIfAvailable());
		adapter.register();
		return adapter;
	}

	@Bean
	@ConditionalOnMissingBean
	SnapshotEngine cseSnapshotEngine(CseProperties properties, CracJdkAdapter cracJdkAdapter) {
		ProcFs procFs = new ProcFs();
		CriuEngine criu = new CriuEngine(properties.getCriu().getPath(), procFs, properties.getCriu().getDumpTimeout());
		criu.setSettingNames(CsePropertyNames.INSTANCE);
		switch (properties.getEngine()) {
			case CRIU:
				return criu;
			case CRAC:
				return new CracEngine(cracJdkAdapter);
			case NONE:
				return new NoSnapshotEngine("Snapshots are switched off (cse.engine=none): set cse.engine=auto");
			default:
				return cracJdkAdapter.isCracJdk() ? new CracEngine(cracJdkAdapter) : criu;
		}
	}

	@Bean
	@ConditionalOnMissingBean
	SnapshotService cseSnapshotService(CheckpointCoordinator coordinator, SnapshotEngine engine,
			ObjectProvider<HeapTrimmer> heapTrimmer, CseProperties properties, Environment environment,
			ListableBeanFactory beanFactory, ObjectProvider<ConnectionOwner> connectionOwners,
			ObjectProvider<ImageAttachment> attachments) {
		ProcFs procFs = new ProcFs();
		Supplier<Integer> port = () -> environment.getProperty("local.server.port", Integer.class, -1);
		ProcessAudit audit = new ProcessAudit(procFs, port, properties.getSnapshot().isAllowChildProcesses());
		audit.setSettingNames(CsePropertyNames.INSTANCE);
		audit.setConnectionOwners(connectionOwners.orderedStream().collect(Collectors.toList()));
		Supplier<ImageManifest.Application> application = () -> application(properties, environment, beanFactory);
		SnapshotService service = new SnapshotService(coordinator, engine, properties.getImages().getRoot(), audit,
				heapTrimmer.getIfAvailable(), procFs, application, Clock.systemUTC());
		service.setSettingNames(CsePropertyNames.INSTANCE);
		service.setRetention(new ImageRetention(properties.getImages().getMaxCount(),
				properties.getImages().getMaxAge()));
		service.setAttachments(() -> attachments.orderedStream().collect(Collectors.toList()));
		int maxPerMinute = properties.getSnapshot().getMaxPerMinute();
		if (maxPerMinute < 0) {
			throw new IllegalStateException("cse.snapshot.max-per-minute is " + maxPerMinute
					+ ": set the most snapshots that may start in any minute (10 by default), or 0 for no limit");
		}
		service.setRateLimit(new SnapshotRateLimit(maxPerMinute, Clock.systemUTC()));
		return service;
	}

	/**
	 * What the image's manifest says of the application, for the node agent that restores
	 * it: where it listens, where it answers its health check and where the CSE endpoint
	 * is. With a management server of its own ({@code management.server.port}), the
	 * actuator's endpoints (the CSE endpoint, and the health endpoint) are on that port,
	 * under {@code management.server.base-path}.
	 */
	static ImageManifest.Application application(CseProperties properties, Environment environment,
			ListableBeanFactory beanFactory) {
		String name = environment.getProperty("spring.application.name", "application");
		int port = environment.getProperty("local.server.port", Integer.class, -1);
		Integer managementPort = environment.getProperty("local.management.port", Integer.class);
		boolean separate = managementPort != null && managementPort > 0 && managementPort != port;
		int endpointPort = separate ? managementPort : port;
		String managementBase = separate ? trimmedBasePath(environment.getProperty("management.server.base-path", ""))
				: "";
		String endpointPath = managementBase + endpointPath(environment);
		String healthPath = properties.getSnapshot().getHealthPath();
		if (healthPath != null) {
			// The user's own path: the application's
			return new ImageManifest.Application(name, port, healthPath, port, endpointPort, endpointPath);
		}
		if (beanFactory.containsBean("healthEndpoint")) {
			String basePath = environment.getProperty("management.endpoints.web.base-path", "/actuator");
			String actuatorHealth = managementBase + (basePath.endsWith("/") ? basePath : basePath + "/") + "health";
			if (environment.getProperty(HealthProbesEnvironmentPostProcessor.PROBES_ENABLED, Boolean.class, false)) {
				// Whether the process serves, not whether its database is up: a restore or a
				// thaw while the database is down still brings back a serving instance
				actuatorHealth += "/liveness";
			}
			return new ImageManifest.Application(name, port, actuatorHealth, endpointPort, endpointPort, endpointPath);
		}
		return new ImageManifest.Application(name, port, "/", port, endpointPort, endpointPath);
	}

	private static String trimmedBasePath(String basePath) {
		String trimmed = basePath.endsWith("/") ? basePath.substring(0, basePath.length() - 1) : basePath;
		return (trimmed.isEmpty() || trimmed.startsWith("/")) ? trimmed : "/" + trimmed;
	}

	static String endpointPath(Environment environment) {
		String basePath = environment.getProperty("management.endpoints.web.base-path", "/actuator");
		String mapping = environment.getProperty("management.endpoints.web.path-mapping.cse", "cse");
		String path = (basePath.endsWith("/") ? basePath : basePath + "/") + mapping;
		return path.startsWith("/") ? path : "/" + path;
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnProperty(prefix = "cse.executors", name = "enabled", matchIfMissing = true)
	ExecutorParticipant cseExecutorParticipant(ListableBeanFactory beanFactory) {
		return new ExecutorParticipant(beanFactory);
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnProperty(prefix = "cse.lifecycle", name = "enabled", matchIfMissing = true)
	LifecycleParticipant cseLifecycleParticipant(ListableBeanFactory beanFactory, CseProperties properties) {
		return new LifecycleParticipant(beanFactory, properties.getLifecycle().getExcludedBeans());
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(HikariDataSource.class)
	@ConditionalOnProperty(prefix = "cse.jdbc", name = "enabled", matchIfMissing = true)
	static class HikariConfiguration {

		@Bean
		@ConditionalOnMissingBean
		HikariPoolParticipant cseHikariPoolParticipant(ListableBeanFactory beanFactory) {
			return new HikariPoolParticipant(beanFactory);
		}

		@Bean
		@ConditionalOnMissingBean
		@ConditionalOnProperty(prefix = "cse.jdbc", name = "enable-pool-suspension", matchIfMissing = true)
		static HikariPoolSuspensionEnabler cseHikariPoolSuspensionEnabler() {
			return new HikariPoolSuspensionEnabler();
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication
	@ConditionalOnProperty(prefix = "cse.traffic", name = "enabled", matchIfMissing = true)
	static class TrafficConfiguration {

		/* The starter's closers, which do not stand for one of the application's own */
		private static final String TOMCAT = "io.cse.web.TomcatIdleConnectionCloser";

		private static final String JETTY = "io.cse.web.JettyIdleConnectionCloser";

		private static final String UNDERTOW = "io.cse.web.UndertowIdleConnectionCloser";

		private static final String NETTY = "io.cse.web.NettyIdleConnectionCloser";

		@Bean
		@ConditionalOnMissingBean
		TrafficGate cseTrafficGate(ApplicationEventPublisher eventPublisher,
				ObjectProvider<ApplicationAvailability> availability, ObjectProvider<IdleConnectionCloser> closer,
				CseProperties properties) {
			IdleConnectionCloser idleConnectionCloser = properties.getTraffic().isCloseIdleConnections()
					? allOf(closer.orderedStream().collect(Collectors.toList())) : IdleConnectionCloser.NONE;
			TrafficGate gate = new TrafficGate(eventPublisher, availability.getIfAvailable(), idleConnectionCloser,
					properties.getTraffic().getDrainTimeout());
			gate.setIdleConnectionQuietTime(properties.getTraffic().getIdleConnectionQuietTime());
			return gate;
		}

		/**
		 * The closers of every web server whose classes are there: the application runs one
		 * of them, and the others find no server of theirs and close nothing.
		 */
		private static IdleConnectionCloser allOf(List<IdleConnectionCloser> closers) {
			if (closers.isEmpty()) {
				return IdleConnectionCloser.NONE;
			}
			return (busy, quietFor) -> {
				int closed = 0;
				for (IdleConnectionCloser closer : closers) {
					closed += closer.closeIdleConnections(busy, quietFor);
				}
				return closed;
			};
		}

		@Bean
		@ConditionalOnMissingBean
		HeldRequests cseHeldRequests(TrafficGate gate, CheckpointCoordinator coordinator, CseProperties properties,
				Environment environment) {
			CseProperties.Traffic traffic = properties.getTraffic();
			return new HeldRequests(gate, coordinator, endpointPath(environment), traffic.isThawOnRequest(),
					traffic.getHoldTimeout(), traffic.getRetryAfter());
		}

		@Configuration(proxyBeanMethods = false)
		@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
		@ConditionalOnClass(name = "jakarta.servlet.Filter")
		static class ServletTrafficConfiguration {

			@Bean
			@ConditionalOnMissingBean
			TrafficGateFilter cseTrafficGateFilter(HeldRequests heldRequests) {
				return new TrafficGateFilter(heldRequests);
			}

		}

		/**
		 * Spring Boot 2.7: its servlet API is {@code javax.servlet}. Where both APIs are on
		 * the class path, the web server is one of Spring Boot 3 or 4.
		 */
		@Configuration(proxyBeanMethods = false)
		@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
		@ConditionalOnClass(name = "javax.servlet.Filter")
		@ConditionalOnMissingClass("jakarta.servlet.Filter")
		static class JavaxServletTrafficConfiguration {

			@Bean
			@ConditionalOnMissingBean
			JavaxTrafficGateFilter cseJavaxTrafficGateFilter(HeldRequests heldRequests) {
				return new JavaxTrafficGateFilter(heldRequests);
			}

		}

		/*
		 * One closer per web server whose classes are there; each closes the connections of
		 * its own server only, and nothing where the application runs another. A closer of
		 * the application's own replaces them all.
		 */
		@Configuration(proxyBeanMethods = false)
		@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
		@ConditionalOnClass(name = "org.apache.catalina.startup.Tomcat")
		static class TomcatConfiguration {

			@Bean
			@ConditionalOnMissingBean(value = IdleConnectionCloser.class, ignoredType = { TOMCAT, JETTY, UNDERTOW, NETTY })
			TomcatIdleConnectionCloser cseTomcatIdleConnectionCloser(ApplicationContext applicationContext) {
				return new TomcatIdleConnectionCloser(applicationContext);
			}

		}

		/**
		 * Jetty 12 (Spring Boot 3.2 and later, servlet or reactive). Older Jetty keeps its
		 * connection classes elsewhere ({@code org.eclipse.jetty.server.HttpConnection}), and
		 * gets no closer: the class named here is Jetty 12's alone.
		 */
		@Configuration(proxyBeanMethods = false)
		@ConditionalOnWebApplication
		@ConditionalOnClass(name = "org.eclipse.jetty.server.internal.HttpConnection")
		static class JettyConfiguration {

			@Bean
			@ConditionalOnMissingBean(value = IdleConnectionCloser.class, ignoredType = { TOMCAT, JETTY, UNDERTOW, NETTY })
			JettyIdleConnectionCloser cseJettyIdleConnectionCloser(ApplicationContext applicationContext) {
				return new JettyIdleConnectionCloser(applicationContext);
			}

		}

		/**
		 * Undertow's servlet server (Spring Boot 3). The closer follows connections from the
		 * web server factory's making on: it is a bean post-processor, made early.
		 */
		@Configuration(proxyBeanMethods = false)
		@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
		@ConditionalOnClass(name = { "io.undertow.Undertow", "io.undertow.servlet.api.DeploymentInfo" })
		static class UndertowConfiguration {

			@Bean
			@ConditionalOnMissingBean(value = IdleConnectionCloser.class, ignoredType = { TOMCAT, JETTY, UNDERTOW, NETTY })
			static UndertowIdleConnectionCloser cseUndertowIdleConnectionCloser() {
				return new UndertowIdleConnectionCloser();
			}

		}

		/**
		 * Reactor Netty (WebFlux). The closer follows connections from the web server
		 * factory's making on: it is a bean post-processor, made early.
		 */
		@Configuration(proxyBeanMethods = false)
		@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
		@ConditionalOnClass(name = "reactor.netty.http.server.HttpServer")
		static class NettyConfiguration {

			@Bean
			@ConditionalOnMissingBean(value = IdleConnectionCloser.class, ignoredType = { TOMCAT, JETTY, UNDERTOW, NETTY })
			static NettyIdleConnectionCloser cseNettyIdleConnectionCloser() {
				return new NettyIdleConnectionCloser();
			}

		}

		@Configuration(proxyBeanMethods = false)
		@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
		@ConditionalOnClass(WebFilter.class)
		static class ReactiveTrafficConfiguration {

			@Bean
			@ConditionalOnMissingBean
			ReactiveTrafficGateFilter cseReactiveTrafficGateFilter(HeldRequests heldRequests) {
				return new ReactiveTrafficGateFilter(heldRequests);
			}

		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(MeterRegistry.class)
	static class MetricsConfiguration {

		@Bean
		@ConditionalOnMissingBean
		CseMetrics cseMetrics(CheckpointCoordinator coordinator) {
			return new CseMetrics(coordinator);
		}

	}

}
