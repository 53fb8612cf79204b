package io.cse.web;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link AfterResponseAction}.
 */
class AfterResponseActionTests {

	private final List<String> threads = new CopyOnWriteArrayList<>();

	private final AtomicInteger closed = new AtomicInteger();

	private final AfterResponseAction afterResponse = new AfterResponseAction(this.closed::incrementAndGet);

	@Test
	void actionLeftStartsOnItsOwnThreadOnlyWhenStarted() {
		this.afterResponse.leave("cse-test", this::record);
		assertThat(this.afterResponse.isLeft()).isTrue();
		assertThat(this.closed).hasValue(1);
		assertThat(this.threads).isEmpty();
		this.afterResponse.start();
		await().atMost(Duration.ofSeconds(5)).until(() -> !this.threads.isEmpty());
		assertThat(this.threads).containsExactly("cse-test");
		assertThat(this.afterResponse.isLeft()).isFalse();
	}

	@Test
	void actionStartsOnce() {
		this.afterResponse.leave("cse-test", this::record);
		this.afterResponse.start();
		this.afterResponse.start();
		await().atMost(Duration.ofSeconds(5)).until(() -> !this.threads.isEmpty());
		await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(1)).until(() -> this.threads.size() == 1);
	}

	@Test
	void startWithNothingLeftDoesNothingToTheResponse() {
		this.afterResponse.start();
		assertThat(this.closed).hasValue(0);
		assertThat(this.afterResponse.isLeft()).isFalse();
	}

	@Test
	void secondActionIsRefused() {
		this.afterResponse.leave("cse-test", this::record);
		assertThatIllegalStateException().isThrownBy(() -> this.afterResponse.leave("cse-other", this::record));
	}

	@Test
	void actionOfARequestThatNoFilterOfferedToRunItStartsAtOnce() {
		AfterResponseAction.leaveOrStart(null, "cse-test", this::record);
		await().atMost(Duration.ofSeconds(5)).until(() -> !this.threads.isEmpty());
		assertThat(this.threads).containsExactly("cse-test");
	}

	private void record() {
		this.threads.add(Thread.currentThread().getName());
	}

}
