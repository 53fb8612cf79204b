package io.cse.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * A bounded load on HTTP instances: a fixed number of requests per step, at a fixed rate
 * per step, sent by a fixed number of client threads, each request to the next instance
 * of a {@link Backends} rotation.
 * <p>
 * A pacer thread issues the requests on schedule (open loop: a slow instance does not
 * slow the schedule down, it only lets requests queue up for a free client); the clients
 * send them with the JDK's HTTP client over HTTP/1.1 keep-alive connections. Every
 * request that was scheduled is sent and counted: as answered 200, or as failed (another
 * status, an I/O error, no answer within the request timeout, or no instance to send it
 * to). Nothing is retried, so a failure is never hidden.
 */
final class LoadGenerator {

	private final int clients;

	private final Duration requestTimeout;

	private final String path;

	private final HttpClient http;

	/**
	 * @param clients how many requests may be under way at once
	 * @param requestTimeout after how long without an answer a request counts as failed
	 * @param path the path every request asks for
	 */
	LoadGenerator(int clients, Duration requestTimeout, String path) {
		if (clients < 1) {
			throw new IllegalArgumentException("A load needs at least 1 client, not " + clients);
		}
		this.clients = clients;
		this.requestTimeout = requestTimeout;
		this.path = path;
		this.http = HttpClient.newBuilder()
			.version(HttpClient.Version.HTTP_1_1)
			.connectTimeout(requestTimeout)
			.build();
	}

	/**
	 * Start sending.
	 * @param steps the load, one step after the other
	 * @param backends the instances to spread it over; instances may be added while it runs
	 * @return the running load
	 */
	Load start(List<Step> steps, Backends backends) {
		if (steps.isEmpty()) {
			throw new IllegalArgumentException("A load needs at least one step");
		}
		Load load = new Load(steps, backends);
		load.start();
		return load;
	}

	/**
	 * One step of the load: so many requests per second, for so long.
	 *
	 * @param name what to call it in a report
	 * @param perSecond requests per second
	 * @param duration how long
	 */
	record Step(String name, double perSecond, Duration duration) {

		Step {
			if (perSecond <= 0 || duration.isNegative() || duration.isZero()) {
				throw new IllegalArgumentException("A step needs a positive rate and duration, not " + perSecond
						+ "/s for " + duration);
			}
		}

		/** How many requests the step sends: its rate times its duration. */
		long requests() {
			return Math.round(this.perSecond * this.duration.toNanos() / 1e9);
		}

	}

	/**
	 * What happened to the requests of one step.
	 *
	 * @param step the step
	 * @param sent how many were sent (all that were scheduled)
	 * @param ok how many were answered 200
	 * @param failed how many were not
	 * @param latencyMillis each answered request's time from its send to its answer
	 * @param lagMillis each request's time from its scheduled send to its actual send
	 * @param failures how many failed, by reason
	 */
	record StepTally(Step step, long sent, long ok, long failed, List<Double> latencyMillis, List<Double> lagMillis,
			Map<String, Long> failures) {
	}

	/**
	 * A load under way.
	 */
	final class Load {

		private final List<Step> steps;

		private final Backends backends;

		private final BlockingQueue<Ticket> tickets = new LinkedBlockingQueue<>();

		private final AtomicLongArray stepStartNanos;

		private final List<CountDownLatch> stepStarted = new ArrayList<>();

		private final List<Counts> counts = new ArrayList<>();

		private final List<Thread> threads = new ArrayList<>();

		private volatile boolean scheduled;

		private Load(List<Step> steps, Backends backends) {
			this.steps = List.copyOf(steps);
			this.backends = backends;
			this.stepStartNanos = new AtomicLongArray(steps.size());
			for (int i = 0; i < steps.size(); i++) {
				this.stepStarted.add(new CountDownLatch(1));
				this.counts.add(new Counts());
			}
		}

		private void start() {
			for (int i = 0; i < LoadGenerator.this.clients; i++) {
				this.threads.add(daemon(this::send, "cse-load-client-" + i));
			}
			this.threads.add(daemon(this::pace, "cse-load-pacer"));
		}

		/**
		 * Issue every step's requests on schedule: request k of a step at k / rate seconds
		 * after the step's start.
		 */
		private void pace() {
			try {
				for (int index = 0; index < this.steps.size(); index++) {
					Step step = this.steps.get(index);
					long start = System.nanoTime();
					this.stepStartNanos.set(index, start);
					this.stepStarted.get(index).countDown();
					long total = step.requests();
					double intervalNanos = 1e9 / step.perSecond();
					for (long k = 0; k < total; k++) {
						long due = start + (long) (k * intervalNanos);
						long wait = due - System.nanoTime();
						if (wait > 0) {
							TimeUnit.NANOSECONDS.sleep(wait);
						}
						this.tickets.add(new Ticket(index, due));
					}
					long end = start + step.duration().toNanos();
					long rest = end - System.nanoTime();
					if (rest > 0) {
						TimeUnit.NANOSECONDS.sleep(rest);
					}
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			finally {
				this.scheduled = true;
			}
		}

		private void send() {
			try {
				while (true) {
					Ticket ticket = this.tickets.poll(20, TimeUnit.MILLISECONDS);
					if (ticket == null) {
						if (this.scheduled && this.tickets.isEmpty()) {
							return;
						}
						continue;
					}
					sendOne(ticket);
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}

		private void sendOne(Ticket ticket) throws InterruptedException {
			Counts counts = this.counts.get(ticket.step());
			long sent = System.nanoTime();
			counts.sent.increment();
			counts.lagMillis.add((sent - ticket.dueNanos()) / 1e6);
			URI base = this.backends.next();
			if (base == null) {
				counts.fail("no instance in the rotation");
				return;
			}
			HttpRequest request = HttpRequest.newBuilder(base.resolve(LoadGenerator.this.path))
				.timeout(LoadGenerator.this.requestTimeout)
				.GET()
				.build();
			String failure;
			try {
				HttpResponse<Void> response = LoadGenerator.this.http.send(request,
						HttpResponse.BodyHandlers.discarding());
				long answered = System.nanoTime();
				counts.latencyMillis.add((answered - sent) / 1e6);
				boolean ok = response.statusCode() == 200;
				this.backends.answered(base, ok, answered);
				if (ok) {
					counts.ok.increment();
					return;
				}
				failure = "HTTP " + response.statusCode();
			}
			catch (HttpTimeoutException ex) {
				this.backends.answered(base, false, System.nanoTime());
				failure = "no answer within " + LoadGenerator.this.requestTimeout.toMillis() + " ms";
			}
			catch (IOException ex) {
				this.backends.answered(base, false, System.nanoTime());
				failure = ex.getClass().getSimpleName() + ((ex.getMessage() != null) ? ": " + ex.getMessage() : "");
			}
			counts.fail(failure);
		}

		/**
		 * Wait until a step starts.
		 * @param index the step's index
		 * @return when it started, as {@link System#nanoTime()}
		 */
		long awaitStep(int index, Duration timeout) throws InterruptedException {
			if (!this.stepStarted.get(index).await(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
				throw new IllegalStateException("step " + index + " of the load did not start within " + timeout);
			}
			return this.stepStartNanos.get(index);
		}

		/**
		 * Wait until every request was sent and answered (or failed).
		 * @return what happened, step by step
		 * @throws IllegalStateException if the load did not end in time (it is stopped)
		 */
		List<StepTally> awaitEnd(Duration timeout) throws InterruptedException {
			long deadline = System.nanoTime() + timeout.toNanos();
			for (Thread thread : this.threads) {
				long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
				if (left > 0) {
					thread.join(left);
				}
				if (thread.isAlive()) {
					stop();
					throw new IllegalStateException("the load did not end within " + timeout);
				}
			}
			List<StepTally> tallies = new ArrayList<>();
			for (int i = 0; i < this.steps.size(); i++) {
				Counts counts = this.counts.get(i);
				Map<String, Long> failures = new TreeMap<>();
				counts.failures.forEach((reason, count) -> failures.put(reason, count.sum()));
				tallies.add(new StepTally(this.steps.get(i), counts.sent.sum(), counts.ok.sum(), counts.failed.sum(),
						List.copyOf(counts.latencyMillis), List.copyOf(counts.lagMillis), failures));
			}
			return tallies;
		}

		/**
		 * Stop sending at once: what a benchmark that fails does, so that no thread is left.
		 */
		void stop() {
			this.threads.forEach(Thread::interrupt);
		}

	}

	private static Thread daemon(Runnable task, String name) {
		Thread thread = new Thread(task, name);
		thread.setDaemon(true);
		thread.start();
		return thread;
	}

	private record Ticket(int step, long dueNanos) {
	}

	private static final class Counts {

		final LongAdder sent = new LongAdder();

		final LongAdder ok = new LongAdder();

		final LongAdder failed = new LongAdder();

		final Queue<Double> latencyMillis = new ConcurrentLinkedQueue<>();

		final Queue<Double> lagMillis = new ConcurrentLinkedQueue<>();

		final Map<String, LongAdder> failures = new ConcurrentHashMap<>();

		void fail(String reason) {
			this.failed.increment();
			this.failures.computeIfAbsent(reason, (key) -> new LongAdder()).increment();
		}

	}

}
