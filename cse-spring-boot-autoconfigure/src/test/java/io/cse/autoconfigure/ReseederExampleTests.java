package io.cse.autoconfigure;

import java.time.Clock;
import java.util.List;

import io.cse.CheckpointContext;
import io.cse.CheckpointContext.Operation;
import io.cse.CheckpointContext.Resumption;
import io.cse.InstanceIdentity;
import io.cse.reseed.ReseedParticipant;
import io.cse.reseed.example.ShuffledBackends;
import io.cse.reseed.example.ShuffledBackendsReseeder;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The example of the docs: a {@link io.cse.entropy.Reseeder} bean of the application
 * renews a generator that the starter cannot see, on every restore.
 */
class ReseederExampleTests {

	private static final List<String> BACKENDS = List.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l");

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(CseAutoConfiguration.class, CseReseedAutoConfiguration.class))
		.withBean(ShuffledBackends.class, () -> seeded(42))
		.withBean(ShuffledBackendsReseeder.class);

	@Test
	void aRestoreGivesTheGeneratorASeedOfItsOwn() {
		this.contextRunner.run((context) -> {
			// What every clone of an image would do without the reseeder: the same order.
			assertThat(seeded(42).order()).isEqualTo(seeded(42).order());
			ShuffledBackends backends = context.getBean(ShuffledBackends.class);
			context.getBean(ReseedParticipant.class)
				.resume(new CheckpointContext(Operation.CLONE, Resumption.CLONE, new InstanceIdentity(Clock.systemUTC())));
			assertThat(backends.order()).isNotEqualTo(seeded(42).order());
		});
	}

	private static ShuffledBackends seeded(long seed) {
		ShuffledBackends backends = new ShuffledBackends(BACKENDS);
		backends.reseed(seed);
		return backends;
	}

}
