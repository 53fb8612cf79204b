package io.cse.node.pool;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pools' files: what a change waited for is on disk, changes made at once end with the
 * newest state on disk, and a deleted pool's file is gone.
 */
class PoolStoreTests {

	@TempDir
	Path stateDir;

	@Test
	void aChangeWaitedForIsWhatTheNextAgentReads() {
		PoolStore store = new PoolStore(this.stateDir);
		store.save(pool(List.of("web-1", "web-2"), List.of()));
		long change = store.change("web", pool(List.of("web-2"), List.of("web-1")));
		store.awaitWritten("web", change);
		assertThat(new PoolStore(this.stateDir).find("web")).hasValue(pool(List.of("web-2"), List.of("web-1")));
	}

	@Test
	void changesMadeAtOnceEndWithTheNewestStateOnDisk() throws Exception {
		List<String> clones = new ArrayList<>();
		for (int i = 1; i <= 16; i++) {
			clones.add("web-" + i);
		}
		PoolStore store = new PoolStore(this.stateDir);
		store.save(pool(clones, List.of()));
		Object lock = new Object();
		ExecutorService takers = Executors.newFixedThreadPool(8);
		try {
			List<Future<String>> claims = new ArrayList<>();
			for (int i = 0; i < 16; i++) {
				claims.add(takers.submit(() -> {
					// as Pools claims: the change under the pools' lock, the wait outside it
					String member;
					long change;
					synchronized (lock) {
						PoolState current = store.find("web").orElseThrow();
						member = current.members().get(0);
						change = store.change("web", current.releasing(member));
					}
					store.awaitWritten("web", change);
					return member;
				}));
			}
			List<String> claimed = new ArrayList<>();
			for (Future<String> claim : claims) {
				claimed.add(claim.get(30, TimeUnit.SECONDS));
			}
			assertThat(claimed).containsExactlyInAnyOrderElementsOf(clones);
		}
		finally {
			takers.shutdownNow();
		}
		PoolState onDisk = new PoolStore(this.stateDir).find("web").orElseThrow();
		assertThat(onDisk.members()).isEmpty();
		assertThat(onDisk.released()).containsExactlyInAnyOrderElementsOf(clones);
	}

	@Test
	void aDeletedPoolIsGoneFromMemoryAndDisk() {
		PoolStore store = new PoolStore(this.stateDir);
		store.save(pool(List.of("web-1"), List.of()));
		store.delete("web");
		assertThat(store.find("web")).isEmpty();
		assertThat(store.list()).isEmpty();
		assertThat(Files.exists(this.stateDir.resolve("pools").resolve("web.json"))).isFalse();
		store.save(pool(List.of("web-7"), List.of()));
		assertThat(new PoolStore(this.stateDir).find("web").orElseThrow().members()).containsExactly("web-7");
	}

	private static PoolState pool(List<String> members, List<String> released) {
		return new PoolState("web", "/images/tpl", 2, false, null, members, released, "2026-12-04T00:00:00Z");
	}

}
