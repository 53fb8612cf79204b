package io.cse.autoconfigure;

import java.util.List;

import io.cse.CheckpointCoordinator;
import io.cse.CheckpointParticipant;
import io.cse.ParticipantStatus;
import io.cse.http.ApacheHttpClient4PoolCloser;
import io.cse.http.ApacheHttpClient5PoolCloser;
import io.cse.http.HttpClientPoolCloser;
import io.cse.http.HttpClientPoolParticipant;
import io.cse.http.OkHttpPoolCloser;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link CseHttpClientsAutoConfiguration}.
 */
class CseHttpClientsAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(CseAutoConfiguration.class, CseHttpClientsAutoConfiguration.class));

	@Test
	void createsTheParticipantAndOneCloserPerLibraryOnTheClassPath() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).hasSingleBean(HttpClientPoolParticipant.class);
			assertThat(context).hasSingleBean(ApacheHttpClient5PoolCloser.class);
			assertThat(context).hasSingleBean(ApacheHttpClient4PoolCloser.class);
			assertThat(context).hasSingleBean(OkHttpPoolCloser.class);
			assertThat(participant(context).order()).isEqualTo(CheckpointParticipant.POOL_ORDER);
		});
	}

	@Test
	void withoutALibraryThereIsNoCloserForIt() {
		this.contextRunner
			.withClassLoader(new FilteredClassLoader(OkHttpClient.class,
					org.apache.http.impl.conn.PoolingHttpClientConnectionManager.class))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context).hasSingleBean(ApacheHttpClient5PoolCloser.class);
				assertThat(context).doesNotHaveBean(ApacheHttpClient4PoolCloser.class);
				assertThat(context).doesNotHaveBean(OkHttpPoolCloser.class);
				assertThat(context).hasSingleBean(HttpClientPoolParticipant.class);
			});
	}

	@Test
	void switchOffRemovesTheParticipantAndTheClosers() {
		this.contextRunner.withPropertyValues("cse.http-clients.enabled=false").run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).doesNotHaveBean(HttpClientPoolParticipant.class);
			assertThat(context).doesNotHaveBean(HttpClientPoolCloser.class);
			assertThat(context).hasSingleBean(CheckpointCoordinator.class);
			assertThat(participantNames(context)).doesNotContain("http-clients");
		});
	}

	@Test
	void masterSwitchOffRemovesTheParticipant() {
		this.contextRunner.withPropertyValues("cse.enabled=false").run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).doesNotHaveBean(HttpClientPoolParticipant.class);
			assertThat(context).doesNotHaveBean(HttpClientPoolCloser.class);
		});
	}

	@Test
	void userBeansWinAndTheParticipantUsesThem() {
		OkHttpPoolCloser own = new OkHttpPoolCloser();
		this.contextRunner.withBean("ownOkHttpPoolCloser", OkHttpPoolCloser.class, () -> own).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context.getBean(OkHttpPoolCloser.class)).isSameAs(own);
			assertThat(context.getBeansOfType(HttpClientPoolCloser.class)).hasSize(3);
		});
	}

	private static ParticipantStatus participant(ApplicationContext context) {
		return context.getBean(CheckpointCoordinator.class)
			.getParticipants()
			.stream()
			.filter((participant) -> participant.name().equals("http-clients"))
			.findFirst()
			.orElseThrow();
	}

	private static List<String> participantNames(ApplicationContext context) {
		return context.getBean(CheckpointCoordinator.class).getParticipants().stream().map(ParticipantStatus::name)
			.toList();
	}

}
