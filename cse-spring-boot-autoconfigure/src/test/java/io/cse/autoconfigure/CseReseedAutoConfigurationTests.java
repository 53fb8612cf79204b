package io.cse.autoconfigure;

import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;

import io.cse.CheckpointContext;
import io.cse.CheckpointContext.Operation;
import io.cse.CheckpointContext.Resumption;
import io.cse.CheckpointCoordinator;
import io.cse.ParticipantStatus;
import io.cse.InstanceIdentity;
import io.cse.entropy.Reseeder;
import io.cse.entropy.SecureRandomReseeder;
import io.cse.entropy.ThreadLocalRandomReseeder;
import io.cse.reseed.ReseedParticipant;
import io.cse.web.JettySessionIdReseeder;
import io.cse.web.TomcatSessionIdReseeder;
import org.apache.catalina.startup.Tomcat;
import org.eclipse.jetty.session.DefaultSessionIdManager;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.convert.ApplicationConversionService;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link CseReseedAutoConfiguration}.
 */
class CseReseedAutoConfigurationTests {

	private static final AutoConfigurations CONFIGURATIONS = AutoConfigurations.of(CseAutoConfiguration.class,
			CseReseedAutoConfiguration.class);

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withInitializer((context) -> context.getEnvironment().setConversionService(new ApplicationConversionService()))
		.withConfiguration(CONFIGURATIONS);

	private final WebApplicationContextRunner webContextRunner = new WebApplicationContextRunner()
		.withInitializer((context) -> context.getEnvironment().setConversionService(new ApplicationConversionService()))
		.withConfiguration(CONFIGURATIONS);

	@Test
	void createsTheParticipantAndTheJdkReseedersByDefault() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).hasSingleBean(ReseedParticipant.class);
			assertThat(context).hasSingleBean(ThreadLocalRandomReseeder.class);
			assertThat(context).hasSingleBean(SecureRandomReseeder.class);
			assertThat(context).doesNotHaveBean(TomcatSessionIdReseeder.class);
			assertThat(participantNames(context)).contains("reseed");
		});
	}

	@Test
	void aServletApplicationWithTomcatGetsItsSessionIdsReseeded() {
		this.webContextRunner.run((context) -> assertThat(context).hasSingleBean(TomcatSessionIdReseeder.class));
	}

	@Test
	void aWebApplicationWithJettyGetsItsSessionIdsReseeded() {
		this.webContextRunner.run((context) -> assertThat(context).hasSingleBean(JettySessionIdReseeder.class));
	}

	@Test
	void withoutJettyThereIsNoJettyReseeder() {
		this.webContextRunner.withClassLoader(new FilteredClassLoader(DefaultSessionIdManager.class)).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).doesNotHaveBean(JettySessionIdReseeder.class);
			assertThat(context).hasSingleBean(TomcatSessionIdReseeder.class);
		});
	}

	@Test
	void withoutTomcatThereIsNoSessionIdReseeder() {
		this.webContextRunner.withClassLoader(new FilteredClassLoader(Tomcat.class)).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).doesNotHaveBean(TomcatSessionIdReseeder.class);
			assertThat(context).hasSingleBean(JettySessionIdReseeder.class);
			assertThat(context).hasSingleBean(ReseedParticipant.class);
		});
	}

	@Test
	void switchOffRemovesEveryReseeder() {
		this.webContextRunner.withPropertyValues("cse.clone.reseed.enabled=false").run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).doesNotHaveBean(ReseedParticipant.class);
			assertThat(context).doesNotHaveBean(Reseeder.class);
			assertThat(context).hasSingleBean(CheckpointCoordinator.class);
			assertThat(participantNames(context)).doesNotContain("reseed");
		});
	}

	@Test
	void masterSwitchOffRemovesEveryReseeder() {
		this.webContextRunner.withPropertyValues("cse.enabled=false").run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).doesNotHaveBean(ReseedParticipant.class);
			assertThat(context).doesNotHaveBean(Reseeder.class);
		});
	}

	@Test
	void userBeansWin() {
		ThreadLocalRandomReseeder threadLocalRandom = new ThreadLocalRandomReseeder();
		ReseedParticipant participant = new ReseedParticipant(java.util.List.of());
		this.contextRunner.withBean("myThreadLocalRandom", ThreadLocalRandomReseeder.class, () -> threadLocalRandom)
			.withBean("myReseed", ReseedParticipant.class, () -> participant)
			.run((context) -> {
				assertThat(context.getBean(ThreadLocalRandomReseeder.class)).isSameAs(threadLocalRandom);
				assertThat(context.getBean(ReseedParticipant.class)).isSameAs(participant);
			});
	}

	@Test
	void aReseederBeanOfTheApplicationRunsOnEveryRestore() {
		AtomicInteger reseeded = new AtomicInteger();
		Reseeder own = new Reseeder() {

			@Override
			public String getName() {
				return "own";
			}

			@Override
			public int reseed() {
				return reseeded.incrementAndGet();
			}

		};
		this.contextRunner.withBean("ownReseeder", Reseeder.class, () -> own).run((context) -> {
			ReseedParticipant participant = context.getBean(ReseedParticipant.class);
			InstanceIdentity identity = new InstanceIdentity(Clock.systemUTC());
			participant.resume(new CheckpointContext(Operation.CLONE, Resumption.CLONE, identity));
			participant.resume(new CheckpointContext(Operation.DUMP, Resumption.RESTORE, identity));
			participant.resume(new CheckpointContext(Operation.FREEZE, Resumption.THAW, identity));
			assertThat(reseeded).hasValue(2);
		});
	}

	private static java.util.List<String> participantNames(ApplicationContext context) {
		return context.getBean(CheckpointCoordinator.class)
			.getParticipants()
			.stream()
			.map(ParticipantStatus::name)
			.toList();
	}

}
