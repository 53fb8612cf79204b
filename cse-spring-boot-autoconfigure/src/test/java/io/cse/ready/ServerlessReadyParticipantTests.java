package io.cse.ready;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.cse.CheckpointContext;
import io.cse.CheckpointContext.Operation;
import io.cse.CheckpointCoordinator;
import io.cse.CheckpointParticipant;
import io.cse.InstanceIdentity;
import io.cse.OperationReport;
import io.cse.OperationReport.Outcome;
import io.cse.ScriptedSnapshotPlan;
import io.cse.autoconfigure.CseAutoConfiguration;
import io.cse.ready.ServerlessReadyTestConfiguration.Journal;
import io.cse.ready.ServerlessReadyTestConfiguration.Recording;
import org.aopalliance.intercept.MethodInterceptor;
import org.junit.jupiter.api.Test;

import org.springframework.aop.framework.ProxyFactory;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.support.GenericApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ServerlessReadyParticipant}: the hooks of {@code @ServerlessReady} beans
 * run by a real coordinator.
 */
class ServerlessReadyParticipantTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(CseAutoConfiguration.class))
		.withUserConfiguration(ServerlessReadyTestConfiguration.class)
		.withPropertyValues("cse.memory.trim-heap=false");

	@Test
	void participantRunsAtUserOrderUnderItsName() {
		this.contextRunner.run((context) -> assertThat(coordinator(context).getParticipants())
			.filteredOn((status) -> status.name().equals("serverless-ready"))
			.singleElement()
			.satisfies((status) -> assertThat(status.order()).isEqualTo(CheckpointParticipant.USER_ORDER)));
	}

	@Test
	void hooksRunInDeclaredOrderWithinAndAcrossBeans() {
		this.contextRunner.withBean("connection", Connection.class).withBean("cache", Cache.class).run((context) -> {
			assertThat(coordinator(context).freeze().outcome()).isEqualTo(Outcome.SUCCESS);
			assertThat(journal(context)).containsExactly("connection.drain", "cache.flush", "connection.close");
			assertThat(coordinator(context).thaw(Map.of()).outcome()).isEqualTo(Outcome.SUCCESS);
			assertThat(journal(context)).containsExactly("connection.drain", "cache.flush", "connection.close",
					"connection.open", "cache.warm", "connection.announce");
		});
	}

	@Test
	void hooksWithTheSameOrderRunInBeanRegistrationOrderThenByName() {
		this.contextRunner.withBean("beta", Beta.class).withBean("alpha", Alpha.class).run((context) -> {
			coordinator(context).freeze();
			coordinator(context).thaw(Map.of());
			assertThat(journal(context)).containsExactly("beta.first", "alpha.first", "alpha.second", "beta.resume",
					"alpha.resume");
		});
	}

	@Test
	void thawTellsTheHooksItIsTheSameInstance() {
		this.contextRunner.withBean("recorder", ContextRecorder.class).run((context) -> {
			String id = identity(context).getInstanceId();
			coordinator(context).freeze();
			coordinator(context).thaw(Map.of());
			assertThat(journal(context)).containsExactly("before FREEZE null " + id,
					"after FREEZE THAW clone=false " + id);
		});
	}

	@Test
	void cloneRestoreTellsTheHooksTheCloneIdentity() {
		this.contextRunner.withBean("recorder", ContextRecorder.class).run((context) -> {
			InstanceIdentity identity = identity(context);
			String template = identity.getInstanceId();
			CheckpointCoordinator coordinator = coordinator(context);
			OperationReport report = coordinator.snapshot(coordinator.reserve(Operation.CLONE),
					ScriptedSnapshotPlan.restored("template").asCloneOf(identity));
			assertThat(report.operation()).isEqualTo(OperationReport.Type.CLONE_RESTORE);
			assertThat(report.outcome()).isEqualTo(Outcome.SUCCESS);
			String clone = identity.getInstanceId();
			assertThat(clone).isNotEqualTo(template);
			assertThat(identity.getParentId()).isEqualTo(template);
			assertThat(journal(context)).containsExactly("before CLONE null " + template,
					"after CLONE CLONE clone=true " + clone);
		});
	}

	@Test
	void restoreOfADumpTellsTheHooksItIsTheSameInstance() {
		this.contextRunner.withBean("recorder", ContextRecorder.class).run((context) -> {
			String id = identity(context).getInstanceId();
			CheckpointCoordinator coordinator = coordinator(context);
			coordinator.snapshot(coordinator.reserve(Operation.DUMP), ScriptedSnapshotPlan.restored("dump"));
			assertThat(journal(context)).containsExactly("before DUMP null " + id,
					"after DUMP RESTORE clone=false " + id);
		});
	}

	@Test
	void hooksOfAProxiedBeanRunThroughTheProxyOnTheBeanItself() {
		this.contextRunner.withBean(ProxyingPostProcessor.class)
			.withBean("proxied", Proxied.class)
			.run((context) -> {
				assertThat(AopUtils.isCglibProxy(context.getBean("proxied"))).isTrue();
				coordinator(context).freeze();
				coordinator(context).thaw(Map.of());
				assertThat(journal(context)).containsExactly("advised close", "proxied.close on the bean",
						"advised open", "proxied.open on the bean");
				HazardCheckReport report = context.getBean(ServerlessReadyBeans.class).getReport();
				assertThat(report.beans()).singleElement()
					.satisfies((bean) -> assertThat(bean.type()).isEqualTo(Proxied.class.getName()));
				// The bean's own fields are read, not the proxy's.
				assertThat(report.hazards()).extracting(UniquenessHazard::field).containsExactly("token");
			});
	}

	@Test
	void lazyBeanTakesPartOnceItIsCreated() {
		this.contextRunner
			.withInitializer((context) -> ((GenericApplicationContext) context).registerBean("lazy", Early.class,
					(definition) -> definition.setLazyInit(true)))
			.run((context) -> {
				coordinator(context).freeze();
				coordinator(context).thaw(Map.of());
				assertThat(journal(context)).isEmpty();
				context.getBean("lazy");
				coordinator(context).freeze();
				coordinator(context).thaw(Map.of());
				assertThat(journal(context)).containsExactly("early.checkpoint", "early.restore THAW");
			});
	}

	private static CheckpointCoordinator coordinator(AssertableApplicationContext context) {
		return context.getBean(CheckpointCoordinator.class);
	}

	private static InstanceIdentity identity(AssertableApplicationContext context) {
		return context.getBean(InstanceIdentity.class);
	}

	private static List<String> journal(AssertableApplicationContext context) {
		return context.getBean(Journal.class).entries();
	}

	@ServerlessReady
	static class Connection extends Recording {

		Connection(Journal journal) {
			super(journal);
		}

		@BeforeCheckpoint(order = 1)
		void drain() {
			this.journal.add("connection.drain");
		}

		@BeforeCheckpoint(order = 3)
		void close() {
			this.journal.add("connection.close");
		}

		@AfterRestore(order = 1)
		void open() {
			this.journal.add("connection.open");
		}

		@AfterRestore(order = 3)
		void announce() {
			this.journal.add("connection.announce");
		}

	}

	@ServerlessReady
	static class Cache extends Recording {

		Cache(Journal journal) {
			super(journal);
		}

		@BeforeCheckpoint(order = 2)
		void flush() {
			this.journal.add("cache.flush");
		}

		@AfterRestore(order = 2)
		void warm() {
			this.journal.add("cache.warm");
		}

	}

	@ServerlessReady
	static class Alpha extends Recording {

		Alpha(Journal journal) {
			super(journal);
		}

		@BeforeCheckpoint
		void second() {
			this.journal.add("alpha.second");
		}

		@BeforeCheckpoint
		void first() {
			this.journal.add("alpha.first");
		}

		@AfterRestore
		void resume() {
			this.journal.add("alpha.resume");
		}

	}

	@ServerlessReady
	static class Beta extends Recording {

		Beta(Journal journal) {
			super(journal);
		}

		@BeforeCheckpoint
		void first() {
			this.journal.add("beta.first");
		}

		@AfterRestore
		void resume() {
			this.journal.add("beta.resume");
		}

	}

	@ServerlessReady
	static class ContextRecorder extends Recording {

		ContextRecorder(Journal journal) {
			super(journal);
		}

		@BeforeCheckpoint
		void before(CheckpointContext context) {
			this.journal.add("before " + context.operation() + " " + context.resumption() + " "
					+ context.identity().getInstanceId());
		}

		@AfterRestore
		void after(CheckpointContext context) {
			this.journal.add("after " + context.operation() + " " + context.resumption() + " clone="
					+ context.isClone() + " " + context.identity().getInstanceId());
		}

	}

	@ServerlessReady
	static class Early extends Recording {

		Early(Journal journal) {
			super(journal);
		}

		@BeforeCheckpoint(order = 1)
		void checkpoint() {
			this.journal.add("early.checkpoint");
		}

		@AfterRestore(order = 1)
		void restore(CheckpointContext context) {
			this.journal.add("early.restore " + context.resumption());
		}

	}

	@ServerlessReady
	static class Proxied extends Recording {

		// Set in the bean, not in its proxy.
		private final UUID token = UUID.randomUUID();

		Proxied(Journal journal) {
			super(journal);
		}

		@BeforeCheckpoint
		void close() {
			this.journal.add("proxied.close " + ((this.token != null) ? "on the bean" : "on the proxy"));
		}

		@AfterRestore
		void open() {
			this.journal.add("proxied.open " + ((this.token != null) ? "on the bean" : "on the proxy"));
		}

	}

	/**
	 * Wraps the bean named "proxied" in a class-based proxy, as {@code @Transactional} or
	 * {@code @Async} would.
	 */
	static class ProxyingPostProcessor implements BeanPostProcessor {

		@Override
		public Object postProcessAfterInitialization(Object bean, String beanName) {
			if (!"proxied".equals(beanName)) {
				return bean;
			}
			ProxyFactory factory = new ProxyFactory(bean);
			factory.setProxyTargetClass(true);
			factory.addAdvice((MethodInterceptor) (invocation) -> {
				((Recording) bean).journal.add("advised " + invocation.getMethod().getName());
				return invocation.proceed();
			});
			return factory.getProxy();
		}

	}

}
