package io.cse.executor;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;

/**
 * Holds every thread of a {@link ThreadPoolExecutor} so that no task starts until the gate
 * opens: the pause Spring Framework 6.1 built into its executors, for older ones.
 * <p>
 * Closing the gate hands each thread the pool may run a task that waits for the gate to
 * open. Tasks already queued run first and running tasks finish, as each thread picks up
 * its gate task only when it is free; tasks submitted or due afterwards wait in the queue.
 * While closed, the pool may not grow beyond the threads it has (a thread started for a
 * full queue would run tasks past the gate).
 */
final class ThreadPoolGate {

	private final ThreadPoolExecutor pool;

	private final CountDownLatch open = new CountDownLatch(1);

	private int maximumPoolSize = -1;

	ThreadPoolGate(ThreadPoolExecutor pool) {
		this.pool = pool;
	}

	/**
	 * Close the gate and wait until every thread of the pool waits at it.
	 * @throws InterruptedException if interrupted while waiting, the gate then open again
	 */
	void close() throws InterruptedException {
		// A pool under its core size starts a thread per task; above it, threads beyond
		// the core ones take tasks from the queue: either way, one gate task per thread.
		// A pool of no core threads starts one for a task when it has none.
		int threads = Math.max(1, Math.max(this.pool.getCorePoolSize(), this.pool.getPoolSize()));
		this.maximumPoolSize = this.pool.getMaximumPoolSize();
		if (threads < this.maximumPoolSize) {
			this.pool.setMaximumPoolSize(threads);
		}
		CountDownLatch held = new CountDownLatch(threads);
		try {
			for (int i = 0; i < threads; i++) {
				this.pool.execute(() -> waitAtGate(held));
			}
			held.await();
		}
		catch (InterruptedException ex) {
			open();
			throw ex;
		}
		catch (RejectedExecutionException ex) {
			open();
			throw new IllegalStateException("Cannot pause the thread pool " + this.pool
					+ ": it takes no more tasks (its queue is full); try again once it has drained", ex);
		}
	}

	private void waitAtGate(CountDownLatch held) {
		held.countDown();
		try {
			this.open.await();
		}
		catch (InterruptedException ex) {
			// The pool is shutting down: let its thread go.
			Thread.currentThread().interrupt();
		}
	}

	/** Let every thread go back to its tasks. */
	void open() {
		this.open.countDown();
		if (this.maximumPoolSize > this.pool.getMaximumPoolSize()) {
			this.pool.setMaximumPoolSize(this.maximumPoolSize);
		}
	}

}
