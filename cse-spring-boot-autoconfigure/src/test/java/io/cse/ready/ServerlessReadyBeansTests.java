package io.cse.ready;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import io.cse.CheckpointContext;
import io.cse.InstanceIdentity;
import io.cse.autoconfigure.CseAutoConfiguration;
import io.cse.ready.HazardCheckReport.Hook;
import io.cse.ready.ServerlessReadyMisuseException.Misuse;
import io.cse.ready.UniquenessHazard.Severity;
import io.cse.ready.example.LegacyTicketService;
import io.cse.ready.example.TicketJournal;
import io.cse.ready.example.TicketService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.aop.framework.ProxyFactory;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.assertj.ApplicationContextAssertProvider;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.context.annotation.RequestScope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * Tests for {@link ServerlessReadyBeans}: how {@code @ServerlessReady} beans are found,
 * checked and reported at start-up.
 */
@ExtendWith(OutputCaptureExtension.class)
class ServerlessReadyBeansTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(CseAutoConfiguration.class))
		.withUserConfiguration(ServerlessReadyTestConfiguration.class);

	@Test
	void reportListsEveryServerlessReadyBeanWithItsHooksInTheOrderTheyRun() {
		this.contextRunner.withBean("hooked", Hooked.class).withBean("plain", Plain.class).run((context) -> {
			HazardCheckReport report = report(context);
			assertThat(report.beans()).singleElement().satisfies((bean) -> {
				assertThat(bean.name()).isEqualTo("hooked");
				assertThat(bean.type()).isEqualTo(Hooked.class.getName());
				assertThat(bean.beforeCheckpoint()).containsExactly(new Hook("close(CheckpointContext)", -1),
						new Hook("flush()", 5));
				assertThat(bean.afterRestore()).containsExactly(new Hook("open()", 0));
				assertThat(bean.ignoredHazards()).isEmpty();
			});
			assertThat(report.hazards()).isEmpty();
			assertThat(report.highestSeverity()).isNull();
		});
	}

	@Test
	void beanWithAStaticUuidIsReportedWithItsFieldName(CapturedOutput output) {
		this.contextRunner.withBean(TicketJournal.class)
			.withBean("legacyTicketService", LegacyTicketService.class)
			.withBean("ticketService", TicketService.class)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				HazardCheckReport report = report(context);
				assertThat(report.beans()).extracting(HazardCheckReport.ReadyBean::name)
					.containsExactly("legacyTicketService", "ticketService");
				assertThat(report.hazards())
					.extracting(UniquenessHazard::beanName, UniquenessHazard::field, UniquenessHazard::severity)
					.containsExactly(
							tuple("legacyTicketService", "NODE", Severity.ERROR),
							tuple("legacyTicketService", "random", Severity.ERROR),
							tuple("legacyTicketService", "startedAt", Severity.WARN));
				assertThat(report.highestSeverity()).isEqualTo(Severity.ERROR);
				assertThat(output).contains("Uniqueness hazard: ERROR bean 'legacyTicketService': static field "
						+ LegacyTicketService.class.getName() + ".NODE (java.util.UUID)");
				assertThat(output).contains("Uniqueness hazard: WARN bean 'legacyTicketService': field "
						+ LegacyTicketService.class.getName() + ".startedAt (long)");
				// TicketService leaves its random source out: it renews it after a clone restore.
				assertThat(output).doesNotContain("bean 'ticketService'");
			});
	}

	@Test
	void cleanBeanIsNotReported(CapturedOutput output) {
		this.contextRunner.withBean("hooked", Hooked.class).run((context) -> {
			assertThat(report(context).hazards()).isEmpty();
			assertThat(output).doesNotContain("Uniqueness hazard");
		});
	}

	@Test
	void hookMethodWithTwoParametersIsAStartUpError() {
		this.contextRunner.withBean("twoParameters", TwoParameters.class).run((context) -> {
			Misuse misuse = singleMisuse(context);
			assertThat(misuse.beanName()).isEqualTo("twoParameters");
			assertThat(misuse.type()).isEqualTo(TwoParameters.class.getName());
			assertThat(misuse.member()).isEqualTo("@BeforeCheckpoint method close(CheckpointContext, String)");
			assertThat(misuse.problem()).contains("no parameter or one CheckpointContext");
			assertThat(misuse.fix()).isEqualTo("declare it as close() or as close(CheckpointContext context)");
			assertThat(context.getStartupFailure()).hasMessageContaining("bean 'twoParameters' ("
					+ TwoParameters.class.getName() + "), @BeforeCheckpoint method close(CheckpointContext, String)");
		});
	}

	@Test
	void hookMethodWithAParameterOfAnotherTypeIsAStartUpError() {
		this.contextRunner.withBean("wrongParameter", WrongParameter.class).run((context) -> {
			Misuse misuse = singleMisuse(context);
			assertThat(misuse.member()).isEqualTo("@AfterRestore method open(InstanceIdentity)");
			assertThat(misuse.problem()).contains("not [InstanceIdentity]");
			assertThat(misuse.fix()).isEqualTo("declare it as open() or as open(CheckpointContext context)");
		});
	}

	@Test
	void staticHookMethodIsAStartUpError() {
		this.contextRunner.withBean("staticHook", StaticHook.class).run((context) -> {
			Misuse misuse = singleMisuse(context);
			assertThat(misuse.member()).isEqualTo("@BeforeCheckpoint method close()");
			assertThat(misuse.problem()).contains("static");
			assertThat(misuse.fix()).isEqualTo("remove 'static' from close()");
		});
	}

	@Test
	void hookMethodThatReturnsAValueIsAStartUpError() {
		this.contextRunner.withBean("returnsFuture", ReturnsFuture.class).run((context) -> {
			Misuse misuse = singleMisuse(context);
			assertThat(misuse.member()).isEqualTo("@AfterRestore method reconnect()");
			assertThat(misuse.problem()).contains("returns CompletableFuture").contains("would not be waited for");
			assertThat(misuse.fix()).contains("return void");
		});
	}

	@Test
	void hookMethodOnABeanThatIsNotServerlessReadyIsAStartUpError() {
		this.contextRunner.withBean("forgotten", Forgotten.class).run((context) -> {
			Misuse misuse = singleMisuse(context);
			assertThat(misuse.beanName()).isEqualTo("forgotten");
			assertThat(misuse.member()).isEqualTo("@BeforeCheckpoint close(), @AfterRestore open()");
			assertThat(misuse.problem()).contains("not annotated @ServerlessReady").contains("never run");
			assertThat(misuse.fix()).isEqualTo("annotate Forgotten with @ServerlessReady");
		});
	}

	@Test
	void prototypeServerlessReadyBeanIsAStartUpError() {
		this.contextRunner
			.withBean("perUse", Hooked.class, Hooked::new, (definition) -> definition.setScope("prototype"))
			.run((context) -> {
				Misuse misuse = singleMisuse(context);
				assertThat(misuse.beanName()).isEqualTo("perUse");
				assertThat(misuse.member()).isEqualTo("@ServerlessReady");
				assertThat(misuse.problem()).contains("scope 'prototype'");
				assertThat(misuse.fix()).startsWith("make it a singleton");
			});
	}

	@Test
	void requestScopedServerlessReadyBeanIsAStartUpErrorUnderItsOwnName() {
		new WebApplicationContextRunner().withConfiguration(AutoConfigurations.of(CseAutoConfiguration.class))
			.withUserConfiguration(ServerlessReadyTestConfiguration.class, RequestScopedConfiguration.class)
			.run((context) -> {
				Misuse misuse = singleMisuse(context);
				assertThat(misuse.beanName()).isEqualTo("perRequest");
				assertThat(misuse.type()).isEqualTo(Hooked.class.getName());
				assertThat(misuse.problem()).contains("scope 'request'");
			});
	}

	@Test
	void ignoredHazardThatNamesNoFieldIsAStartUpError() {
		this.contextRunner.withBean("misspelt", Misspelt.class).run((context) -> {
			Misuse misuse = singleMisuse(context);
			assertThat(misuse.member()).isEqualTo("@ServerlessReady(ignoreHazards = \"sede\")");
			assertThat(misuse.problem()).contains("no field of Misspelt or of its superclasses is named 'sede'");
		});
	}

	@Test
	void ignoredHazardIsLeftOutOfTheReport() {
		this.contextRunner.withBean("reseeding", Reseeding.class).run((context) -> {
			HazardCheckReport report = report(context);
			assertThat(report.hazards()).isEmpty();
			assertThat(report.beans()).singleElement()
				.satisfies((bean) -> assertThat(bean.ignoredHazards()).containsExactly("seed"));
		});
	}

	@Test
	void hookThatAnInterfaceBasedProxyCannotReachIsAStartUpError() {
		this.contextRunner.withBean(InterfaceProxyingPostProcessor.class)
			.withBean("behindInterface", BehindInterface.class)
			.run((context) -> {
				Misuse misuse = singleMisuse(context);
				assertThat(misuse.beanName()).isEqualTo("behindInterface");
				assertThat(misuse.type()).isEqualTo(BehindInterface.class.getName());
				assertThat(misuse.member()).isEqualTo("@BeforeCheckpoint method close()");
				assertThat(misuse.problem()).contains("cannot be called through the proxy");
				assertThat(misuse.fix()).contains("interface");
			});
	}

	@Test
	void everyMisuseIsListedAtOnce() {
		this.contextRunner.withBean("staticHook", StaticHook.class)
			.withBean("forgotten", Forgotten.class)
			.withBean("returnsFuture", ReturnsFuture.class)
			.run((context) -> {
				ServerlessReadyMisuseException failure = misuse(context);
				assertThat(failure.getMisuses()).extracting(Misuse::beanName)
					.containsExactly("staticHook", "forgotten", "returnsFuture");
				assertThat(failure).hasMessageStartingWith("3 misuse(s) of @ServerlessReady:");
			});
	}

	private static HazardCheckReport report(AssertableApplicationContext context) {
		assertThat(context).hasNotFailed();
		return context.getBean(ServerlessReadyBeans.class).getReport();
	}

	private static Misuse singleMisuse(ApplicationContextAssertProvider<?> context) {
		List<Misuse> misuses = misuse(context).getMisuses();
		assertThat(misuses).hasSize(1);
		return misuses.get(0);
	}

	private static ServerlessReadyMisuseException misuse(ApplicationContextAssertProvider<?> context) {
		assertThat(context).hasFailed();
		assertThat(context.getStartupFailure()).isInstanceOf(ServerlessReadyMisuseException.class);
		return (ServerlessReadyMisuseException) context.getStartupFailure();
	}

	@ServerlessReady
	static class Hooked {

		@BeforeCheckpoint(order = 5)
		void flush() {
		}

		@BeforeCheckpoint(order = -1)
		void close(CheckpointContext context) {
		}

		@AfterRestore
		void open() {
		}

	}

	static class Plain {

		private final UUID id = UUID.randomUUID();

	}

	@ServerlessReady
	static class TwoParameters {

		@BeforeCheckpoint
		void close(CheckpointContext context, String reason) {
		}

	}

	@ServerlessReady
	static class WrongParameter {

		@AfterRestore
		void open(InstanceIdentity identity) {
		}

	}

	@ServerlessReady
	static class StaticHook {

		@BeforeCheckpoint
		static void close() {
		}

	}

	@ServerlessReady
	static class ReturnsFuture {

		@AfterRestore
		CompletableFuture<Void> reconnect() {
			return CompletableFuture.completedFuture(null);
		}

	}

	static class Forgotten {

		@BeforeCheckpoint
		void close() {
		}

		@AfterRestore
		void open() {
		}

	}

	@ServerlessReady(ignoreHazards = "sede")
	static class Misspelt {

		private final long seed = System.nanoTime();

	}

	@ServerlessReady(ignoreHazards = "seed")
	static class Reseeding {

		private volatile long seed = System.nanoTime() | 1;

		@AfterRestore
		void reseed(CheckpointContext context) {
			if (context.isClone()) {
				this.seed = context.identity().getInstanceId().hashCode();
			}
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class RequestScopedConfiguration {

		@Bean
		@RequestScope
		Hooked perRequest() {
			return new Hooked();
		}

	}

	interface Greeter {

		String greet();

	}

	@ServerlessReady
	static class BehindInterface implements Greeter {

		@Override
		public String greet() {
			return "hello";
		}

		@BeforeCheckpoint
		public void close() {
		}

	}

	/**
	 * Wraps every {@link Greeter} in an interface-based proxy.
	 */
	static class InterfaceProxyingPostProcessor implements BeanPostProcessor {

		@Override
		public Object postProcessAfterInitialization(Object bean, String beanName) {
			if (!(bean instanceof Greeter)) {
				return bean;
			}
			ProxyFactory factory = new ProxyFactory(bean);
			factory.setInterfaces(Greeter.class);
			return factory.getProxy();
		}

	}

}
