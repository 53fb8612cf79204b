package io.cse.autoconfigure;

import java.util.List;
import java.util.Map;

import io.cse.CheckpointCoordinator;
import io.cse.ParticipantStatus;
import io.cse.CheckpointParticipant;
import io.cse.dubbo.DubboProviderParticipant;
import io.cse.dubbo.DubboProviderPublisher;
import io.cse.registry.ProviderPublisher;
import io.cse.registry.ProviderPublisherParticipant;
import org.apache.dubbo.config.spring.ServiceBean;
import org.apache.dubbo.rpc.model.FrameworkModel;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link CseDubboAutoConfiguration}. Spring Boot 3.5 only, as Dubbo; a real
 * provider, consumer and ZooKeeper (what ZooKeeper holds across a freeze, a thaw and a
 * clone, the hazard check's report, the instance id in the URL) are in
 * {@code samples/hsf-provider}'s tests.
 */
class CseDubboAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(CseAutoConfiguration.class, CseServerlessReadyAutoConfiguration.class,
				CseDubboAutoConfiguration.class));

	@Test
	void createsTheParticipantAndThePublisherWithDubbo() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).hasSingleBean(DubboProviderParticipant.class);
			assertThat(context).hasSingleBean(DubboProviderPublisher.class);
			// The publisher makes the providers participant exist, and runs just before Dubbo's
			assertThat(context).hasSingleBean(ProviderPublisherParticipant.class);
			assertThat(participants(context)).containsEntry(ProviderPublisherParticipant.NAME,
					CheckpointParticipant.REGISTRY_ORDER)
				.containsEntry(DubboProviderParticipant.NAME, CheckpointParticipant.REGISTRY_ORDER + 10);
		});
	}

	@Test
	void withoutDubboThereIsNoParticipant() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(FrameworkModel.class, ServiceBean.class))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context).doesNotHaveBean(DubboProviderParticipant.class);
				assertThat(context).doesNotHaveBean(ProviderPublisher.class);
				assertThat(context).doesNotHaveBean(ProviderPublisherParticipant.class);
			});
	}

	@Test
	void switchOffRemovesTheParticipantAndThePublisher() {
		this.contextRunner.withPropertyValues("cse.dubbo.enabled=false").run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).doesNotHaveBean(DubboProviderParticipant.class);
			assertThat(context).doesNotHaveBean(DubboProviderPublisher.class);
			assertThat(participants(context)).doesNotContainKey(DubboProviderParticipant.NAME);
		});
	}

	@Test
	void masterSwitchOffRemovesTheParticipant() {
		this.contextRunner.withPropertyValues("cse.enabled=false").run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).doesNotHaveBean(DubboProviderParticipant.class);
		});
	}

	@Test
	void userBeansWin() {
		DubboProviderParticipant own = new DubboProviderParticipant(() -> "10.0.0.1");
		this.contextRunner.withBean("ownDubbo", DubboProviderParticipant.class, () -> own).run((context) -> {
			assertThat(context).hasSingleBean(DubboProviderParticipant.class);
			assertThat(context.getBean(DubboProviderParticipant.class)).isSameAs(own);
			assertThat(context.getBean(DubboProviderPublisher.class)).isNotNull();
		});
	}

	private static Map<String, Integer> participants(ApplicationContext context) {
		List<ParticipantStatus> participants = context.getBean(CheckpointCoordinator.class).getParticipants();
		return participants.stream()
			.collect(java.util.stream.Collectors.toMap(ParticipantStatus::name, ParticipantStatus::order));
	}

}
