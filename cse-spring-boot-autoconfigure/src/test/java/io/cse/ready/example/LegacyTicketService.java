package io.cse.ready.example;

import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import io.cse.ready.ServerlessReady;

import org.springframework.stereotype.Service;

/**
 * A service as it was before it was made ready for clones: every clone of it would hand
 * out the same tickets. The start-up check reports {@code NODE} and {@code random} as
 * {@code ERROR} and {@code startedAt} as {@code WARN}.
 */
@Service
@ServerlessReady
public class LegacyTicketService {

	private static final UUID NODE = UUID.randomUUID();

	private final Random random = new Random();

	private final long startedAt = System.currentTimeMillis();

	private final AtomicLong sequence = new AtomicLong();

	public String nextTicket() {
		return NODE + "-" + this.sequence.incrementAndGet() + "-" + this.random.nextInt(10_000);
	}

	public long getStartedAt() {
		return this.startedAt;
	}

}
