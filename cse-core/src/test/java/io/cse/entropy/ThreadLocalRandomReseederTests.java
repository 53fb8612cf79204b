package io.cse.entropy;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class ThreadLocalRandomReseederTests {

	@Test
	void isAvailableOnThisJdk() {
		assertThat(ThreadLocalRandomReseeder.unavailableReason()).isNull();
		assertThat(ThreadLocalRandomReseeder.isAvailable()).isTrue();
	}

	@Test
	void seedsOfTheCallingThreadOfAnotherThreadAndTheSeederAreRenewed() throws InterruptedException {
		ThreadLocalRandom.current().nextLong();
		CountDownLatch release = new CountDownLatch(1);
		AtomicLong otherThreadsNumber = new AtomicLong();
		Thread other = new Thread(() -> {
			otherThreadsNumber.set(ThreadLocalRandom.current().nextLong());
			awaitQuietly(release);
		}, "uses-thread-local-random");
		other.start();
		await().until(() -> otherThreadsNumber.get() != 0);
		Thread idle = new Thread(() -> awaitQuietly(release), "never-uses-thread-local-random");
		idle.start();
		Thread current = Thread.currentThread();
		long seed = ThreadLocalRandomReseeder.seedOf(current);
		int secondarySeed = ThreadLocalRandomReseeder.secondarySeedOf(current);
		long otherSeed = ThreadLocalRandomReseeder.seedOf(other);
		long seeder = ThreadLocalRandomReseeder.seederValue();
		try {
			assertThat(new ThreadLocalRandomReseeder().reseed()).isGreaterThanOrEqualTo(3);

			assertThat(ThreadLocalRandomReseeder.seedOf(current)).isNotEqualTo(seed);
			assertThat(ThreadLocalRandomReseeder.secondarySeedOf(current)).isNotEqualTo(secondarySeed).isNotZero();
			assertThat(ThreadLocalRandomReseeder.seedOf(other)).isNotEqualTo(otherSeed);
			assertThat(ThreadLocalRandomReseeder.seederValue()).isNotEqualTo(seeder);
			assertThat(ThreadLocalRandomReseeder.seedOf(idle)).as("a thread that never used it takes a seed on first use")
				.isZero();
		}
		finally {
			release.countDown();
		}
		other.join();
		idle.join();
	}

	@Test
	void theNextNumberIsNotTheOneTheOldSeedGives() {
		ThreadLocalRandom random = ThreadLocalRandom.current();
		random.nextLong();
		Thread current = Thread.currentThread();
		// ThreadLocalRandom computes the next number from the thread's seed alone: set the
		// same seed again, as every clone has it, and the same number comes.
		long seed = ThreadLocalRandomReseeder.seedOf(current);
		long first = random.nextLong();
		ThreadLocalRandomReseeder.setSeedOf(current, seed);
		assertThat(random.nextLong()).as("a copy of the seed gives the same number").isEqualTo(first);

		ThreadLocalRandomReseeder.setSeedOf(current, seed);
		new ThreadLocalRandomReseeder().reseed();
		assertThat(random.nextLong()).isNotEqualTo(first);
	}

	private static void awaitQuietly(CountDownLatch latch) {
		try {
			latch.await();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
